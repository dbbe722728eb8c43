import {
  type CallerVerificationView,
  type VerificationSession,
  verificationRequired,
} from '../caller-verification/session.js';
import type { VerificationConfig } from '../config.js';
import type { EscalationRecord } from '../escalation/state-machine.js';
import { COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore, type RefusalLike, updateRetryingOnConflict } from '../storage/store.js';

/** Verification sessions in the document store: one document per session, etag-checked like requests. */
export class VerificationSessions {
  constructor(
    private readonly store: DocumentStore,
    private readonly config: VerificationConfig,
  ) {}

  get enabled(): boolean {
    return this.config.policy !== 'off';
  }

  async get(id: string): Promise<VerificationSession | undefined> {
    // A short link id ("k7m2-x9qd", src/caller-verification/secrets.ts) or one from before short links.
    if (!/^[\w-]{9,64}$/.test(id)) return undefined;
    return (await this.store.get<VerificationSession>(COLLECTIONS.verificationSessions, id))?.value;
  }

  async create(session: VerificationSession): Promise<void> {
    await this.store.create(COLLECTIONS.verificationSessions, session.id, session);
    const key = keys.verificationByRequest(session.tenantId, session.requestId);
    for (;;) {
      const outcome = await updateRetryingOnConflict<{ sessionId: string }>(
        this.store,
        COLLECTIONS.verificationByRequest,
        key,
        () => ({ sessionId: session.id }),
      );
      if (outcome.outcome !== 'not-found') return;
      try {
        await this.store.create(COLLECTIONS.verificationByRequest, key, { sessionId: session.id });
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  /** One etag-checked change; the mutation may refuse (returning a refusal) or leave the session as it is (returning it unchanged). */
  update<R extends RefusalLike>(id: string, mutate: (session: VerificationSession) => VerificationSession | R) {
    return updateRetryingOnConflict<VerificationSession, R>(this.store, COLLECTIONS.verificationSessions, id, mutate);
  }

  async latestFor(tenantId: string, requestId: string): Promise<VerificationSession | undefined> {
    const pointer = await this.store.get<{ sessionId: string }>(
      COLLECTIONS.verificationByRequest,
      keys.verificationByRequest(tenantId, requestId),
    );
    return pointer ? this.get(pointer.value.sessionId) : undefined;
  }

  async factsFor(record: EscalationRecord): Promise<CallerVerificationView> {
    const policy = this.config.policy;
    const required = verificationRequired(policy, record.privileged);
    if (policy === 'off') return { policy, required, passed: false, directDelivery: false };
    const session = await this.latestFor(record.tenantId, record.id);
    const passed = session?.status === 'verified';
    return {
      policy,
      required,
      passed,
      offered: true,
      failed: session?.status === 'failed',
      directDelivery: passed && this.config.passDelivery === 'verified-person',
      ...(session
        ? {
            status: session.status,
            evidence: session.evidence,
            failure: session.failure,
            passDeliveredAt: session.passDeliveredAt,
            sessionExpiresAt: session.expiresAt,
          }
        : {}),
    };
  }
}
