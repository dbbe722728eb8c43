import { AUDIT_LOG, COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';
import type { AttemptCause } from './decide.js';

/**
 * Every claim validation callout the bot answered, kept so the helpdesk sees it (`check`, diagnosis,
 * the feed) and so a retried callout gets the same answer. A record carries claim NAMES only: never
 * a value that was presented or is on file.
 */
export interface RecoveryAttempt {
  correlationId: string;
  at: string;
  tenantId: string;
  userPrincipalName: string;
  outcome: 'pass' | 'failed';
  failedClaims: string[];
  cause: AttemptCause;
  reason: string;
}

const keyOf = keys.recoveryAttempt;

export class RecoveryAttempts {
  constructor(private readonly store: DocumentStore) {}

  /**
   * Keeps the attempt and writes its audit line; when another instance (or an earlier try) already
   * answered this callout, returns that attempt instead, so both give Entra the same answer.
   */
  async record(attempt: RecoveryAttempt): Promise<{ attempt: RecoveryAttempt; first: boolean }> {
    const key = keyOf(attempt.userPrincipalName, attempt.correlationId);
    try {
      await this.store.create(COLLECTIONS.recoveryAttempts, key, attempt);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const earlier = await this.store.get<RecoveryAttempt>(COLLECTIONS.recoveryAttempts, key);
      if (earlier) return { attempt: earlier.value, first: false };
      throw error;
    }
    await this.store.append(AUDIT_LOG, {
      at: attempt.at,
      action: 'recovery-attempt',
      tenantId: attempt.tenantId,
      correlationId: attempt.correlationId,
      target: { name: attempt.userPrincipalName },
      outcome: attempt.outcome,
      failedClaims: attempt.failedClaims,
      detail: attempt.reason,
    });
    return { attempt, first: true };
  }

  /** The user's newest attempt, or undefined. */
  async latest(userPrincipalName: string): Promise<RecoveryAttempt | undefined> {
    const all = await this.store.list<RecoveryAttempt>(COLLECTIONS.recoveryAttempts, {
      prefix: keys.recoveryAttemptsOf(userPrincipalName),
    });
    return all.map((stored) => stored.value).sort((a, b) => b.at.localeCompare(a.at))[0];
  }
}
