import type { PassBlocker } from '../eligibility/pass-gate.js';
import { REQUIREMENT_IDS, REQUIREMENTS, type RequirementId } from '../eligibility/requirements.js';
import type { Eligibility } from '../eligibility/rules.js';
import type { ReadinessSummary } from './report.js';

/*
 * Who is not ready, grouped by what to fix, a page at a time: what the summary card lists so an
 * agent can act on it (check them, escalate them) instead of only counting. Pure.
 */

/** The names kept per report; the CSV has everyone. Beyond this the card says how many more there are. */
export const MAX_LISTED = 2_000;
/** Names per page of the summary card: each has its own buttons, and a card must stay under Teams' size limit. */
export const NAMES_PER_PAGE = 8;

export interface NotReadyMember {
  id: string;
  name: string;
  upn: string;
  /** The requirements that fail, or could not be checked, for them. */
  problems: Array<{ id: RequirementId; status: 'fail' | 'unknown' }>;
  /** Why a pass could not be requested for them; absent when Escalate can be offered. */
  passBlocker?: PassBlocker;
}

/** A finished report's not-ready members, kept for the summary card's pages. */
export interface ReadinessResults {
  jobId: string;
  agentId: string;
  expiresAt: string;
  summary: ReadinessSummary;
  members: NotReadyMember[];
  /** Not-ready members beyond MAX_LISTED, in the CSV only. */
  notListed: number;
}

export function notReadyMember(
  user: { id: string; displayName?: string | null; userPrincipalName?: string | null },
  eligibility: Eligibility,
  passBlocker: PassBlocker | undefined,
): NotReadyMember {
  return {
    id: user.id,
    name: user.displayName ?? user.userPrincipalName ?? user.id,
    upn: user.userPrincipalName ?? '',
    problems: eligibility.results.flatMap((result) =>
      result.status === 'fail' || result.status === 'unknown' ? [{ id: result.id, status: result.status }] : [],
    ),
    ...(passBlocker && { passBlocker }),
  };
}

export interface FixGroup {
  id: RequirementId;
  status: 'fail' | 'unknown';
  /** The fix in words, with how many members of the whole report need it. */
  heading: string;
  members: NotReadyMember[];
}

export interface NotReadyPage {
  groups: FixGroup[];
  /** Zero-based. */
  page: number;
  pages: number;
}

/**
 * One page of the not-ready members, grouped by fix in requirement order (E1 first); a member
 * with two problems is listed under both, because both fixes are needed.
 */
export function notReadyPage(results: Pick<ReadinessResults, 'members' | 'summary'>, page: number): NotReadyPage {
  const entries: Array<{ id: RequirementId; status: 'fail' | 'unknown'; member: NotReadyMember }> = [];
  for (const id of REQUIREMENT_IDS)
    for (const status of ['fail', 'unknown'] as const)
      for (const member of results.members)
        if (member.problems.some((problem) => problem.id === id && problem.status === status))
          entries.push({ id, status, member });
  const pages = Math.max(1, Math.ceil(entries.length / NAMES_PER_PAGE));
  const current = Math.min(Math.max(0, Math.trunc(page)), pages - 1);
  const groups: FixGroup[] = [];
  for (const entry of entries.slice(current * NAMES_PER_PAGE, (current + 1) * NAMES_PER_PAGE)) {
    const last = groups.at(-1);
    if (last && last.id === entry.id && last.status === entry.status) last.members.push(entry.member);
    else
      groups.push({
        id: entry.id,
        status: entry.status,
        heading: fixHeading(entry.id, entry.status, results.summary.byRequirement[entry.id][entry.status]),
        members: [entry.member],
      });
  }
  return { groups, page: current, pages };
}

function fixHeading(id: RequirementId, status: 'fail' | 'unknown', count: number): string {
  const requirement = REQUIREMENTS[id];
  return status === 'fail'
    ? `${id} ${requirement.shortName}: ${requirement.failSummary(count)}`
    : `${id} ${requirement.shortName}: ${count} could not be checked; check them one by one`;
}
