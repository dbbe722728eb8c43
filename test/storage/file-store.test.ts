import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeName, FileStore, LOCK_STALE_MS } from '../../src/storage/file-store.js';
import { ConflictError, StoreUnavailableError } from '../../src/storage/store.js';
import { describeDocumentStoreContract, hostileKeys } from './contract.js';

describeDocumentStoreContract('FileStore', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-store-'));
  return {
    store: new FileStore({ dataDir }),
    reopen: () => new FileStore({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
});

/** Every file under the data directory, relative to it. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)));
}

describe('FileStore on disk', () => {
  let dataDir: string;
  let warnings: string[];
  let store: FileStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ssar-store-'));
    warnings = [];
    store = new FileStore({ dataDir, warn: (message) => warnings.push(message) });
  });

  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('one bot per data directory', () => {
    it('a second store on the same directory is refused while the first is open, with a way out', async () => {
      await store.open();
      const second = new FileStore({ dataDir });
      await expect(second.open()).rejects.toThrow(/in use by another bot.*Azure Blob store/);
      await store.close();
      await second.open();
      await second.close();
    });

    it('takes over the lock of a process that no longer runs', async () => {
      await writeFile(join(dataDir, 'bot.lock'), '2147483646');
      await store.open();
    });

    it('refuses a directory held by another live process', async () => {
      await writeFile(join(dataDir, 'bot.lock'), String(process.ppid));
      await expect(store.open()).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('refuses a live process whose heartbeat is fresh, and takes over one whose heartbeat stopped (a reused pid)', async () => {
      await writeFile(join(dataDir, 'bot.lock'), JSON.stringify({ pid: process.ppid, heartbeatAt: Date.now() }));
      await expect(store.open()).rejects.toBeInstanceOf(StoreUnavailableError);
      await writeFile(
        join(dataDir, 'bot.lock'),
        JSON.stringify({ pid: process.ppid, heartbeatAt: Date.now() - LOCK_STALE_MS - 1 }),
      );
      await store.open();
    });

    it('stamps its own lock with a heartbeat while open, and removes it on close', async () => {
      await store.open();
      const lock = JSON.parse(await readFile(join(dataDir, 'bot.lock'), 'utf8'));
      expect(lock).toEqual({ pid: process.pid, heartbeatAt: expect.any(Number) });
      await store.close();
      expect(await filesUnder(dataDir)).not.toContain('bot.lock');
    });
  });

  describe('crash safety', () => {
    it('a write leaves no temp file behind', async () => {
      const first = await store.create('requests', 'req-1', { n: 1 });
      await store.replace('requests', 'req-1', { n: 2 }, first.etag);
      expect(await filesUnder(dataDir)).toEqual([join('requests', 'req-1.json')]);
    });

    it('a leftover temp file from an interrupted write is ignored and reported once', async () => {
      await store.create('requests', 'req-1', { n: 1 });
      await writeFile(join(dataDir, 'requests', '.4f1c.tmp'), '{"version":2,"val');

      expect((await store.list('requests')).map((stored) => stored.value)).toEqual([{ n: 1 }]);
      await store.list('requests');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('.4f1c.tmp');
    });

    it('a corrupt document is skipped, reported once, and never overwritten by create', async () => {
      await mkdir(join(dataDir, 'requests'), { recursive: true });
      await writeFile(join(dataDir, 'requests', 'req-1.json'), '{"version":1,"value":{"st');
      await store.create('requests', 'req-2', { n: 2 });

      expect(await store.get('requests', 'req-1')).toBeUndefined();
      expect((await store.list('requests')).map((stored) => stored.value)).toEqual([{ n: 2 }]);
      await expect(store.create('requests', 'req-1', { n: 1 })).rejects.toBeInstanceOf(ConflictError);
      expect(warnings).toHaveLength(1);
    });

    it('a partial last log line is skipped and the next entry still starts on its own line', async () => {
      await store.append('audit', { n: 1 });
      await appendFile(join(dataDir, 'audit.jsonl'), '{"n":2,"trunc');
      await store.append('audit', { n: 3 });
      expect(await store.readLog('audit')).toEqual([{ n: 1 }, { n: 3 }]);
      expect(warnings).toHaveLength(1);
    });
  });

  describe('keys cannot escape the data directory', () => {
    it('every hostile key is stored as one file inside its collection', async () => {
      for (const key of hostileKeys) await store.create('requests', key, { key });
      const files = await filesUnder(dataDir);
      expect(files).toHaveLength(hostileKeys.length);
      for (const file of files) {
        expect(isAbsolute(file) || file.startsWith('..')).toBe(false);
        expect(file.split(/[\\/]/)).toHaveLength(2);
      }
    });

    it('hostile collection and log names stay inside too', async () => {
      await store.create('../outside', 'k', { n: 1 });
      await store.append('../../audit', { n: 1 });
      for (const file of await filesUnder(dataDir)) expect(file.startsWith('..')).toBe(false);
      expect(await readdir(join(dataDir, '..'))).not.toContain('outside');
    });

    it('keys that differ only in letter case stay separate files', () => {
      expect(encodeName('Req-1')).not.toBe(encodeName('req-1'));
      expect(encodeName('Req-1').toLowerCase()).not.toBe(encodeName('req-1'));
    });
  });
});
