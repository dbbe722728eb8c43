import type { EligibilityFacts, Fact, RecoveryScope } from '../eligibility/facts.js';
import { checkEligibility, colleagueView, type Eligibility } from '../eligibility/rules.js';
import { type DirectoryUser, MAX_MATCHES, type UserQuery } from '../eligibility/user-query.js';
import type { RecoveryAttempt, RecoveryAttempts } from '../recovery-extension/attempts.js';
import { metric } from '../telemetry/telemetry.js';
import type { Actor } from './actor.js';
import type { EligibilityReader } from './ports.js';

/**
 * "Can this person recover with SSAR?": the user looked up, the rules applied, the answer shaped
 * for who asks. A colleague's answer carries only the short verdict, never directory details.
 */
export type CheckDirectory = EligibilityReader;
/** The claim validation extension's attempts (issue 30); absent when the extension is off. */
export type AttemptReader = Pick<RecoveryAttempts, 'latest'>;

export type CheckResult =
  | { kind: 'unclear'; problem: string }
  | { kind: 'nobody' }
  | { kind: 'several'; users: DirectoryUser[]; limit: number; forAgent: boolean }
  /** A colleague asked for a name several people share: only the helpdesk can tell them apart. */
  | { kind: 'namesakes'; name: string; count: number }
  | {
      kind: 'for-agent';
      user: DirectoryUser;
      eligibility: Eligibility;
      recoveryScope: Fact<RecoveryScope>;
      readAt: Date;
      /** The user's last claim validation attempt, for the agent only. */
      claimValidation?: RecoveryAttempt;
      /** The directory roles they hold, so the card offers Escalate only where a pass could be requested. */
      privilegedRoles: Fact<string[]>;
    }
  | {
      kind: 'for-colleague';
      user: Pick<DirectoryUser, 'id' | 'displayName'>;
      answer: ReturnType<typeof colleagueView>;
    };

export async function checkUser(
  directory: CheckDirectory,
  actor: Actor,
  query: UserQuery | { problem: string },
  attempts?: AttemptReader,
): Promise<CheckResult> {
  if ('problem' in query) return { kind: 'unclear', problem: query.problem };
  // The tenant's policies do not depend on the user: read them in the same wave as the lookup.
  directory.prefetchTenantFacts();
  if (query.kind === 'upn') {
    // Warm, and a recovery-group member: the user and their facts in one Graph round trip.
    const [warm, claimValidation] = await Promise.all([
      directory.eligibilityFactsBySignInName(query.upn),
      lastAttempt(actor, query.upn, attempts),
    ]);
    if (warm) return answer(actor, warm.user, warm.facts, claimValidation);
  }
  const users = await directory.findUsers(query);
  const [only, ...others] = users;
  if (!only) return { kind: 'nobody' };
  if (others.length > 0) {
    const names = new Set(users.map((u) => sameNameKey(u.displayName)));
    if (!actor.isHelpdeskAgent && names.size === 1)
      return { kind: 'namesakes', name: only.displayName ?? '', count: users.length };
    return { kind: 'several', users, limit: MAX_MATCHES, forAgent: actor.isHelpdeskAgent };
  }
  return checkOne(directory, actor, only, attempts);
}

/** Names a reader cannot tell apart: the same letters, whatever the case or the spacing. */
export function sameNameKey(name: string | null | undefined): string {
  return (name ?? '').trim().replace(/\s+/g, ' ').toLocaleLowerCase();
}

/** "Check again" on a card: by object id, or nobody when the account is gone. */
export async function recheckUser(
  directory: CheckDirectory,
  actor: Actor,
  userId: string,
  attempts?: AttemptReader,
): Promise<CheckResult> {
  const [user] = await directory.findUsers({ kind: 'id', id: userId });
  return user ? checkOne(directory, actor, user, attempts) : { kind: 'nobody' };
}

async function checkOne(
  directory: CheckDirectory,
  actor: Actor,
  user: DirectoryUser,
  attempts?: AttemptReader,
): Promise<CheckResult> {
  const [facts, claimValidation] = await Promise.all([
    directory.eligibilityFacts(user),
    lastAttempt(actor, user.userPrincipalName, attempts),
  ]);
  return answer(actor, user, facts, claimValidation);
}

/** The user's last claim validation attempt, for an agent only. */
function lastAttempt(actor: Actor, upn: string | null | undefined, attempts?: AttemptReader) {
  return actor.isHelpdeskAgent && upn && attempts ? attempts.latest(upn) : undefined;
}

function answer(
  actor: Actor,
  user: DirectoryUser,
  facts: EligibilityFacts,
  claimValidation: RecoveryAttempt | undefined,
): CheckResult {
  const eligibility = checkEligibility(facts);
  metric.check(
    eligibility.verdict,
    eligibility.results.filter((r) => r.status !== 'pass').map((r) => ({ requirement: r.id, status: r.status })),
  );
  return actor.isHelpdeskAgent
    ? {
        kind: 'for-agent',
        user,
        eligibility,
        recoveryScope: facts.recoveryScope,
        readAt: facts.readAt,
        ...(claimValidation && { claimValidation }),
        privilegedRoles: facts.roleTemplateIds,
      }
    : {
        kind: 'for-colleague',
        user: { id: user.id, displayName: user.displayName },
        answer: colleagueView(eligibility),
      };
}
