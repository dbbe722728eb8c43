import { COLLECTIONS, keys } from './collections.js';
import { ConflictError, type DocumentStore } from './store.js';

/** Which outcome notices a request has had, one document each, so each is sent once across instances (app/notify-outcome.ts). */
export class StoredOutcomeNotices {
  constructor(private readonly store: DocumentStore) {}

  /** Keeps `value` as the request's `kind` notice; false when one was kept already. */
  async recordOnce(
    tenantId: string,
    requestId: string,
    kind: 'handed-over' | 'target',
    value: object,
  ): Promise<boolean> {
    try {
      await this.store.create(COLLECTIONS.outcomeNotices, keys.outcomeNotice(tenantId, requestId, kind), value);
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }
}
