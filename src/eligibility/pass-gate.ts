import type { Fact } from './facts.js';
import type { Eligibility } from './rules.js';

/**
 * Why asking for a pass for someone would be refused, read from a check that already ran, so a card
 * never offers an Escalate button the escalation would refuse (the escalation itself still decides
 * on facts read when it files). The reasons mirror EscalationService's target assessment:
 * a disabled or guest account (E1), outside the TAP policy or the policy unreadable (E6), a directory
 * role (unless two approvers are allowed for them), or roles that could not be read.
 */
export type PassBlocker = 'disabled-or-guest' | 'outside-tap-policy' | 'privileged' | 'not-checkable';

export function passBlocker(
  eligibility: Pick<Eligibility, 'results'>,
  privilegedRoles: Fact<string[]> | undefined,
  allowPrivilegedWithTwoApprovers: boolean,
): PassBlocker | undefined {
  const status = (id: string) => eligibility.results.find((result) => result.id === id)?.status;
  if (status('E1') === 'fail') return 'disabled-or-guest';
  if (status('E6') === 'fail') return 'outside-tap-policy';
  if (status('E1') === 'unknown' || status('E6') === 'unknown' || !privilegedRoles?.known) return 'not-checkable';
  if (privilegedRoles.value.length > 0 && !allowPrivilegedWithTwoApprovers) return 'privileged';
  return undefined;
}

/** What the agent reads where the Escalate button would have been: why not, and what to do instead. */
export const PASS_BLOCKER_TEXT: Record<PassBlocker, string> = {
  'disabled-or-guest':
    'No pass can be requested: the account is disabled or a guest. Re-enable a member account through your usual process first; a guest recovers with their home organisation.',
  'outside-tap-policy':
    'No pass can be requested: they are outside the Temporary Access Pass policy, so a pass could not be used. Ask an administrator to add them to the policy first.',
  privileged:
    'No pass can be requested here: they hold a directory role. Use your organisation’s process for privileged accounts.',
  'not-checkable':
    'No pass can be requested yet: I could not confirm their account, TAP policy or roles. Check again in a few minutes.',
};
