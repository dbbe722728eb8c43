import { utcMinute } from '../time.js';
import type { EligibilityFacts } from './facts.js';
import { REQUIREMENTS, type RequirementId, type ResultReason } from './requirements.js';
import type { Status } from './status.js';

/* One requirement's result, and the small helpers every rule module words its evidence with. */

export interface RequirementResult {
  id: RequirementId;
  /** Short, e.g. "Account is enabled and a member". */
  title: string;
  status: Status;
  /** For the agent; may name groups, dates and policies. */
  evidence: string;
  /** What to do and who acts: user, helpdesk or admin. */
  fix?: string;
  unknownReason?: string;
  /** Why it did not simply pass, as codes other modules match on (never the evidence prose). */
  reasons?: ResultReason[];
}

// ─────────────────────────────────────────────────────────────────────────────────────────────
export function requirement(id: RequirementId) {
  const { title } = REQUIREMENTS[id];
  return {
    pass: (evidence: string): RequirementResult => ({ id, title, status: 'pass', evidence }),
    warn: (evidence: string, fix: string, reasons: ResultReason[] = []): RequirementResult => ({
      id,
      title,
      status: 'warn',
      evidence,
      fix,
      ...(reasons.length > 0 && { reasons }),
    }),
    fail: (evidence: string, fix: string): RequirementResult => ({ id, title, status: 'fail', evidence, fix }),
    unknown: (reason: string, evidence = `Could not check: ${reason}.`): RequirementResult => ({
      id,
      title,
      status: 'unknown',
      evidence,
      fix: 'Helpdesk: check this in the Entra admin center, or ask an admin to grant the bot what it is missing.',
      unknownReason: reason,
    }),
  };
}

export function minutesBetween(earlier: string, later: Date): number | undefined {
  const then = Date.parse(earlier);
  if (Number.isNaN(then)) return undefined;
  // A clock skew can put the audit event a little after readAt: count that as "just now".
  return Math.max(0, Math.floor((later.getTime() - then) / 60_000));
}

export function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : utcMinute(new Date(time));
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export const hiddenFrom = (facts: EligibilityFacts) => new Set(facts.hiddenMembershipGroupIds ?? []);

/** Graph lists no member of a hidden-membership group without Member.Read.Hidden: absence proves nothing. */
export const hiddenReason = (groups: string) =>
  `${groups} hides its membership (HiddenMembership), and without Member.Read.Hidden Graph lists none of its members; needs Member.Read.Hidden`;

/** A group's display name from whatever the snapshot knows, else its id. */
export function groupName(facts: EligibilityFacts, id: string): string {
  return (
    (facts.membership.known && facts.membership.value.groupNames[id]) ||
    (facts.recoveryScope.known && facts.recoveryScope.value.groupNames[id]) ||
    id
  );
}
