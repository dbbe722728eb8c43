import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConflictError, type DocumentStore, parseJsonLines, type Stored, StoreUnavailableError } from './store.js';

/**
 * The embedded default store: no setup, survives restarts, one process at a time.
 *
 * Layout: `<dataDir>/<collection>/<key>.json` per document and `<dataDir>/<log>.jsonl` per log,
 * names encoded so no key can leave the data directory. A document is written to a temp file in
 * the same directory, fsynced, renamed over the old one and the directory fsynced, so a crash
 * leaves either the old or the new version, never a mix. Writes to one key are serialised
 * in-process, which makes the etag check a real compare-and-swap.
 */

export interface FileStoreOptions {
  dataDir: string;
  /** Told once per file about anything unreadable that was skipped. */
  warn?: (message: string) => void;
}

/** On disk; `version` grows with each replace so an etag never comes back after A → B → A. */
interface DocumentFile {
  version: number;
  value: unknown;
}

const DOCUMENT_FILE = /^(?:[a-z0-9_-]|%[0-9A-F]{2})+\.json$/;
const MAX_ENCODED_NAME = 200;

/**
 * Keeps lower-case letters, digits, '-' and '_'; everything else becomes %XX (UTF-8). No '.', '/'
 * or '\' survives, and upper case is escaped so case-insensitive file systems cannot merge keys.
 */
export function encodeName(name: string): string {
  if (name === '') throw new RangeError('Collection, key and log names cannot be empty.');
  const encoded = Array.from(Buffer.from(name, 'utf8'), (byte) => {
    const char = String.fromCharCode(byte);
    return /[a-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
  if (encoded.length > MAX_ENCODED_NAME) throw new RangeError(`The name "${name.slice(0, 40)}…" is too long to store.`);
  return encoded;
}

/** Undefined for a file name this store did not write. */
export function decodeName(encoded: string): string | undefined {
  try {
    const decoded = decodeURIComponent(encoded);
    return encodeName(decoded) === encoded ? decoded : undefined;
  } catch {
    return undefined;
  }
}

const LOCK_FILE = 'bot.lock';
/** How often an open store stamps its lock, and how old a stamp may be before its owner counts as gone. */
export const LOCK_HEARTBEAT_MS = 5_000;
export const LOCK_STALE_MS = 3 * LOCK_HEARTBEAT_MS;
/** Directories claimed by an open store in this process. */
const CLAIMED_DIRECTORIES = new Set<string>();

/** What the lock file says: the owner's pid and when it last said it was alive (older locks hold only the pid). */
interface LockContent {
  pid: number;
  heartbeatAt?: number;
}

function readLock(text: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'number' && Number.isInteger(parsed)) return { pid: parsed };
    const lock = parsed as Partial<LockContent>;
    if (typeof lock?.pid === 'number' && Number.isInteger(lock.pid))
      return typeof lock.heartbeatAt === 'number'
        ? { pid: lock.pid, heartbeatAt: lock.heartbeatAt }
        : { pid: lock.pid };
  } catch {
    // Not a lock this store wrote.
  }
  return undefined;
}

/**
 * Whether the lock's owner is still a running bot. Dead when any sign says so: its heartbeat stopped
 * (a crashed, frozen or reused pid), no process has that pid, or the process is a zombie (exited,
 * not yet reaped: `kill(pid, 0)` alone counts it as alive).
 */
function ownerIsAlive(lock: LockContent, now: number): boolean {
  if (lock.heartbeatAt !== undefined && now - lock.heartbeatAt > LOCK_STALE_MS) return false;
  try {
    process.kill(lock.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(lock.pid);
}

/** Linux only (/proc); elsewhere the heartbeat tells a dead owner within LOCK_STALE_MS. */
function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export class FileStore implements DocumentStore {
  readonly #dataDir: string;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #tempFilesInFlight = new Set<string>();
  #closed = false;
  #claimed: string | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #stamping: Promise<unknown> = Promise.resolve();

  constructor(options: FileStoreOptions) {
    this.#dataDir = options.dataDir;
    this.#warn = options.warn ?? ((message) => console.warn(message));
  }

  /**
   * Claims the data directory for this store. Compare-and-swap only holds within one store, so a
   * second bot sharing the directory could issue a second pass for one request: it is refused.
   */
  async open(): Promise<void> {
    this.#assertOpen();
    const dir = resolve(this.#dataDir);
    await guard(() => this.#ensureDirectory(dir));
    const lock = join(dir, LOCK_FILE);
    const holder = readLock(await readFile(lock, 'utf8').catch(() => ''));
    const heldElsewhere = holder !== undefined && holder.pid !== process.pid && ownerIsAlive(holder, Date.now());
    if (heldElsewhere || CLAIMED_DIRECTORIES.has(dir)) {
      throw new StoreUnavailableError(
        `The data directory ${this.#dataDir} is in use by another bot (${heldElsewhere ? `process ${holder.pid}` : 'in this process'}). ` +
          'The embedded store serves one bot at a time; several instances need the shared Azure Blob store (STORAGE_ACCOUNT_URL).',
      );
    }
    const stamp = () =>
      writeFile(lock, JSON.stringify({ pid: process.pid, heartbeatAt: Date.now() } satisfies LockContent), {
        mode: 0o600,
      });
    await guard(stamp);
    CLAIMED_DIRECTORIES.add(dir);
    this.#claimed = dir;
    // A stamp that fails (disk full) only lets the lock go stale sooner; the next one tries again.
    this.#heartbeat = setInterval(() => {
      this.#stamping = stamp().catch(() => undefined);
    }, LOCK_HEARTBEAT_MS).unref();
  }

  async get<T>(collection: string, key: string): Promise<Stored<T> | undefined> {
    this.#assertOpen();
    return this.#read<T>(this.#documentPath(collection, key));
  }

  async create<T>(collection: string, key: string, value: T): Promise<Stored<T>> {
    this.#assertOpen();
    const path = this.#documentPath(collection, key);
    return this.#serialised(path, async () => {
      // A corrupt file also blocks creation: never overwrite what we cannot read.
      if (await exists(path)) throw new ConflictError(`${collection}/${key} already exists.`);
      return this.#write(collection, path, { version: 1, value });
    });
  }

  async replace<T>(collection: string, key: string, value: T, ifMatch: string): Promise<Stored<T>> {
    this.#assertOpen();
    const path = this.#documentPath(collection, key);
    return this.#serialised(path, async () => {
      const current = await this.#readFile(path);
      if (current === undefined) throw new ConflictError(`${collection}/${key} no longer exists.`);
      if (current.etag !== ifMatch) throw new ConflictError(`${collection}/${key} changed since it was read.`);
      return this.#write(collection, path, { version: current.document.version + 1, value });
    });
  }

  async list<T>(collection: string, options: { prefix?: string; limit?: number } = {}): Promise<Stored<T>[]> {
    this.#assertOpen();
    const directory = join(this.#dataDir, encodeName(collection));
    const names = await guard(async () => {
      try {
        return await readdir(directory);
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    });

    const keys: string[] = [];
    for (const name of names) {
      const path = join(directory, name);
      const key = DOCUMENT_FILE.test(name) ? decodeName(name.slice(0, -'.json'.length)) : undefined;
      if (key === undefined) {
        if (!this.#tempFilesInFlight.has(path)) {
          this.#warnOnce(path, `Ignoring ${path}: not a document (perhaps a write interrupted by a crash).`);
        }
        continue;
      }
      if (options.prefix === undefined || key.startsWith(options.prefix)) keys.push(key);
    }
    keys.sort();

    const found: Stored<T>[] = [];
    for (const key of keys) {
      if (options.limit !== undefined && found.length >= options.limit) break;
      const stored = await this.#read<T>(this.#documentPath(collection, key));
      if (stored) found.push(stored);
    }
    return found;
  }

  async delete(collection: string, key: string, ifMatch?: string): Promise<void> {
    this.#assertOpen();
    const path = this.#documentPath(collection, key);
    await this.#serialised(path, async () => {
      if (ifMatch !== undefined) {
        const current = await this.#readFile(path);
        if (current?.etag !== ifMatch) throw new ConflictError(`${collection}/${key} changed since it was read.`);
      }
      await guard(async () => {
        await rm(path, { force: true });
        await syncDirectory(join(this.#dataDir, encodeName(collection)));
      });
    });
  }

  async append(log: string, entry: object): Promise<void> {
    this.#assertOpen();
    const path = this.#logPath(log);
    const line = `${JSON.stringify(entry)}\n`;
    await this.#serialised(path, () =>
      guard(async () => {
        await this.#ensureDirectory(this.#dataDir);
        const file = await open(path, 'a+', 0o600);
        let isNewFile = false;
        try {
          // A crash mid-append leaves a partial last line; start a fresh line so this entry stays whole.
          const { size } = await file.stat();
          isNewFile = size === 0;
          const lastByte = Buffer.alloc(1);
          if (size > 0) await file.read(lastByte, 0, 1, size - 1);
          await file.appendFile(size > 0 && lastByte[0] !== 0x0a ? `\n${line}` : line);
          await file.sync();
        } finally {
          await file.close();
        }
        if (isNewFile) await syncDirectory(this.#dataDir);
      }),
    );
  }

  async readLog<T>(log: string, options: { limit?: number } = {}): Promise<T[]> {
    this.#assertOpen();
    const path = this.#logPath(log);
    const text = await guard(async () => {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if (isMissing(error)) return '';
        throw error;
      }
    });

    const entries = parseJsonLines<T>(text, (line) => {
      const where = `line ${line} of ${path}`;
      this.#warnOnce(where, `Ignoring unreadable ${where} (perhaps an append interrupted by a crash).`);
    });
    return options.limit === undefined ? entries : entries.slice(Math.max(0, entries.length - options.limit));
  }

  /** Waits for writes in flight; afterwards every call throws StoreUnavailableError. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#queues.values()]);
    clearInterval(this.#heartbeat);
    // A stamp still being written would bring the lock file back after it is removed.
    await this.#stamping;
    if (this.#claimed) {
      CLAIMED_DIRECTORIES.delete(this.#claimed);
      await rm(join(this.#claimed, LOCK_FILE), { force: true });
      this.#claimed = undefined;
    }
  }

  #documentPath(collection: string, key: string): string {
    return join(this.#dataDir, encodeName(collection), `${encodeName(key)}.json`);
  }

  #logPath(log: string): string {
    return join(this.#dataDir, `${encodeName(log)}.jsonl`);
  }

  async #read<T>(path: string): Promise<Stored<T> | undefined> {
    const current = await this.#readFile(path);
    return current && { value: current.document.value as T, etag: current.etag };
  }

  async #readFile(path: string): Promise<{ document: DocumentFile; etag: string } | undefined> {
    const bytes = await guard(async () => {
      try {
        return await readFile(path);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
    if (bytes === undefined) return undefined;
    try {
      const document = JSON.parse(bytes.toString('utf8')) as DocumentFile;
      if (
        typeof document !== 'object' ||
        document === null ||
        !Number.isInteger(document.version) ||
        !('value' in document)
      ) {
        throw new Error('not a document');
      }
      return { document, etag: etagOf(bytes) };
    } catch {
      this.#warnOnce(path, `Ignoring ${path}: the file is unreadable or incomplete.`);
      return undefined;
    }
  }

  async #write<T>(collection: string, path: string, document: { version: number; value: T }): Promise<Stored<T>> {
    const directory = join(this.#dataDir, encodeName(collection));
    const json = JSON.stringify(document);
    const bytes = Buffer.from(json, 'utf8');
    await guard(async () => {
      await this.#ensureDirectory(directory);
      const temp = join(directory, `.${randomUUID()}.tmp`);
      this.#tempFilesInFlight.add(temp);
      try {
        const file = await open(temp, 'wx', 0o600);
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw error;
      } finally {
        this.#tempFilesInFlight.delete(temp);
      }
      await syncDirectory(directory);
    });
    // What a later get would return, not the caller's (still mutable) object.
    return { value: (JSON.parse(json) as { value: T }).value, etag: etagOf(bytes) };
  }

  /** A directory this store creates is itself made durable, or a crash could lose it with its first file. */
  async #ensureDirectory(directory: string): Promise<void> {
    const firstCreated = await mkdir(directory, { recursive: true, mode: 0o700 });
    if (firstCreated === undefined) return;
    for (let created = directory; ; created = dirname(created)) {
      await syncDirectory(dirname(created));
      if (created === firstCreated) break;
    }
  }

  /** Runs `work` after every earlier operation on the same file has finished. */
  async #serialised<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.#queues.set(path, settled);
    try {
      return await run;
    } finally {
      if (this.#queues.get(path) === settled) this.#queues.delete(path);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreUnavailableError('The store is closed.');
  }

  #warnOnce(id: string, message: string): void {
    if (this.#warned.has(id)) return;
    this.#warned.add(id);
    this.#warn(message);
  }
}

const etagOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64url').slice(0, 22);

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

async function exists(path: string): Promise<boolean> {
  return guard(async () => {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  });
}

/** Makes a rename or unlink durable. Some platforms cannot open or fsync a directory; they skip it. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** File-system failures reach callers as StoreUnavailableError, with the original as `cause`. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConflictError || error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`Storage failed: ${(error as Error).message}`, { cause: error });
  }
}
