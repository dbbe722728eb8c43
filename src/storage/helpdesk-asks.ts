import { COLLECTIONS, keys } from './collections.js';
import { ConflictError, type DocumentStore } from './store.js';

/** When a colleague last asked the helpdesk about someone, one document per colleague and person (app/ports.ts HelpdeskAsks). */
export class StoredHelpdeskAsks {
  constructor(private readonly store: DocumentStore) {}

  last(tenantId: string, askerId: string, targetId: string) {
    return this.store.get<{ at: string }>(COLLECTIONS.helpdeskAsks, keys.helpdeskAsk(tenantId, askerId, targetId));
  }

  async record(tenantId: string, askerId: string, targetId: string, at: string, etag?: string): Promise<boolean> {
    const key = keys.helpdeskAsk(tenantId, askerId, targetId);
    try {
      if (etag) await this.store.replace(COLLECTIONS.helpdeskAsks, key, { at }, etag);
      else await this.store.create(COLLECTIONS.helpdeskAsks, key, { at });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  async forget(tenantId: string, askerId: string, targetId: string): Promise<void> {
    await this.store.delete(COLLECTIONS.helpdeskAsks, keys.helpdeskAsk(tenantId, askerId, targetId));
  }
}
