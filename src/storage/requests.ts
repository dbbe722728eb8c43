import type { VerificationAudit } from '../caller-verification/audit.js';
import type { AuditEntry } from '../escalation/audit.js';
import { checkRateLimit, type Filing, RATE_WINDOW_MS, type RateLimits } from '../escalation/rate-limit.js';
import { isRefusal, type Refusal } from '../escalation/refusal.js';
import { type EscalationRecord, isClosed, type Transition } from '../escalation/state-machine.js';
import type { Logger } from '../log.js';
import { AUDIT_LOG, COLLECTIONS, keys } from './collections.js';
import {
  ConflictError,
  type DocumentStore,
  type Stored,
  type UpdateOutcome,
  updateRetryingOnConflict,
} from './store.js';

/** One agent's counter is contended by every filing of theirs at once: each lost race re-reads and tries again. */
const COUNTER_ATTEMPTS = 50;
const OPEN_INDEX_MIGRATION = 'escalations-open-index';

interface OpenEntry {
  key: string;
  createdAt: string;
}

/** Per target, the one open request (and the form it was filed from). */
export interface TargetClaim {
  requestId: string;
  formKey?: string;
  at: string;
}

const keyOf = (record: { tenantId: string; id: string }) => keys.request(record.tenantId, record.id);

/**
 * Requests for a pass as they are kept: one etag-checked record per request, an open entry per
 * request not yet closed (what the sweep walks), one claim per target with an open request, the
 * rate-limit counters, which request created each pass method, and the audit trail.
 */
export class RequestStore {
  /** Whether this store's open requests are known to all have their open entry. */
  private openIndexReady = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly log: Logger,
  ) {}

  keyOf(tenantId: string, requestId: string): string {
    return keys.request(tenantId, requestId);
  }

  formKeyOf(agentId: string, formId: string): string {
    return keys.filingForm(agentId, formId);
  }

  get(key: string): Promise<Stored<EscalationRecord> | undefined> {
    return this.store.get<EscalationRecord>(COLLECTIONS.requests, key);
  }

  /** One etag-checked step of the state machine, re-applied to the fresh record on a conflict. */
  update(
    key: string,
    step: (record: EscalationRecord) => Transition,
  ): Promise<UpdateOutcome<EscalationRecord, Refusal>> {
    return updateRetryingOnConflict<EscalationRecord, Refusal>(this.store, COLLECTIONS.requests, key, step);
  }

  /** Stores a new request; its open entry follows with `addOpenEntry`. Returns the etag to take it back with. */
  async create(record: EscalationRecord): Promise<string> {
    return (await this.store.create(COLLECTIONS.requests, keyOf(record), record)).etag;
  }

  async addOpenEntry(record: EscalationRecord): Promise<void> {
    await this.store.create<OpenEntry>(COLLECTIONS.openRequests, keyOf(record), {
      key: keyOf(record),
      createdAt: record.createdAt,
    });
  }

  /** Removes a request that was never announced (its audit line could not be written). Never throws. */
  async takeBack(record: EscalationRecord, etag: string): Promise<void> {
    await this.store.delete(COLLECTIONS.requests, keyOf(record), etag).catch(() => undefined);
    await this.store.delete(COLLECTIONS.openRequests, keyOf(record)).catch(() => undefined);
  }

  async removeOpenEntry(key: string): Promise<void> {
    await this.store.delete(COLLECTIONS.openRequests, key);
  }

  async ofTenant(tenantId: string): Promise<EscalationRecord[]> {
    return (await this.store.list<EscalationRecord>(COLLECTIONS.requests, { prefix: keys.requestsOf(tenantId) })).map(
      (stored) => stored.value,
    );
  }

  /** The keys of every request not closed yet (after the one-off migration that gave old ones their entry). */
  async openKeys(now: Date): Promise<string[]> {
    if (!this.openIndexReady) await this.backfillOpenIndex(now);
    return (await this.store.list<OpenEntry>(COLLECTIONS.openRequests)).map((entry) => entry.value.key);
  }

  /**
   * Requests filed before open ones were kept apart have no open entry: read the history once, ever
   * (a marker document says it was done), and give each request still open its entry and its claim
   * on the target.
   */
  private async backfillOpenIndex(now: Date): Promise<void> {
    if (!(await this.store.get(COLLECTIONS.migrations, OPEN_INDEX_MIGRATION))) {
      for (const { value: record } of await this.store.list<EscalationRecord>(COLLECTIONS.requests)) {
        if (isClosed(record)) continue;
        await this.createIfAbsent(COLLECTIONS.openRequests, keyOf(record), {
          key: keyOf(record),
          createdAt: record.createdAt,
        } satisfies OpenEntry);
        await this.createIfAbsent(COLLECTIONS.openTargets, keys.openTarget(record.tenantId, record.target.id), {
          requestId: record.id,
          at: record.createdAt,
        } satisfies TargetClaim);
      }
      await this.createIfAbsent(COLLECTIONS.migrations, OPEN_INDEX_MIGRATION, { at: now.toISOString() });
    }
    this.openIndexReady = true;
  }

  /**
   * Claims the request's target with a create-if-absent document, so two instances cannot both file.
   * 'claimed', or the claim that holds it now (undefined when it vanished meanwhile: try again).
   */
  async claimTarget(
    record: EscalationRecord,
    formKey: string | undefined,
  ): Promise<'claimed' | Stored<TargetClaim> | undefined> {
    const key = keys.openTarget(record.tenantId, record.target.id);
    try {
      await this.store.create<TargetClaim>(COLLECTIONS.openTargets, key, {
        requestId: record.id,
        formKey,
        at: record.createdAt,
      });
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    return this.store.get<TargetClaim>(COLLECTIONS.openTargets, key);
  }

  /** Removes a claim left behind by a crash after its request closed. */
  async clearClaim(record: EscalationRecord, claim: Stored<TargetClaim>): Promise<void> {
    const key = keys.openTarget(record.tenantId, record.target.id);
    await this.store.delete(COLLECTIONS.openTargets, key, claim.etag).catch(() => undefined);
  }

  /** Frees the target for a new request, if this request holds its claim. Never throws. */
  async releaseTarget(record: EscalationRecord): Promise<void> {
    const key = keys.openTarget(record.tenantId, record.target.id);
    const claim = await this.store.get<TargetClaim>(COLLECTIONS.openTargets, key).catch(() => undefined);
    if (claim?.value.requestId !== record.id) return;
    await this.store
      .delete(COLLECTIONS.openTargets, key, claim.etag)
      .catch((error) =>
        this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not release the target'),
      );
  }

  /** Reserves one filing in the requester's and the target's counters, atomically per counter across instances; a refusal when over a limit. */
  async reserveFiling(record: EscalationRecord, now: Date, limits: RateLimits): Promise<Refusal | undefined> {
    const filing: Filing = {
      id: record.id,
      requester: { id: record.requester.id },
      target: { id: record.target.id, name: record.target.name },
      createdAt: record.createdAt,
    };
    const who = { requesterId: record.requester.id, targetId: record.target.id };
    const byRequester = keys.filingsByRequester(record.tenantId, record.requester.id);
    const limited = await this.addToCounter(byRequester, filing, now, (filings) =>
      checkRateLimit(filings, who, now, { ...limits, perTargetPerHour: Number.POSITIVE_INFINITY }),
    );
    if (limited) return limited;
    const forTarget = await this.addToCounter(
      keys.filingsForTarget(record.tenantId, record.target.id),
      filing,
      now,
      (filings) => checkRateLimit(filings, who, now, { ...limits, perRequesterPerHour: Number.POSITIVE_INFINITY }),
    );
    if (forTarget) await this.removeFromCounter(byRequester, record.id);
    return forTarget;
  }

  /** Gives back a reservation for a request that was not filed after all. Never throws. */
  async releaseFiling(record: EscalationRecord): Promise<void> {
    await Promise.all([
      this.removeFromCounter(keys.filingsByRequester(record.tenantId, record.requester.id), record.id),
      this.removeFromCounter(keys.filingsForTarget(record.tenantId, record.target.id), record.id),
    ]).catch((error) =>
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not release a rate-limit reservation'),
    );
  }

  /** Which request created a pass method (ids only, never the code). Never throws. */
  async recordPassMethod(
    record: EscalationRecord,
    methodId: string,
    createdAt: string | null | undefined,
  ): Promise<void> {
    await this.store
      .create(COLLECTIONS.passMethods, keys.passMethod(record.tenantId, methodId), {
        requestId: record.id,
        targetId: record.target.id,
        createdAt,
      })
      .catch((error) =>
        this.log.warn(
          { requestId: record.id, err: (error as Error).name },
          'could not record which request created the pass',
        ),
      );
  }

  /** The id of the request that created this pass method, when one of ours did. */
  async passMethodOwner(tenantId: string, methodId: string): Promise<string | undefined> {
    return (await this.store.get<{ requestId: string }>(COLLECTIONS.passMethods, keys.passMethod(tenantId, methodId)))
      ?.value.requestId;
  }

  async appendAudit(entry: (AuditEntry & { traceId?: string }) | VerificationAudit): Promise<void> {
    await this.store.append(AUDIT_LOG, entry);
  }

  private async addToCounter(
    key: string,
    filing: Filing,
    now: Date,
    check: (filings: Filing[]) => { ok: true } | Refusal,
  ): Promise<Refusal | undefined> {
    for (;;) {
      const outcome = await updateRetryingOnConflict<{ filings: Filing[] }, Refusal>(
        this.store,
        COLLECTIONS.filingCounters,
        key,
        (counter) => {
          const inWindow = counter.filings.filter((f) => Date.parse(f.createdAt) > now.getTime() - RATE_WINDOW_MS);
          const limited = check(inWindow);
          return isRefusal(limited) ? { ...limited, title: 'Too many requests' } : { filings: [...inWindow, filing] };
        },
        COUNTER_ATTEMPTS,
      );
      if (outcome.outcome === 'refused') return outcome.refusal;
      if (outcome.outcome === 'updated') return undefined;
      await this.createIfAbsent(COLLECTIONS.filingCounters, key, { filings: [] });
    }
  }

  private async removeFromCounter(key: string, requestId: string): Promise<void> {
    await updateRetryingOnConflict<{ filings: Filing[] }>(
      this.store,
      COLLECTIONS.filingCounters,
      key,
      (counter) =>
        counter.filings.some((f) => f.id === requestId)
          ? { filings: counter.filings.filter((f) => f.id !== requestId) }
          : counter,
      COUNTER_ATTEMPTS,
    );
  }

  /** True for exactly one caller across every instance sharing the store: this step of waiting is theirs to do. */
  async claimNudge(record: EscalationRecord, step: 'remind' | 'widen', at: Date): Promise<boolean> {
    try {
      await this.store.create(COLLECTIONS.approvalNudges, keys.approvalNudge(record.tenantId, record.id, step), {
        requestId: record.id,
        step,
        at: at.toISOString(),
      });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  private async createIfAbsent(collection: string, key: string, value: object): Promise<void> {
    try {
      await this.store.create(collection, key, value);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
