import { inSpan } from '../telemetry/telemetry.js';
import type { DocumentStore } from './store.js';

/**
 * The same store with a span around each operation: which operation on which collection and how
 * long it took. Keys and values are never attributes (a key can be a person's object id).
 */
export function tracedStore(store: DocumentStore): DocumentStore {
  const traced = <T>(operation: string, collection: string | undefined, work: () => Promise<T>) =>
    inSpan(
      `store ${operation}${collection ? ` ${collection}` : ''}`,
      { 'ssar.store.operation': operation, ...(collection ? { 'ssar.store.collection': collection } : {}) },
      work,
    );
  return {
    open: () => traced('open', undefined, () => store.open()),
    get: (collection, key) => traced('get', collection, () => store.get(collection, key)),
    create: (collection, key, value) => traced('create', collection, () => store.create(collection, key, value)),
    replace: (collection, key, value, ifMatch) =>
      traced('replace', collection, () => store.replace(collection, key, value, ifMatch)),
    list: (collection, options) => traced('list', collection, () => store.list(collection, options)),
    delete: (collection, key, ifMatch) => traced('delete', collection, () => store.delete(collection, key, ifMatch)),
    append: (log, entry) => traced('append', log, () => store.append(log, entry)),
    readLog: (log, options) => traced('readLog', log, () => store.readLog(log, options)),
    close: () => store.close(),
  };
}
