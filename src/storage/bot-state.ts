import { createHash } from 'node:crypto';
import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import { ConflictError, type DocumentStore } from './store.js';

export const BOT_STATE = 'bot-state';
const OVERWRITE_ATTEMPTS = 5;

/**
 * botbuilder's Storage (what Teams AI keeps conversation and user state in) on the configured
 * DocumentStore, so every bot instance sees the same state. eTag semantics follow botbuilder's
 * MemoryStorage: an item written with the eTag it was read with is saved only if nobody changed it
 * since; an item with no eTag or '*' overwrites; an item that no longer exists is written anew.
 */
export class DocumentStoreBotStorage implements Storage {
  constructor(private readonly store: DocumentStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    await Promise.all(
      keys.map(async (key) => {
        const stored = await this.store.get<StoreItem>(BOT_STATE, documentKey(key));
        if (stored) items[key] = { ...stored.value, eTag: stored.etag };
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(Object.entries(changes).map(([key, item]) => this.#writeOne(documentKey(key), item as StoreItem)));
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.store.delete(BOT_STATE, documentKey(key))));
  }

  async #writeOne(key: string, item: StoreItem): Promise<void> {
    const { eTag, ...value } = item;
    if (eTag && eTag !== '*') {
      try {
        await this.store.replace(BOT_STATE, key, value, eTag);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || (await this.store.get(BOT_STATE, key)) !== undefined) throw error;
      }
      await this.store.create(BOT_STATE, key, value);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const current = await this.store.get(BOT_STATE, key);
      try {
        if (current) await this.store.replace(BOT_STATE, key, value, current.etag);
        else await this.store.create(BOT_STATE, key, value);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= OVERWRITE_ATTEMPTS) throw error;
      }
    }
  }
}

/** Teams conversation and user ids make keys longer than a store name may be; a hash fits and never collides in practice. */
const documentKey = (key: string) => createHash('sha256').update(key).digest('hex');
