import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRefusal, type Refusal } from '../../src/escalation/refusal.js';
import { approve, beginIssuing, type EscalationRecord } from '../../src/escalation/state-machine.js';
import {
  ConflictError,
  type DocumentStore,
  StoreUnavailableError,
  updateRetryingOnConflict,
} from '../../src/storage/store.js';
import { at, eligible, patti, requested } from '../escalation/fixtures.js';

/**
 * What every DocumentStore promises, run against each implementation (the embedded file store and
 * Azure Blob Storage on Azurite), so the escalation service can rely on it whichever is configured.
 */

export interface StoreUnderTest {
  store: DocumentStore;
  /** A new client on the same data, as after a restart. */
  reopen(): DocumentStore;
  /** Removes the data (the stores are closed already). */
  cleanup(): Promise<void>;
}

export const hostileKeys = [
  '../escaped',
  '../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\x',
  '..',
  '.',
  'a/../../b',
  '%2e%2e%2fx',
  'Req-1',
  'req-1',
  'ключ',
];

export function describeDocumentStoreContract(kind: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${kind}: the document store contract`, () => {
    let subject: StoreUnderTest;
    let store: DocumentStore;
    const opened: DocumentStore[] = [];
    const reopen = () => {
      const again = subject.reopen();
      opened.push(again);
      return again;
    };

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
      opened.push(store);
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await subject.cleanup();
    });

    describe('documents', () => {
      it('creates, reads and replaces a document with etags', async () => {
        const created = await store.create('requests', 'req-1', { state: 'requested' });
        expect(await store.get('requests', 'req-1')).toEqual(created);

        const replaced = await store.replace('requests', 'req-1', { state: 'approved' }, created.etag);
        expect(replaced.etag).not.toBe(created.etag);
        expect(await store.get('requests', 'req-1')).toEqual({ value: { state: 'approved' }, etag: replaced.etag });
      });

      it('a missing document reads as undefined', async () => {
        expect(await store.get('requests', 'nope')).toBeUndefined();
      });

      it('creating a document that exists is a conflict', async () => {
        await store.create('requests', 'req-1', { n: 1 });
        await expect(store.create('requests', 'req-1', { n: 2 })).rejects.toBeInstanceOf(ConflictError);
        expect((await store.get('requests', 'req-1'))?.value).toEqual({ n: 1 });
      });

      it('replacing with a stale etag is a conflict and changes nothing', async () => {
        const first = await store.create('requests', 'req-1', { n: 1 });
        await store.replace('requests', 'req-1', { n: 2 }, first.etag);
        await expect(store.replace('requests', 'req-1', { n: 3 }, first.etag)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.get('requests', 'req-1'))?.value).toEqual({ n: 2 });
      });

      it('an etag does not come back when a value returns to an earlier state', async () => {
        const first = await store.create('requests', 'req-1', { n: 1 });
        const second = await store.replace('requests', 'req-1', { n: 2 }, first.etag);
        const third = await store.replace('requests', 'req-1', { n: 1 }, second.etag);
        expect(third.etag).not.toBe(first.etag);
      });

      it('replacing a document that was deleted is a conflict', async () => {
        const first = await store.create('requests', 'req-1', { n: 1 });
        await store.delete('requests', 'req-1');
        await expect(store.replace('requests', 'req-1', { n: 2 }, first.etag)).rejects.toBeInstanceOf(ConflictError);
      });

      it('deletes only what was read when given an etag', async () => {
        const first = await store.create('requests', 'req-1', { n: 1 });
        await store.replace('requests', 'req-1', { n: 2 }, first.etag);
        await expect(store.delete('requests', 'req-1', first.etag)).rejects.toBeInstanceOf(ConflictError);
        await store.delete('requests', 'req-1');
        expect(await store.get('requests', 'req-1')).toBeUndefined();
        await store.delete('requests', 'req-1'); // deleting nothing is fine
      });

      it('lists documents by key, with a prefix and a limit', async () => {
        for (const key of ['tenant-b/2', 'tenant-a/2', 'tenant-a/1', 'tenant-a/3'])
          await store.create('requests', key, { key });
        const all = await store.list<{ key: string }>('requests');
        expect(all.map((stored) => stored.value.key)).toEqual(['tenant-a/1', 'tenant-a/2', 'tenant-a/3', 'tenant-b/2']);
        const firstTwoOfA = await store.list<{ key: string }>('requests', { prefix: 'tenant-a/', limit: 2 });
        expect(firstTwoOfA.map((stored) => stored.value.key)).toEqual(['tenant-a/1', 'tenant-a/2']);
        expect(await store.list('nothing-here')).toEqual([]);
      });

      it('a listed document carries the etag a replace needs', async () => {
        await store.create('requests', 'req-1', { n: 1 });
        const [listed] = await store.list<{ n: number }>('requests');
        await store.replace('requests', 'req-1', { n: 2 }, listed!.etag);
        expect((await store.get('requests', 'req-1'))?.value).toEqual({ n: 2 });
      });

      it('keeps everything after a restart', async () => {
        const created = await store.create('requests', 'req-1', { state: 'requested' });
        await store.append('audit', { action: 'requested' });
        await store.close();

        const restarted = reopen();
        expect(await restarted.get('requests', 'req-1')).toEqual(created);
        expect(await restarted.readLog('audit')).toEqual([{ action: 'requested' }]);
        await restarted.replace('requests', 'req-1', { state: 'approved' }, created.etag);
      });

      it('refuses to work after close', async () => {
        await store.close();
        await expect(store.get('requests', 'req-1')).rejects.toBeInstanceOf(StoreUnavailableError);
      });
    });

    describe('names', () => {
      it('every hostile key is stored separately and reads back as itself', async () => {
        for (const key of hostileKeys) await store.create('requests', key, { key });
        for (const key of hostileKeys) expect((await store.get<{ key: string }>('requests', key))?.value.key).toBe(key);
        expect((await store.list<{ key: string }>('requests')).map((stored) => stored.value.key).sort()).toEqual(
          [...hostileKeys].sort(),
        );
      });

      it('a collection does not see another collection whose name starts the same', async () => {
        await store.create('requests', 'k', { n: 1 });
        await store.create('requests-archive', 'k', { n: 2 });
        await store.append('requests', { n: 3 });
        expect((await store.list('requests')).map((stored) => stored.value)).toEqual([{ n: 1 }]);
      });

      it('an empty key is refused', async () => {
        await expect(store.create('requests', '', {})).rejects.toThrow(/cannot be empty/);
      });
    });

    describe('audit log', () => {
      it('reads entries back in the order they were appended, newest last, with a limit', async () => {
        for (let n = 1; n <= 5; n++) await store.append('audit', { n });
        expect(await store.readLog('audit')).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
        expect(await store.readLog('audit', { limit: 2 })).toEqual([{ n: 4 }, { n: 5 }]);
        expect(await store.readLog('never-written')).toEqual([]);
      });

      it('concurrent appends each keep a whole line', async () => {
        await Promise.all(Array.from({ length: 50 }, (_, n) => store.append('audit', { n, text: 'line\nbreak' })));
        const entries = await store.readLog<{ n: number }>('audit');
        expect(entries.map((entry) => entry.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => n));
      });
    });

    describe('updating with retries on conflict', () => {
      const claimForIssuing = (record: EscalationRecord) => beginIssuing(record, at('10:33'));

      it('of 20 simultaneous claims on an approved request exactly one wins', async () => {
        const approved = approve(requested(), eligible(patti), at('10:32'));
        if (isRefusal(approved)) throw new Error(approved.message);
        await store.create('requests', approved.id, approved);

        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () =>
            updateRetryingOnConflict<EscalationRecord, Refusal>(store, 'requests', approved.id, claimForIssuing),
          ),
        );

        expect(outcomes.filter((outcome) => outcome.outcome === 'updated')).toHaveLength(1);
        const refused = outcomes.filter((outcome) => outcome.outcome === 'refused');
        expect(refused).toHaveLength(19);
        for (const outcome of refused) expect(outcome.refusal.message).toContain('the pass is being issued');
        expect((await store.get<EscalationRecord>('requests', approved.id))?.value.state).toBe('issuing');
      });

      it('a mutation that changes nothing writes nothing', async () => {
        const created = await store.create('requests', 'req-1', { n: 1 });
        const outcome = await updateRetryingOnConflict<{ n: number }>(store, 'requests', 'req-1', (current) => current);
        expect(outcome).toEqual({ outcome: 'unchanged', current: created });
      });

      it('a missing document is reported, not created', async () => {
        const outcome = await updateRetryingOnConflict<{ n: number }>(store, 'requests', 'nope', (current) => ({
          n: current.n + 1,
        }));
        expect(outcome).toEqual({ outcome: 'not-found' });
        expect(await store.get('requests', 'nope')).toBeUndefined();
      });

      it('concurrent increments all land', async () => {
        await store.create('counters', 'c', { n: 0 });
        await Promise.all(
          Array.from({ length: 10 }, () =>
            updateRetryingOnConflict<{ n: number }>(store, 'counters', 'c', (current) => ({ n: current.n + 1 }), 20),
          ),
        );
        expect((await store.get<{ n: number }>('counters', 'c'))?.value.n).toBe(10);
      });

      it('gives up with a ConflictError when every attempt loses a race', async () => {
        await store.create('counters', 'c', { n: 0 });
        let replaceCalls = 0;
        const alwaysLosing = new Proxy(store, {
          get(target, property) {
            if (property !== 'replace') return Reflect.get(target, property, target).bind(target);
            return async () => {
              replaceCalls++;
              throw new ConflictError('Someone else wrote first.');
            };
          },
        });
        const attempt = updateRetryingOnConflict<{ n: number }>(
          alwaysLosing,
          'counters',
          'c',
          (current) => ({ n: current.n + 1 }),
          3,
        );
        await expect(attempt).rejects.toBeInstanceOf(ConflictError);
        expect(replaceCalls).toBe(3);
      });
    });
  });
}
