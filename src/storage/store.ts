/**
 * Document storage with optimistic concurrency, shaped so a shared cloud store (Azure Blob or
 * Tables with ETags) can replace the embedded file store without changing callers.
 */

export interface Stored<T> {
  value: T;
  /** Opaque version tag; pass it back as `ifMatch` to update only what you read. */
  etag: string;
}

export interface DocumentStore {
  /** The start-up check: the store answers and is ready for this process. */
  open(): Promise<void>;
  get<T>(collection: string, key: string): Promise<Stored<T> | undefined>;
  /** Throws ConflictError if the document already exists. */
  create<T>(collection: string, key: string, value: T): Promise<Stored<T>>;
  /** Throws ConflictError when the document changed (or vanished) since `ifMatch` was read. */
  replace<T>(collection: string, key: string, value: T, ifMatch: string): Promise<Stored<T>>;
  /** Sorted by key. */
  list<T>(collection: string, options?: { prefix?: string; limit?: number }): Promise<Stored<T>[]>;
  /** Without `ifMatch`, deleting a missing document does nothing. */
  delete(collection: string, key: string, ifMatch?: string): Promise<void>;
  /** Append-only log, such as the audit trail. */
  append(log: string, entry: object): Promise<void>;
  /** The newest `limit` entries, oldest first (newest last). */
  readLog<T>(log: string, options?: { limit?: number }): Promise<T[]>;
  close(): Promise<void>;
}

/** The document exists already, or changed since it was read (HTTP 409/412 in a cloud store). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The store cannot be reached or written (disk full, permissions, network, closed). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** What a mutation may return instead of a new value to say "no": the escalation Refusal fits. */
export interface RefusalLike {
  refused: true;
}

export type UpdateOutcome<T, R extends RefusalLike> =
  | { outcome: 'updated'; before: T; after: Stored<T> }
  /** The mutation returned the very object it was given: nothing was written. */
  | { outcome: 'unchanged'; current: Stored<T> }
  | { outcome: 'refused'; refusal: R; current: Stored<T> }
  | { outcome: 'not-found' };

export const DEFAULT_UPDATE_ATTEMPTS = 5;

/**
 * Read, mutate, replace-if-unchanged; on a conflict read again and re-apply the mutation to the
 * fresh value. The mutation must be pure: it may run several times. Throws the last ConflictError
 * when every attempt lost a race.
 */
export async function updateRetryingOnConflict<T, R extends RefusalLike = never>(
  store: DocumentStore,
  collection: string,
  key: string,
  mutate: (current: T) => T | R,
  attempts = DEFAULT_UPDATE_ATTEMPTS,
): Promise<UpdateOutcome<T, R>> {
  let lastConflict: ConflictError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.get<T>(collection, key);
    if (current === undefined) return { outcome: 'not-found' };
    const next = mutate(current.value);
    if (isRefusalLike(next)) return { outcome: 'refused', refusal: next, current };
    if (next === current.value) return { outcome: 'unchanged', current };
    try {
      const after = await store.replace(collection, key, next, current.etag);
      return { outcome: 'updated', before: current.value, after };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      lastConflict = error;
    }
  }
  throw lastConflict ?? new ConflictError(`No attempt was made to update ${collection}/${key}.`);
}

function isRefusalLike(value: unknown): value is RefusalLike {
  return typeof value === 'object' && value !== null && (value as { refused?: unknown }).refused === true;
}

/** Entries of an append-only JSON Lines log; an unreadable line (a torn append) is skipped and reported. */
export function parseJsonLines<T>(text: string, onUnreadable: (lineNumber: number) => void): T[] {
  const entries: T[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      entries.push(JSON.parse(line) as T);
    } catch {
      onUnreadable(index + 1);
    }
  });
  return entries;
}
