import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, RestError, type StoragePipelineOptions } from '@azure/storage-blob';
import { decodeName, encodeName } from './file-store.js';
import { ConflictError, type DocumentStore, parseJsonLines, type Stored, StoreUnavailableError } from './store.js';

/**
 * The shared store for several bot instances, on Azure Blob Storage.
 *
 * Why Blob rather than Tables: every blob carries an ETag that the service checks on a conditional
 * write (If-None-Match: * to create, If-Match to replace), which is exactly the compare-and-swap
 * the escalation service relies on; append blobs give the audit trail an atomic, service-side
 * append that any number of instances can share; one container holds everything; and a document
 * may be any size (Tables caps an entity at 1 MB and a property at 64 KB, and would need the JSON
 * split over columns). Tables would work too, but would add those limits for no gain here.
 *
 * Layout in the container: `<collection>/<key>.json` per document (block blobs) and
 * `<log>.log/<yyyy-mm-dd>.jsonl` per log and UTC day (append blobs: one has room for 50,000
 * appends, so a log is split by day). Names are encoded as in the file store, so they read back
 * exactly and no key can reach another collection.
 */

export type BlobStoreTarget =
  | { container: string; connectionString: string }
  | { container: string; accountUrl: string; credential: TokenCredential };

export interface BlobStoreOptions {
  target: BlobStoreTarget;
  /** Told once per blob about anything unreadable that was skipped. */
  warn?: (message: string) => void;
}

/** A turn must not wait minutes for an unreachable store: a few quick tries, then the outage card. */
const PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, tryTimeoutInMs: 5_000, retryDelayInMs: 100, maxRetryDelayInMs: 1_000 },
};
const READ_CONCURRENCY = 16;

export class BlobStore implements DocumentStore {
  readonly #container: ContainerClient;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: BlobStoreOptions) {
    const { target } = options;
    const service =
      'connectionString' in target
        ? BlobServiceClient.fromConnectionString(target.connectionString, PIPELINE)
        : new BlobServiceClient(target.accountUrl, target.credential, PIPELINE);
    this.#container = service.getContainerClient(target.container);
    this.#warn = options.warn ?? ((message) => console.warn(message));
  }

  /** The start-up check: the account answers and the container exists (created when missing). */
  async open(): Promise<void> {
    await this.#run('opening the container', () => this.#container.createIfNotExists());
  }

  async get<T>(collection: string, key: string): Promise<Stored<T> | undefined> {
    const name = documentName(collection, key);
    return this.#run('reading a document', async () => {
      try {
        const response = await this.#container.getBlockBlobClient(name).download();
        const text = await streamToString(response.readableStreamBody);
        try {
          return { value: JSON.parse(text) as T, etag: response.etag! };
        } catch {
          this.#warnOnce(name, `Ignoring blob ${name}: it is not a JSON document.`);
          return undefined;
        }
      } catch (error) {
        if (statusOf(error) === 404 && codeOf(error) === 'BlobNotFound') return undefined;
        throw error;
      }
    });
  }

  async create<T>(collection: string, key: string, value: T): Promise<Stored<T>> {
    const name = documentName(collection, key);
    return this.#run('saving a document', async () => {
      try {
        return await this.#upload(name, value, { ifNoneMatch: '*' });
      } catch (error) {
        if (statusOf(error) === 412 || codeOf(error) === 'BlobAlreadyExists')
          throw new ConflictError(`${collection}/${key} already exists.`);
        throw error;
      }
    });
  }

  async replace<T>(collection: string, key: string, value: T, ifMatch: string): Promise<Stored<T>> {
    const name = documentName(collection, key);
    return this.#run('saving a document', async () => {
      try {
        return await this.#upload(name, value, { ifMatch });
      } catch (error) {
        if (isChangedOrGone(error))
          throw new ConflictError(`${collection}/${key} changed or vanished since it was read.`);
        throw error;
      }
    });
  }

  async list<T>(collection: string, options: { prefix?: string; limit?: number } = {}): Promise<Stored<T>[]> {
    const folder = `${encodeName(collection)}/`;
    const prefix = folder + (options.prefix ? encodeName(options.prefix) : '');
    const keys = await this.#run('listing documents', async () => {
      const found: string[] = [];
      for await (const blob of this.#container.listBlobsFlat({ prefix })) {
        const encoded = blob.name.slice(folder.length);
        const key = encoded.endsWith('.json') ? decodeName(encoded.slice(0, -'.json'.length)) : undefined;
        if (key === undefined)
          this.#warnOnce(blob.name, `Ignoring blob ${blob.name}: not a document this store wrote.`);
        else found.push(key);
      }
      return found;
    });
    // Blob order is by encoded name; callers expect key order, as the file store gives.
    keys.sort();
    const wanted = options.limit === undefined ? keys : keys.slice(0, options.limit);
    const found: Stored<T>[] = [];
    for (let start = 0; start < wanted.length; start += READ_CONCURRENCY) {
      const batch = await Promise.all(
        wanted.slice(start, start + READ_CONCURRENCY).map((key) => this.get<T>(collection, key)),
      );
      // A document deleted between the listing and the read is simply gone.
      for (const stored of batch) if (stored) found.push(stored);
    }
    return found;
  }

  async delete(collection: string, key: string, ifMatch?: string): Promise<void> {
    const blob = this.#container.getBlockBlobClient(documentName(collection, key));
    await this.#run('deleting a document', async () => {
      if (ifMatch === undefined) {
        await blob.deleteIfExists();
        return;
      }
      try {
        await blob.delete({ conditions: { ifMatch } });
      } catch (error) {
        if (isChangedOrGone(error)) throw new ConflictError(`${collection}/${key} changed since it was read.`);
        throw error;
      }
    });
  }

  async append(log: string, entry: object): Promise<void> {
    // Each entry is one block: the service appends it whole, whoever else appends at the same time.
    const line = `${JSON.stringify(entry)}\n`;
    const blob = this.#container.getAppendBlobClient(`${logFolder(log)}${new Date().toISOString().slice(0, 10)}.jsonl`);
    await this.#run('appending to the audit trail', async () => {
      try {
        await blob.appendBlock(line, Buffer.byteLength(line));
      } catch (error) {
        if (codeOf(error) !== 'BlobNotFound') throw error;
        // The day's first entry; another instance may create the blob at the same moment.
        await blob.createIfNotExists();
        await blob.appendBlock(line, Buffer.byteLength(line));
      }
    });
  }

  async readLog<T>(log: string, options: { limit?: number } = {}): Promise<T[]> {
    const folder = logFolder(log);
    return this.#run('reading the audit trail', async () => {
      const days: string[] = [];
      for await (const blob of this.#container.listBlobsFlat({ prefix: folder })) days.push(blob.name);
      days.sort();
      // Newest day first, until there are enough entries.
      const newestLast: T[][] = [];
      let count = 0;
      for (const name of days.reverse()) {
        if (options.limit !== undefined && count >= options.limit) break;
        const response = await this.#container.getAppendBlobClient(name).download();
        const entries = this.#parseLines<T>(name, await streamToString(response.readableStreamBody));
        newestLast.unshift(entries);
        count += entries.length;
      }
      const entries = newestLast.flat();
      return options.limit === undefined ? entries : entries.slice(Math.max(0, entries.length - options.limit));
    });
  }

  /** Waits for calls in flight; afterwards every call throws StoreUnavailableError. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #upload<T>(name: string, value: T, conditions: { ifMatch?: string; ifNoneMatch?: string }): Promise<Stored<T>> {
    const json = JSON.stringify(value);
    const response = await this.#container.getBlockBlobClient(name).upload(json, Buffer.byteLength(json), {
      conditions,
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    // What a later get would return, not the caller's (still mutable) object.
    return { value: JSON.parse(json) as T, etag: response.etag! };
  }

  #parseLines<T>(name: string, text: string): T[] {
    return parseJsonLines<T>(text, (line) =>
      this.#warnOnce(`${name}:${line}`, `Ignoring unreadable line ${line} of blob ${name}.`),
    );
  }

  /** Runs one storage call, tracked for close; anything but a conflict reaches callers as StoreUnavailableError. */
  async #run<T>(doing: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError('The store is closed.');
    const running = work();
    this.#inFlight.add(running);
    try {
      return await running;
    } catch (error) {
      if (error instanceof ConflictError || error instanceof StoreUnavailableError) throw error;
      throw unavailable(error, doing);
    } finally {
      this.#inFlight.delete(running);
    }
  }

  #warnOnce(id: string, message: string): void {
    if (this.#warned.has(id)) return;
    this.#warned.add(id);
    this.#warn(message);
  }
}

const documentName = (collection: string, key: string) => `${encodeName(collection)}/${encodeName(key)}.json`;
// '.' never survives encodeName, so a log folder cannot be a collection's.
const logFolder = (log: string) => `${encodeName(log)}.log/`;

const statusOf = (error: unknown): number | undefined => (error instanceof RestError ? error.statusCode : undefined);
const codeOf = (error: unknown): string | undefined => (error instanceof RestError ? error.code : undefined);
const isChangedOrGone = (error: unknown) => statusOf(error) === 412 || codeOf(error) === 'BlobNotFound';

/**
 * A one-line reason built from the status and the service's error code only: the SDK's own
 * message and its attached request could carry the account URL with a SAS token.
 */
function unavailable(error: unknown, doing: string): StoreUnavailableError {
  const status = statusOf(error);
  const rawCode =
    codeOf(error) ?? (error as { code?: unknown } | undefined)?.code ?? (error as Error | undefined)?.name;
  const code = typeof rawCode === 'string' && /^[\w.-]{1,64}$/.test(rawCode) ? rawCode : undefined;
  let reason: string;
  if (status === undefined) reason = `could not be reached${code ? ` (${code})` : ''}`;
  else if (status === 401 || status === 403) {
    reason = `refused access (${status}${code ? ` ${code}` : ''}): check the account key, or that the bot's identity has "Storage Blob Data Contributor" on the account`;
  } else if (code === 'ContainerNotFound') reason = 'has no such container (it was deleted after start-up)';
  else reason = `answered ${status}${code ? ` ${code}` : ''}`;
  return new StoreUnavailableError(`Azure Storage ${reason}, while ${doing}.`);
}

async function streamToString(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
