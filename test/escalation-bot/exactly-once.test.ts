import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { approve, beginIssuing, type EscalationRecord, type Transition } from '../../src/escalation/state-machine.js';
import { FileStore } from '../../src/storage/file-store.js';
import { updateRetryingOnConflict } from '../../src/storage/store.js';
import { cardText, type Harness, startHarness } from '../harness.js';
import { act, cardsIn, cast, fileRequest, openApp, passesIn, personalChatId } from './helpers.js';

const megan = { id: cast.megan.aadObjectId, name: 'Megan Bowen', eligible: true };

/** Changes a stored request behind the bot's back, as a crash at that point would have left it. */
async function rewrite(harness: Harness, requestId: string, step: (record: EscalationRecord) => Transition) {
  const store = new FileStore({ dataDir: harness.dataDir });
  const outcome = await updateRetryingOnConflict(store, 'escalations', `${harness.tenantId}:${requestId}`, step);
  await store.close();
  expect(outcome.outcome).toBe('updated');
}

async function auditOf(harness: Harness, requestId: string): Promise<string[]> {
  const store = new FileStore({ dataDir: harness.dataDir });
  const entries = await store.readLog<AuditEntry>('audit');
  await store.close();
  return entries.filter((entry) => entry.requestId === requestId).map((entry) => entry.action);
}

describe('exactly one pass per approved request', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee, cast.patti);
  });
  afterAll(() => harness.close());

  it('20 approve clicks at once from three approvers create one pass', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const approvers = [cast.megan, cast.lee, cast.patti];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        act(harness, approvers[i % approvers.length]!, 'escalation.approve', { requestId }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200 && answer.card?.type === 'AdaptiveCard')).toBe(true);
    expect(harness.graph.issuedTaps()).toHaveLength(1);
    expect(passesIn(harness, personalChatId(cast.helen))).toHaveLength(1);
    const trail = await auditOf(harness, requestId!);
    expect(trail.filter((action) => action === 'approved')).toHaveLength(1);
    expect(trail.filter((action) => action === 'issuing')).toHaveLength(1);
    expect(trail.filter((action) => action === 'issued')).toHaveLength(1);
  });

  it('after a 5xx on the creation it looks instead of retrying, and says a new request is safe', async () => {
    const before = harness.graph.issuedTaps().length;
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    harness.graph.failNext({ method: 'POST', path: /temporaryAccessPassMethods/ }, { status: 503 });
    const answer = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(answer.text).toContain('Failed');
    expect(answer.text).toContain('No pass was created. It is safe to file a new request.');
    const posts = harness.graph.requests.filter(
      (r) => r.method === 'POST' && r.path.includes('temporaryAccessPassMethods'),
    );
    expect(posts.filter((r) => r.status === 503)).toHaveLength(1);
    expect(
      harness.graph.requests.some(
        (r) =>
          r.method === 'GET' &&
          r.path.endsWith(`/users/${cast.miriam.aadObjectId}/authentication/temporaryAccessPassMethods`),
      ),
    ).toBe(true);
    expect(harness.graph.issuedTaps()).toHaveLength(before);
  });
});

describe('a restart between approval and issuing', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan);
  });
  afterAll(() => harness.close());

  it('loses nothing: the new instance issues the approved request once, and only once', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    // The approval was stored, then the bot stopped before claiming it for issuing.
    await rewrite(harness, requestId!, (record) => approve(record, megan, new Date()));
    await harness.restartBot();
    await harness.bot.escalations.sweep();
    expect(harness.graph.issuedTaps()).toHaveLength(1);
    expect(passesIn(harness, personalChatId(cast.helen))).toHaveLength(1);

    await harness.restartBot();
    await Promise.all([harness.bot.escalations.sweep(), harness.bot.escalations.sweep()]);
    const replay = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(replay.text).toContain('This request was already handled');
    expect(harness.graph.issuedTaps()).toHaveLength(1);
    expect(await auditOf(harness, requestId!)).toEqual(['requested', 'issuing', 'issued', 'refused']);
  });

  it('a claim left in "issuing" whose pass Graph did create is deleted, since its code is lost', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    const threeMinutesAgo = new Date(Date.now() - 3 * 60_000);
    await rewrite(harness, requestId!, (record) => {
      const approved = approve(record, megan, threeMinutesAgo);
      return 'refused' in approved ? approved : beginIssuing(approved, threeMinutesAgo);
    });
    // Graph created the pass, but the bot stopped before it could show it.
    const created = await fetch(
      `${harness.graph.baseUrl}/users/${cast.miriam.aadObjectId}/authentication/temporaryAccessPassMethods`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(created.status).toBe(201);
    await harness.restartBot();
    await harness.bot.escalations.sweep();

    const record = await harness.bot.escalations.current(harness.tenantId, requestId!);
    expect(record?.state).toBe('failed');
    expect(record?.failure).toMatch(
      /A pass was created at \d{4}-\d\d-\d\d \d\d:\d\d UTC, but its code can never be read again, so it was deleted/,
    );
    const left = await fetch(
      `${harness.graph.baseUrl}/users/${cast.miriam.aadObjectId}/authentication/temporaryAccessPassMethods`,
    );
    expect((await left.json()).value).toEqual([]);
    expect(passesIn(harness, personalChatId(cast.helen))).toHaveLength(1);
  });

  it('a claim left in "issuing" with no pass created fails, saying a new request is safe', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const threeMinutesAgo = new Date(Date.now() - 3 * 60_000);
    await rewrite(harness, requestId!, (record) => {
      const approved = approve(record, megan, threeMinutesAgo);
      return 'refused' in approved ? approved : beginIssuing(approved, threeMinutesAgo);
    });
    const tapsBefore = harness.graph.issuedTaps().length;
    await harness.bot.escalations.sweep();
    const record = await harness.bot.escalations.current(harness.tenantId, requestId!);
    expect(record?.failure).toContain('No pass was created. It is safe to file a new request.');
    expect(harness.graph.issuedTaps()).toHaveLength(tapsBefore);
    // The pass another request issued to Adele after this claim was made is hers to keep.
    const adeles = await fetch(
      `${harness.graph.baseUrl}/users/${cast.adele.aadObjectId}/authentication/temporaryAccessPassMethods`,
    );
    expect((await adeles.json()).value).toHaveLength(1);
  });

  it('a pass created but unreadable after a crash is resolved at the first sweep after the restart, not minutes later, and the agent is shown what happened', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    const justNow = new Date();
    await rewrite(harness, requestId!, (record) => {
      const approved = approve(record, megan, justNow);
      return 'refused' in approved ? approved : beginIssuing(approved, justNow);
    });
    const created = await fetch(
      `${harness.graph.baseUrl}/users/${cast.miriam.aadObjectId}/authentication/temporaryAccessPassMethods`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(created.status).toBe(201);
    await harness.restartBot();
    await harness.bot.escalations.sweep();
    const record = await harness.bot.escalations.current(harness.tenantId, requestId!);
    expect(record?.state).toBe('failed');
    expect(record?.failure).toMatch(
      /The bot stopped while the pass was being issued\. A pass was created at \d{4}-\d\d-\d\d \d\d:\d\d UTC, but its code can never be read again, so it was deleted/,
    );
    const left = await fetch(
      `${harness.graph.baseUrl}/users/${cast.miriam.aadObjectId}/authentication/temporaryAccessPassMethods`,
    );
    expect((await left.json()).value).toEqual([]);
    const told = cardsIn(harness, personalChatId(cast.helen)).at(-1);
    expect(cardText(told)).toContain('Temporary Access Pass for Miriam Graham');
    expect(cardText(told)).toContain('Failed');
  });
});
