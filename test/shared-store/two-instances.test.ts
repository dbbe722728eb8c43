import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { BlobStore } from '../../src/storage/blob-store.js';
import { azuriteConnectionString } from '../azurite-setup.js';
import { act, cast, fileRequest, openApp, passesIn, personalChatId } from '../escalation-bot/helpers.js';
import { cardOf, cardText, type Harness, startHarness } from '../harness.js';
import { filesUnder, findLeaks } from '../leaks.js';
import { runBotProcess, startBotProcess, storageLink, swallowPassCreation } from './helpers.js';

const azurite = inject('azurite');
const service = BlobServiceClient.fromConnectionString(azurite.connectionString);

/** Scenarios that start a bot in a process of its own wait for it to load (several seconds on a busy machine). */
const PROCESS_TIMEOUT = { timeout: 60_000 };

/** A container of its own per scenario, so scenarios never see each other's requests. */
function sharedStoreEnv(connectionString = azurite.connectionString) {
  return { STORAGE_CONNECTION_STRING: connectionString, STORAGE_CONTAINER: `shared-${randomUUID()}` };
}

async function auditOf(
  env: { STORAGE_CONNECTION_STRING: string; STORAGE_CONTAINER: string },
  requestId: string,
): Promise<string[]> {
  const store = new BlobStore({
    target: { connectionString: env.STORAGE_CONNECTION_STRING, container: env.STORAGE_CONTAINER },
  });
  const entries = await store.readLog<AuditEntry>('audit');
  await store.close();
  return entries.filter((entry) => entry.requestId === requestId).map((entry) => entry.action);
}

const tapMethodsOf = async (harness: Harness, userId: string) =>
  (await (await fetch(`${harness.graph.baseUrl}/users/${userId}/authentication/temporaryAccessPassMethods`)).json())
    .value as unknown[];

describe('two bot instances sharing one Azure store', () => {
  const env = sharedStoreEnv();
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startHarness({ env });
    b = await startHarness({ shareWith: a });
    // Each person opens the app on whichever instance the load balancer picked.
    await openApp(a, cast.helen, cast.lee);
    await openApp(b, cast.megan, cast.patti);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await service.getContainerClient(env.STORAGE_CONTAINER).deleteIfExists();
  });

  it('run on different ports', () => {
    expect(a.bot.port).not.toBe(b.bot.port);
  });

  it('a request filed on instance A is approved on instance B, and the pass reaches the agent once', async () => {
    const { requestId, text } = await fileRequest(a, cast.helen, cast.adele);
    // Approvers who opened the app on either instance are all reachable.
    expect(text).toMatch(/Sent for approval to (?=.*Megan Bowen)(?=.*Lee Gu)(?=.*Patti Fernandez)/);
    const approved = await act(b, cast.megan, 'escalation.approve', { requestId });
    expect(approved.text).toContain('Pass issued');
    expect(a.graph.issuedTaps().map((tap) => tap.userId)).toEqual([cast.adele.aadObjectId]);
    expect(passesIn(a, personalChatId(cast.helen))).toHaveLength(1);
    expect(await auditOf(env, requestId!)).toEqual(['requested', 'approved', 'issuing', 'issued']);
    const list = cardText(cardOf((await a.say(cast.helen, 'requests')).replies[0]));
    expect(list).toContain('Adele Vance**: Pass issued');
  });

  it('20 approvals at once, spread over both instances, yield exactly one pass', async () => {
    const before = a.graph.issuedTaps().length;
    const { requestId } = await fileRequest(b, cast.helen, cast.miriam);
    const approvers = [cast.megan, cast.lee, cast.patti];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        act(i % 2 ? a : b, approvers[i % approvers.length]!, 'escalation.approve', { requestId }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200 && answer.card?.type === 'AdaptiveCard')).toBe(true);
    expect(
      a.graph
        .issuedTaps()
        .slice(before)
        .map((tap) => tap.userId),
    ).toEqual([cast.miriam.aadObjectId]);
    const trail = await auditOf(env, requestId!);
    expect(trail.filter((action) => action === 'approved')).toHaveLength(1);
    expect(trail.filter((action) => action === 'issuing')).toHaveLength(1);
    expect(trail.filter((action) => action === 'issued')).toHaveLength(1);
  });

  it('keeps nothing on local disk, and no pass in any stored byte', async () => {
    expect(await filesUnder(a.dataDir)).toEqual([]);
    expect(findLeaks(await filesUnder(azurite.location), a.issuedPasses)).toEqual([]);
    expect(a.issuedPasses.length).toBeGreaterThan(0);
  });
});

describe('the rate limit across instances', () => {
  const env = sharedStoreEnv();
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startHarness({ env });
    b = await startHarness({ shareWith: a });
    await openApp(a, cast.henrik, cast.megan);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await service.getContainerClient(env.STORAGE_CONTAINER).deleteIfExists();
  });

  it('holds when one agent files eight requests at once over both instances: exactly five are filed', async () => {
    const user = (n: number) => ({
      aadObjectId: `11111111-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
      name: `user ${n}`,
    });
    const targets = [1, 2, 3, 4, 5, 6, 12, 13].map(user);
    const filed = await Promise.all(targets.map((target, i) => fileRequest(i % 2 ? a : b, cast.henrik, target)));
    const accepted = filed.filter((f) => f.requestId);
    expect(accepted).toHaveLength(5);
    for (const refused of filed.filter((f) => !f.requestId)) expect(refused.text).toContain('the limit is 5');
  });

  it('the sweep walks only open requests: a closed one leaves the open set', async () => {
    const store = new BlobStore({
      target: { connectionString: env.STORAGE_CONNECTION_STRING, container: env.STORAGE_CONTAINER },
    });
    try {
      expect(await store.list('escalations-open')).toHaveLength(5);
      const [open] = await a.bot.escalations.recent(a.tenantId, 1);
      expect((await act(a, cast.henrik, 'escalation.cancel', { requestId: open!.id })).text).toContain('Cancelled');
      expect(await store.list('escalations-open')).toHaveLength(4);
      expect(await store.list('escalations')).toHaveLength(5);
    } finally {
      await store.close();
    }
  });
});

describe('an instance killed in the middle of an approval', () => {
  const env = sharedStoreEnv();
  let b: Harness;
  beforeAll(async () => {
    b = await startHarness({ env });
    await openApp(b, cast.helen, cast.megan);
  });
  afterAll(async () => {
    await b?.close();
    await service.getContainerClient(env.STORAGE_CONTAINER).deleteIfExists();
  });

  it(
    'loses nothing: the other instance finds the orphaned pass, deletes it and reports it; at most one pass was ever issued',
    PROCESS_TIMEOUT,
    async () => {
      const graph = await swallowPassCreation(b.graph.baseUrl);
      const a = await startBotProcess({
        ...env,
        GRAPH_BASE_URL: graph.baseUrl,
        HELPDESK_GROUP_ID: CONTOSO.helpdeskGroupId,
        APPROVER_GROUP_ID: CONTOSO.approverGroupId,
      });
      try {
        const { requestId } = await fileRequest(b, cast.helen, cast.adele);
        const click = b.activity(cast.megan, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          replyToId: randomUUID(),
          value: {
            action: { type: 'Action.Execute', verb: 'escalation.approve', data: { requestId } },
            trigger: 'manual',
          },
        });
        const answer = fetch(`${a.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(click),
        }).then(
          () => 'answered',
          () => 'no answer',
        );
        await graph.passCreated;
        await a.kill();
        expect(await answer).toBe('no answer');
        expect(b.graph.issuedTaps()).toHaveLength(1);
        expect(findLeaks([{ where: 'the killed instance output', text: a.output() }], b.issuedPasses)).toEqual([]);

        // Instance B's periodic sweep, once the claim is older than any approval could take.
        const later = await startHarness({ shareWith: b, now: () => new Date(Date.now() + 3 * 60_000) });
        try {
          await later.bot.escalations.sweep();
          const record = await later.bot.escalations.current(b.tenantId, requestId!);
          expect(record?.state).toBe('failed');
          expect(record?.failure).toMatch(
            /The bot stopped while the pass was being issued\. A pass was created at \d{4}-\d\d-\d\d \d\d:\d\d UTC, but its code can never be read again, so it was deleted/,
          );
          expect(await tapMethodsOf(b, cast.adele.aadObjectId)).toEqual([]);

          const retried = await act(later, cast.megan, 'escalation.approve', { requestId });
          expect(retried.text).toContain('This request was already handled');
          expect(b.graph.issuedTaps()).toHaveLength(1);
          expect(await auditOf(env, requestId!)).toEqual(['requested', 'approved', 'issuing', 'failed', 'refused']);
        } finally {
          await later.close();
        }
      } finally {
        await a.kill();
        await graph.close();
      }
    },
  );
});

describe('a storage outage', () => {
  const link = storageLink(new URL(/BlobEndpoint=([^;]+)/.exec(azurite.connectionString)![1]!).origin);
  let env: ReturnType<typeof sharedStoreEnv>;
  let harness: Harness;
  beforeAll(async () => {
    env = sharedStoreEnv(azuriteConnectionString((await link).endpoint));
    harness = await startHarness({ env });
    await openApp(harness, cast.helen, cast.megan);
  });
  afterAll(async () => {
    await harness?.close();
    await (await link).close();
    await service.getContainerClient(env.STORAGE_CONTAINER).deleteIfExists();
  });

  it('during a turn gets a friendly card and leaves no half-written request; /readyz says so', async () => {
    await harness.invoke(cast.helen, 'escalate.start', { userId: cast.adele.aadObjectId });
    await (await link).cut();
    try {
      const submitted = await harness.invoke(cast.helen, 'escalate.submit', {
        userId: cast.adele.aadObjectId,
        reason: 'Lost their phone',
        verification: 'video-call-with-id',
      });
      expect(submitted.status).toBe(200);
      expect(cardText(submitted.body?.value)).toContain('I could not save that; nothing was changed.');
      // A greeting needs no storage (no bot state is loaded per turn), so it is still answered.
      const message = await harness.say(cast.helen, 'hi');
      expect(cardText(cardOf(message.replies[0]))).toContain('Hi, I am the account recovery helper');
      const readyz = await (await fetch(`${harness.bot.url}/readyz`)).json();
      expect(readyz.checks.storage).toBe('Azure Storage is not reachable or not writable');
      expect(harness.logs.join('\n')).not.toContain('AccountKey');
    } finally {
      await (await link).restore();
    }
    expect(await harness.bot.escalations.recent(harness.tenantId)).toEqual([]);
    expect(harness.graph.issuedTaps()).toEqual([]);
    expect(cardText(cardOf((await harness.say(cast.helen, 'hi')).replies[0]))).not.toContain('could not save');
  });

  it('at start-up stops the bot with one clear line, no key, and a non-zero exit', PROCESS_TIMEOUT, async () => {
    const unreachable = azuriteConnectionString('http://127.0.0.1:9');
    const { code, stderr, stdout } = await runBotProcess({ STORAGE_CONNECTION_STRING: unreachable });
    expect(code).toBe(1);
    // On an end-of-life Node the runtime warning (test/ops/runtime.test.ts) comes first, on its own line.
    const lines = stderr
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('Unsupported runtime:'));
    expect(lines).toEqual([
      'Storage error: Azure Storage could not be reached (ECONNREFUSED), while opening the container.',
    ]);
    expect(stdout + stderr).not.toContain('Eby8');
  });
});
