/*
 * What each requirement E1–E10 is, in one place: its title on the agent's card, its short name in
 * the readiness summary, and how its failures and warnings read when counted over a whole group.
 * The rules, the readiness report and the diagnosis catalogue all take them from here.
 */

export const REQUIREMENT_IDS = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10', 'E11', 'E12'] as const;
export type RequirementId = (typeof REQUIREMENT_IDS)[number];

/**
 * Why a requirement did not simply pass, as a code other modules match on (the diagnosis catalogue's
 * `confirmedBy.reason`), so no one has to search the evidence prose for words.
 */
export const RESULT_REASONS = [
  /** E2: added to the recovery group minutes ago; the recovery link can take a while to appear. */
  'recently-added',
  /** E2: in the recovery group only through a nested group. */
  'nested-only',
  /** E3: the last successful sign-in is older than the user's addition to the recovery group. */
  'sign-in-before-scope-change',
] as const;
export type ResultReason = (typeof RESULT_REASONS)[number];

export interface RequirementDefinition {
  id: RequirementId;
  /** On the agent's card, e.g. "Account is enabled and a member". */
  title: string;
  /** In the readiness summary's table. */
  shortName: string;
  /** One line for `n` members failing it, with what to do. */
  failSummary: (n: number) => string;
  /** One line for `n` members with a warning, when a warning is worth a line. */
  warnSummary?: (n: number) => string;
}

const users = (n: number) => `${n} ${n === 1 ? 'user' : 'users'}`;
const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const REQUIREMENTS: Record<RequirementId, RequirementDefinition> = {
  E1: {
    id: 'E1',
    title: 'Account is enabled and a member',
    shortName: 'Account enabled, a member',
    failSummary: (n) =>
      `${users(n)} ${verb(n, 'is', 'are')} disabled or a guest: an admin re-enables members; guests recover at home`,
  },
  E2: {
    id: 'E2',
    title: 'In a recovery group',
    shortName: 'In a recovery group',
    failSummary: (n) => `${users(n)} ${verb(n, 'is', 'are')} excluded from account recovery`,
    warnSummary: (n) =>
      `${users(n)} ${verb(n, 'is', 'are')} in the recovery group only through a nested group: add them directly to be sure`,
  },
  E3: {
    id: 'E3',
    title: 'Has signed in successfully before',
    shortName: 'Signed in before',
    failSummary: (n) => `${n} never signed in: SSAR is not offered to them; escalate for a human-approved TAP`,
  },
  E4: {
    id: 'E4',
    title: 'First and last name as on the ID',
    shortName: 'First and last name set',
    failSummary: (n) =>
      `${users(n)} ${verb(n, 'has', 'have')} an empty first or last name: an admin sets both as on the ID`,
    warnSummary: (n) =>
      `${users(n)} ${verb(n, 'has', 'have')} a name worth comparing with the ID (initials, titles, short forms)`,
  },
  E5: {
    id: 'E5',
    title: 'No other recovery-group member with the same name',
    shortName: 'No name twin in the group',
    failSummary: (n) =>
      `${users(n)} share a first and last name with someone in the group: rename or move one of each pair out`,
  },
  E6: {
    id: 'E6',
    title: 'Temporary Access Pass enabled for the user',
    shortName: 'Inside the TAP policy',
    failSummary: (n) => `${n} outside the TAP policy: add them to it, or take them out of the excluded group`,
  },
  E7: {
    id: 'E7',
    title: 'Conditional Access lets a TAP register security info',
    shortName: 'Conditional Access lets a TAP register',
    failSummary: (n) => `${n} blocked by Conditional Access from registering security info with a TAP`,
    warnSummary: (n) => `${users(n)} may be stopped by a Conditional Access policy on registering security info`,
  },
  E8: {
    id: 'E8',
    title: 'Recovery runs in Production mode',
    shortName: 'Production mode',
    failSummary: (n) =>
      `Recovery is in Evaluation mode, so none of ${verb(n, 'this', 'these')} ${users(n)} can recover yet: switch to Production`,
  },
  E9: {
    id: 'E9',
    title: 'Tenant and user licensed for Entra ID P1 or P2',
    shortName: 'Entra ID P1/P2 licence',
    failSummary: (n) => `${users(n)} without an Entra ID P1/P2 licence (theirs or the tenant's): an admin assigns one`,
  },
  E10: {
    id: 'E10',
    title: 'No usable sign-in method left',
    shortName: 'No usable method left',
    failSummary: (n) => `${n} still ${verb(n, 'has', 'have')} a sign-in method`,
    warnSummary: (n) =>
      `${n} still ${verb(n, 'has', 'have')} a sign-in method: SSPR or normal sign-in is quicker for them`,
  },
  E11: {
    id: 'E11',
    title: 'Passkeys (FIDO2) enabled for the user',
    shortName: 'Passkeys enabled',
    failSummary: (n) =>
      `${users(n)} cannot register a passkey after recovery: an admin enables passkeys (FIDO2) for them in the authentication methods policy`,
  },
  E12: {
    id: 'E12',
    title: 'No Conditional Access policy interrupts recovery',
    shortName: 'Conditional Access lets recovery through',
    failSummary: (n) => `${users(n)} blocked by Conditional Access during recovery`,
    warnSummary: (n) =>
      `${users(n)} in scope of a Conditional Access policy on cloud apps that may interrupt recovery: test it with one of them`,
  },
};
