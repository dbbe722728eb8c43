import type { RecoveringUser } from '../directory/recovering-user.js';
import { unknownFact } from '../eligibility/facts.js';
import { errorSummary, type Logger } from '../log.js';
import type { RecoveryAttempt, RecoveryAttempts } from './attempts.js';
import type { Callout } from './callout.js';
import type { MatchLevel } from './claims.js';
import type { ClaimsSource } from './claims-source.js';
import { decide } from './decide.js';

export interface ClaimValidationDeps {
  source: ClaimsSource;
  attempts: RecoveryAttempts;
  readUser: (
    who: { userPrincipalName: string; userId?: string },
    options: { roles: boolean },
  ) => Promise<RecoveringUser>;
  requiredClaims: string[];
  privileged: 'refuse' | 'allow';
  /** The identity verification profile's match level for first and last name. */
  matchLevel: () => Promise<MatchLevel>;
  log: Logger;
  now?: () => Date;
  /** Told of each attempt once, when it is first recorded (the helpdesk's feed). */
  onAttempt?: (attempt: RecoveryAttempt) => void;
}

/**
 * The use case behind POST /api/recovery/claim-validation: read the record's verdict and the user's
 * roles side by side, decide, record the attempt. A callout Entra retries (same correlation id and
 * user) is answered with the first answer, whether it is still being decided here or was recorded
 * (by this instance or another).
 */
export class ClaimValidation {
  private readonly inFlight = new Map<string, Promise<RecoveryAttempt>>();

  constructor(private readonly deps: ClaimValidationDeps) {}

  answer(callout: Callout): Promise<RecoveryAttempt> {
    const key = `${callout.userPrincipalName.toLowerCase()}/${callout.correlationId}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const answer = this.decideOnce(callout).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, answer);
    return answer;
  }

  private async decideOnce(callout: Callout): Promise<RecoveryAttempt> {
    const { deps } = this;
    // No read first: a retry of a callout already answered finds the earlier attempt when recording
    // (the store refuses a second one), and that earlier answer is what it gets.
    const roles = deps.privileged === 'refuse';
    const [verdict, directory] = await Promise.all([
      deps.matchLevel().then((matchLevel) =>
        deps.source.check(callout.userPrincipalName, callout.presented, {
          requiredClaims: deps.requiredClaims,
          matchLevel,
        }),
      ),
      // With privileged users allowed, Entra's word that this user is recovering is enough.
      roles
        ? deps.readUser(callout, { roles }).catch(
            (error): RecoveringUser => ({
              user: { userPrincipalName: callout.userPrincipalName },
              privilegedRoles: unknownFact(`Microsoft Graph failed (${errorSummary(error).name ?? 'error'})`),
            }),
          )
        : Promise.resolve<RecoveringUser>({ user: { userPrincipalName: callout.userPrincipalName } }),
    ]);
    const decision = decide({
      verdict,
      userFound: directory.user !== undefined,
      privilegedRoles: directory.privilegedRoles,
    });
    const { attempt, first } = await deps.attempts.record({
      correlationId: callout.correlationId,
      at: (deps.now?.() ?? new Date()).toISOString(),
      tenantId: callout.tenantId,
      userPrincipalName: callout.userPrincipalName.toLowerCase(),
      ...decision,
    });
    if (first) {
      deps.log.info(
        {
          correlationId: attempt.correlationId,
          user: attempt.userPrincipalName,
          outcome: attempt.outcome,
          failedClaims: attempt.failedClaims,
          cause: attempt.cause,
        },
        `claim validation: ${attempt.outcome} (${attempt.reason})`,
      );
      deps.onAttempt?.(attempt);
    }
    return attempt;
  }
}
