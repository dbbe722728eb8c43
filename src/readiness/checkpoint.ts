import type { FactCheckpoint, StreamName, StreamPage } from '../directory/bulk-reads.js';
import { COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore } from '../storage/store.js';

/**
 * A scan's bulk pages in the document store, one document per page, written once before the next
 * page is asked for: a restarted or redeployed instance (or another one) loads them and continues
 * from the last page's nextLink instead of spending Graph's budget again. The pages hold user ids
 * with a date or method names, never names or a pass, and are deleted when the report is done.
 */
interface PageDocument {
  key: string;
  stream: StreamName;
  page: StreamPage<unknown>;
}

export function storeCheckpoint(store: DocumentStore, jobId: string): FactCheckpoint & { clear(): Promise<void> } {
  const read = () => store.list<PageDocument>(COLLECTIONS.readinessPages, { prefix: keys.readinessPagesOf(jobId) });
  return {
    async load() {
      const pages: { [S in StreamName]?: StreamPage<unknown>[] } = {};
      // Keys sort by stream, then by zero-padded page index.
      for (const { value } of await read()) (pages[value.stream] ??= []).push(value.page);
      return pages;
    },
    async save(stream, index, page) {
      const key = keys.readinessPage(jobId, stream, index);
      try {
        await store.create<PageDocument>(COLLECTIONS.readinessPages, key, { key, stream, page });
      } catch (error) {
        // The same page from the same nextLink, saved already: the first copy stands.
        if (!(error instanceof ConflictError)) throw error;
      }
    },
    async clear() {
      await Promise.all((await read()).map(({ value }) => store.delete(COLLECTIONS.readinessPages, value.key)));
    },
  };
}
