import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { isRefusal, type Refusal } from '../../src/escalation/refusal.js';
import { approve, beginIssuing, type EscalationRecord } from '../../src/escalation/state-machine.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import { StoreUnavailableError, updateRetryingOnConflict } from '../../src/storage/store.js';
import { azuriteConnectionString } from '../azurite-setup.js';
import { at, eligible, patti, requested } from '../escalation/fixtures.js';
import { describeDocumentStoreContract } from './contract.js';

const { connectionString } = inject('azurite');
const service = BlobServiceClient.fromConnectionString(connectionString);
const freshContainer = () => `test-${randomUUID()}`;
const blobStore = (container: string, warn?: (message: string) => void) =>
  new BlobStore({ target: { connectionString, container }, warn });

describeDocumentStoreContract('BlobStore on Azurite', async () => {
  const container = freshContainer();
  const store = blobStore(container);
  await store.open();
  return {
    store,
    reopen: () => blobStore(container),
    cleanup: async () => void (await service.getContainerClient(container).deleteIfExists()),
  };
});

describe('BlobStore on Azurite', () => {
  const containers: string[] = [];
  const stores: BlobStore[] = [];
  const open = async (container = freshContainer()) => {
    containers.push(container);
    const store = blobStore(container);
    stores.push(store);
    await store.open();
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(containers.splice(0).map((name) => service.getContainerClient(name).deleteIfExists()));
  });

  it('creates its container at start-up, and opening it again is fine', async () => {
    const container = freshContainer();
    await open(container);
    expect(await service.getContainerClient(container).exists()).toBe(true);
    await open(container);
  });

  it('of 20 simultaneous claims made through two instances exactly one wins', async () => {
    const instanceA = await open();
    const instanceB = await open(containers[0]);
    const approved = approve(requested(), eligible(patti), at('10:32'));
    if (isRefusal(approved)) throw new Error(approved.message);
    await instanceA.create('escalations', approved.id, approved);

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        updateRetryingOnConflict<EscalationRecord, Refusal>(
          i % 2 ? instanceA : instanceB,
          'escalations',
          approved.id,
          (r) => beginIssuing(r, at('10:33')),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.outcome === 'updated')).toHaveLength(1);
    expect((await instanceB.get<EscalationRecord>('escalations', approved.id))?.value.state).toBe('issuing');
  });

  it('keeps documents as JSON blobs named by collection and key, and the audit trail as append blobs', async () => {
    const store = await open();
    await store.create('escalations', 'tenant:req-1', { n: 1 });
    await store.append('audit', { n: 1 });
    const names: { name: string; type?: string }[] = [];
    for await (const blob of service.getContainerClient(containers[0]!).listBlobsFlat())
      names.push({ name: blob.name, type: blob.properties.blobType });
    expect(names).toEqual([
      { name: expect.stringMatching(/^audit\.log\/\d{4}-\d\d-\d\d\.jsonl$/), type: 'AppendBlob' },
      { name: 'escalations/tenant%3Areq-1.json', type: 'BlockBlob' },
    ]);
  });

  it('a blob it did not write is skipped and reported once', async () => {
    const warnings: string[] = [];
    const container = freshContainer();
    containers.push(container);
    const store = blobStore(container, (message) => warnings.push(message));
    stores.push(store);
    await store.open();
    await store.create('requests', 'good', { n: 1 });
    await service.getContainerClient(container).getBlockBlobClient('requests/bad.json').upload('{"trunc', 7);
    await service.getContainerClient(container).getBlockBlobClient('requests/README.txt').upload('hello', 5);
    expect((await store.list('requests')).map((stored) => stored.value)).toEqual([{ n: 1 }]);
    await store.list('requests');
    expect(warnings).toHaveLength(2);
  });
});

describe('an unreachable Azure store', () => {
  let dead: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (dead ? dead.close(() => resolve()) : resolve())));

  /** A loopback port where nothing listens any more. */
  async function closedPort(): Promise<number> {
    dead = createServer();
    await new Promise<void>((resolve) => dead!.listen(0, '127.0.0.1', () => resolve()));
    const { port } = dead.address() as { port: number };
    await new Promise<void>((resolve) => dead!.close(() => resolve()));
    dead = undefined;
    return port;
  }

  it('fails quickly with StoreUnavailableError, one line, and never the key', async () => {
    const unreachable = azuriteConnectionString(`http://127.0.0.1:${await closedPort()}`);
    const store = new BlobStore({ target: { connectionString: unreachable, container: 'ssar-helpdesk' } });
    const started = Date.now();
    const failure = await store.open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    const message = (failure as Error).message;
    expect(message).toMatch(/^Azure Storage could not be reached \(ECONNREFUSED\), while opening the container\.$/);
    expect(message).not.toContain('AccountKey');
    expect(JSON.stringify(failure)).not.toContain('Eby8');
    expect((failure as Error).cause).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(store.get('escalations', 'x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });

  it('a wrong account key is named as a refusal, without the key', async () => {
    const wrongKey = connectionString.replace(
      /AccountKey=[^;]+/,
      `AccountKey=${Buffer.from('not the key').toString('base64')}`,
    );
    const store = new BlobStore({ target: { connectionString: wrongKey, container: 'ssar-helpdesk' } });
    const failure = await store.open().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(/^Azure Storage refused access \(403 AuthorizationFailure\)/);
    expect((failure as Error).message).not.toContain(Buffer.from('not the key').toString('base64'));
    await store.close();
  });
});
