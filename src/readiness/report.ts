import type { RecoveryScope } from '../eligibility/facts.js';
import { REQUIREMENT_IDS, REQUIREMENTS, type RequirementId } from '../eligibility/requirements.js';
import type { Eligibility } from '../eligibility/rules.js';
import type { Status } from '../eligibility/status.js';

/* Counting the readiness report: per-requirement tallies and the most common problems. No I/O here. */

export { REQUIREMENT_IDS };

// ─── counting ─────────────────────────────────────────────────────────────────────────────────

export interface ReadinessSummary {
  scanned: number;
  /** Verdict pass or warn: would get through recovery today. */
  ready: number;
  notReady: number;
  verdicts: Record<Status, number>;
  /** Per requirement, how many members got each status. */
  byRequirement: Record<RequirementId, Record<Status, number>>;
  /** Most common problems first, in plain words ("40 never signed in"). */
  topFixes: string[];
  /** The recovery groups scanned, by name, and where the bot learned them. */
  groups: string[];
  scopeSource?: RecoveryScope['source'];
  cancelled: boolean;
  /** Where the bulk facts came from and how they were read (the sign-in plan, the registration snapshot). */
  notes: string[];
}

const emptyStatuses = (): Record<Status, number> => ({ pass: 0, warn: 0, fail: 0, unknown: 0 });

/** Counters only: memory does not grow with the number of members. */
export class ReadinessTally {
  private scanned = 0;
  private readonly verdicts = emptyStatuses();
  private readonly byRequirement = Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, emptyStatuses()])) as Record<
    RequirementId,
    Record<Status, number>
  >;
  /** The first reason seen per requirement that could not be checked, to name it in the summary. */
  private readonly unknownReasons = new Map<RequirementId, string>();

  add(eligibility: Eligibility): void {
    this.scanned += 1;
    this.verdicts[eligibility.verdict] += 1;
    for (const result of eligibility.results) {
      this.byRequirement[result.id][result.status] += 1;
      if (result.status === 'unknown' && !this.unknownReasons.has(result.id))
        this.unknownReasons.set(result.id, result.unknownReason ?? 'not readable');
    }
  }

  get count(): number {
    return this.scanned;
  }

  get readyCount(): number {
    return this.verdicts.pass + this.verdicts.warn;
  }

  summary(
    scope: { groups: string[]; source?: RecoveryScope['source'] },
    cancelled = false,
    notes: string[] = [],
  ): ReadinessSummary {
    return {
      scanned: this.scanned,
      ready: this.readyCount,
      notReady: this.scanned - this.readyCount,
      verdicts: { ...this.verdicts },
      byRequirement: structuredClone(this.byRequirement),
      topFixes: topFixes(this.byRequirement, this.unknownReasons),
      groups: scope.groups,
      ...(scope.source && { scopeSource: scope.source }),
      cancelled,
      notes: [...notes],
    };
  }
}

const users = (n: number) => `${n} ${n === 1 ? 'user' : 'users'}`;

const TOP_FIXES = 6;

function topFixes(
  byRequirement: Record<RequirementId, Record<Status, number>>,
  unknownReasons: Map<RequirementId, string>,
): string[] {
  const lines: { rank: number; count: number; text: string }[] = [];
  for (const id of REQUIREMENT_IDS) {
    const counts = byRequirement[id];
    const { failSummary, warnSummary } = REQUIREMENTS[id];
    if (counts.fail > 0) lines.push({ rank: 0, count: counts.fail, text: failSummary(counts.fail) });
    if (counts.unknown > 0) {
      lines.push({
        rank: 1,
        count: counts.unknown,
        text: `${users(counts.unknown)} could not be checked for ${id} (${unknownReasons.get(id) ?? 'not readable'})`,
      });
    }
    if (counts.warn > 0 && warnSummary) lines.push({ rank: 2, count: counts.warn, text: warnSummary(counts.warn) });
  }
  return lines
    .sort((a, b) => a.rank - b.rank || b.count - a.count)
    .slice(0, TOP_FIXES)
    .map((line) => line.text);
}
