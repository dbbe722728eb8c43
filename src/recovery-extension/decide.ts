import type { Fact } from '../eligibility/facts.js';
import type { ClaimVerdict } from './claims.js';

/*
 * What the extension answers Entra, decided from what was read: the claims source's verdict, and
 * (with RECOVERY_PRIVILEGED=refuse) the user's directory roles by the escalation's definition of
 * privileged (src/eligibility/roles.ts: any role, direct or through a group, active or PIM-eligible).
 * Pure; a fact that could not be read never passes.
 */

export type AttemptCause =
  | 'passed'
  | 'claims'
  | 'no-record'
  | 'source'
  | 'privileged'
  | 'unknown-user'
  | 'roles-unknown';

export interface RecoveryDecision {
  outcome: 'pass' | 'failed';
  /** Claim keys only, as Entra's answer carries them. */
  failedClaims: string[];
  cause: AttemptCause;
  /** Why, in words that carry no claim value. */
  reason: string;
}

export interface DecisionFacts {
  verdict: ClaimVerdict;
  /** Directory roles the user holds or may activate; undefined when not read (RECOVERY_PRIVILEGED=allow). */
  privilegedRoles?: Fact<string[]>;
  /** False when the directory has no such user. */
  userFound: boolean;
}

export function decide(facts: DecisionFacts): RecoveryDecision {
  if (!facts.userFound)
    return { outcome: 'failed', failedClaims: [], cause: 'unknown-user', reason: 'the directory has no such user' };
  const { verdict } = facts;
  if (!verdict.pass) {
    const cause: AttemptCause =
      verdict.failedClaims.length > 0
        ? 'claims'
        : verdict.reason.startsWith('the organisation has no record')
          ? 'no-record'
          : 'source';
    return { outcome: 'failed', failedClaims: verdict.failedClaims, cause, reason: verdict.reason };
  }
  const roles = facts.privilegedRoles;
  if (roles && !roles.known)
    return {
      outcome: 'failed',
      failedClaims: [],
      cause: 'roles-unknown',
      reason: `whether the user holds a directory role could not be read (${roles.reason})`,
    };
  if (roles?.known && roles.value.length > 0)
    return {
      outcome: 'failed',
      failedClaims: [],
      cause: 'privileged',
      reason: `the claims match, but the user holds ${roles.value.length === 1 ? 'a directory role' : `${roles.value.length} directory roles`}`,
    };
  return { outcome: 'pass', failedClaims: [], cause: 'passed', reason: 'the claims match the record' };
}
