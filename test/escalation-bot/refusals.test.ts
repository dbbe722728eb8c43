import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusal } from '../../src/escalation/refusal.js';
import { createRequest } from '../../src/escalation/state-machine.js';
import { FileStore } from '../../src/storage/file-store.js';
import { cardOf, cardText, type Harness, startHarness, type TeamsUser } from '../harness.js';
import { act, cast, fileRequest, openApp } from './helpers.js';

describe('who may request a pass, and for whom', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.henrik, cast.megan, cast.lee, cast.patti, cast.alex);
  });
  afterAll(() => harness.close());

  it('a colleague who is not a helpdesk agent is refused, by command and by card', async () => {
    const said = cardText(cardOf((await harness.say(cast.alex, 'escalate adele.vance@contoso.com')).replies[0]));
    expect(said).toContain('Only the helpdesk can request a pass');
    const forged = await act(harness, cast.alex, 'escalate.submit', {
      userId: cast.adele.aadObjectId,
      reason: 'x',
      verification: 'in-person',
    });
    expect(forged.text).toContain('Only the helpdesk can request a pass');
    // The refusal's code travels to the card (as the id of its heading), for clients and tests.
    expect(forged.card.body[0].id).toBe('refusal-not-helpdesk');
  });

  it('an agent cannot request a pass for themselves', async () => {
    const { text } = await fileRequest(harness, cast.helen, cast.helen);
    expect(text).toContain('You cannot request a Temporary Access Pass for your own account.');
  });

  it.each([
    ['a disabled account', cast.diego, 'account is disabled'],
    ['a guest', cast.ravi, 'is a guest from another organisation'],
    [
      'someone outside the TAP policy, with the reason',
      cast.isaiah,
      'outside the tenant’s Temporary Access Pass policy (excluded through a group)',
    ],
    ['a privileged user (Global Administrator)', cast.nestor, 'Nestor Wilke holds a directory role'],
  ])('refuses %s', async (_case, target, message) => {
    const form = await act(harness, cast.helen, 'escalate.start', { userId: target.aadObjectId });
    expect(form.text).toContain(message);
    const { text } = await fileRequest(harness, cast.helen, target);
    expect(text).toContain(message);
  });

  it('a reason is required', async () => {
    const { text } = await fileRequest(harness, cast.helen, cast.adele, { reason: '   ' });
    expect(text).toContain('Say why the person needs a Temporary Access Pass.');
  });

  it('an agent who has never opened the 1:1 chat, pressing a form in a group chat, is sent there before anything is filed', async () => {
    const newcomer = { aadObjectId: cast.henrik.aadObjectId, name: 'Henrik Sørensen' };
    const groupChat = { id: '19:triage@thread.v2', type: 'groupChat' as const };
    const fresh = await startHarness();
    try {
      const turn = await fresh.invoke(
        newcomer,
        'escalate.submit',
        { userId: cast.adele.aadObjectId, reason: 'Lost phone', verification: 'in-person' },
        groupChat,
      );
      expect(cardText(turn.body.value)).toContain('Ask me in our 1:1 chat');
      expect(await fresh.bot.escalations.recent(fresh.tenantId)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('too many requests for one person in an hour are refused with a time to try again', async () => {
    // Each is cancelled before the next, since only one request per person may be open at a time.
    for (let i = 0; i < 3; i++) {
      const { requestId } = await fileRequest(harness, cast.henrik, cast.miriam);
      expect(requestId).toBeDefined();
      await act(harness, cast.henrik, 'escalation.cancel', { requestId });
    }
    const { text } = await fileRequest(harness, cast.henrik, cast.miriam);
    expect(text).toMatch(
      /3 requests have been filed for Miriam Graham in the last hour; the limit is 3\. Try again after [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC/,
    );
  });
});

describe('who may approve', () => {
  let harness: Harness;
  let requestId: string;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee, cast.patti, cast.alex, cast.adele);
    requestId = (await fileRequest(harness, cast.helen, cast.adele)).requestId!;
  });
  afterAll(() => harness.close());

  it('the requester cannot approve their own request', async () => {
    const { text } = await act(harness, cast.helen, 'escalation.approve', { requestId });
    expect(text).toContain('You filed this request, so someone else has to decide on it.');
  });

  it('the target cannot approve a pass for themselves, and sees nothing of the request', async () => {
    const { text } = await act(harness, cast.adele, 'escalation.approve', { requestId });
    expect(text).toContain('You cannot decide on a Temporary Access Pass for your own account.');
    expect(text).not.toContain('Lost their phone');
  });

  it('someone who is neither the manager nor in the approver group is refused, and learns nothing of the request', async () => {
    const { text } = await act(harness, cast.alex, 'escalation.approve', { requestId });
    expect(text).toContain('No such request');
    for (const secret of ['Adele', 'adele.vance@contoso.com', 'Lost their phone']) expect(text).not.toContain(secret);
  });

  it('forged card data naming another approver or target is refused as an unexpected field', async () => {
    for (const forged of [
      { requestId, approverId: cast.megan.aadObjectId },
      { requestId, userId: cast.miriam.aadObjectId },
    ]) {
      const { text } = await act(harness, cast.alex, 'escalation.approve', forged);
      expect(text).toMatch(/unexpected field "(approverId|userId)"/);
    }
  });

  it('names every object inherits (constructor, toString, hasOwnProperty, __proto__) are not fields of any verb', async () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      const turn = await harness.post({
        ...harness.activity(cast.megan, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          replyToId: 'card-1',
          // Built as JSON text so "__proto__" arrives as an own key, as a forged request would send it.
          value: JSON.parse(
            `{"action":{"type":"Action.Execute","verb":"escalation.approve","data":{"requestId":"${requestId}","${key}":"x"}}}`,
          ),
        }),
      });
      expect(cardText(turn.body.value).replace(/\\/g, ''), key).toContain(`unexpected field "${key}"`);
    }
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('a request id from another tenant, or one that does not exist, is "no such request"', async () => {
    const store = new FileStore({ dataDir: harness.dataDir });
    const foreign = createRequest(
      {
        id: randomUUID(),
        tenantId: 'bbbbbbbb-0000-4000-8000-000000000000',
        requester: { id: cast.henrik.aadObjectId, name: 'Henrik' },
        target: { id: cast.miriam.aadObjectId, name: 'Miriam Graham', userPrincipalName: 'miriam.graham@contoso.com' },
        reason: 'Elsewhere',
        verification: { method: 'in-person' },
        privileged: false,
      },
      new Date(),
      { allowPrivilegedWithTwoApprovers: false },
    );
    if (isRefusal(foreign)) throw new Error(foreign.message);
    await store.create('escalations', `${foreign.tenantId}:${foreign.id}`, foreign);
    await store.close();
    for (const id of [foreign.id, randomUUID()]) {
      const { text } = await act(harness, cast.megan, 'escalation.approve', { requestId: id });
      expect(text).toContain('No such request');
    }
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('a manager cannot approve a request for themselves (self-approval)', async () => {
    const forMegan = (await fileRequest(harness, cast.helen, cast.megan)).requestId!;
    const { text } = await act(harness, cast.megan, 'escalation.approve', { requestId: forMegan });
    expect(text).toContain('You cannot decide on a Temporary Access Pass for your own account.');
  });

  it('an approver cannot approve a request for themselves', async () => {
    const forLee = (await fileRequest(harness, cast.helen, cast.lee)).requestId!;
    const { text } = await act(harness, cast.lee, 'escalation.approve', { requestId: forLee });
    expect(text).toContain('You cannot decide on a Temporary Access Pass for your own account.');
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('replaying the approval card after the pass was issued says what already happened and issues nothing more', async () => {
    const first = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(first.text).toContain('Pass issued');
    for (const approver of [cast.megan, cast.lee]) {
      const replay = await act(harness, approver, 'escalation.approve', { requestId });
      expect(replay.text).toMatch(
        /This request was already handled\. Approved by Megan Bowen at [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC; the pass was issued/,
      );
      expect(replay.card.type).toBe('AdaptiveCard');
    }
    expect(harness.graph.issuedTaps()).toHaveLength(1);
  });
});

describe('a request that waits too long', () => {
  let harness: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    harness = await startHarness({ now: () => new Date(clock) });
    await openApp(harness, cast.helen, cast.megan);
  });
  afterAll(() => harness.close());

  it('expires after the configured time: approving says so, and the agent is told', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    clock += 61 * 60_000;
    const late = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(late.text).toMatch(
      /This request expired at [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC\. File a new request if Adele Vance still needs a pass\./,
    );
    const news = harness.connector.activities.filter(
      (a) => a.conversationId === `a:personal-${cast.helen.aadObjectId}` && a.activity.attachments,
    );
    expect(cardText(news.at(-1)!.activity.attachments[0].content)).toContain('Expired at');
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('a request stored before open requests were kept apart is still swept, once the history has been read once', async () => {
    const legacy = createRequest(
      {
        id: randomUUID(),
        tenantId: harness.tenantId,
        requester: { id: cast.helen.aadObjectId, name: 'Helen Desk' },
        target: { id: cast.lee.aadObjectId, name: 'Lee Gu', userPrincipalName: 'lee.gu@contoso.com' },
        reason: 'Filed by an older version',
        verification: { method: 'in-person' },
        privileged: false,
      },
      new Date(clock),
      { allowPrivilegedWithTwoApprovers: false },
    );
    if (isRefusal(legacy)) throw new Error(legacy.message);
    const store = new FileStore({ dataDir: harness.dataDir });
    await store.create('escalations', `${legacy.tenantId}:${legacy.id}`, legacy);
    await store.close();
    // A second request for Lee is refused while the legacy one is open: its target claim was restored too.
    await harness.bot.escalations.sweep();
    expect((await fileRequest(harness, cast.helen, cast.lee)).text).toContain('A request for Lee Gu is already open');
    clock += 61 * 60_000;
    await harness.bot.escalations.sweep();
    expect((await harness.bot.escalations.current(harness.tenantId, legacy.id))?.state).toBe('expired');
  });

  it('the sweep expires it without anyone clicking', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    clock += 61 * 60_000;
    await harness.bot.escalations.sweep();
    expect((await harness.bot.escalations.current(harness.tenantId, requestId!))?.state).toBe('expired');
  });
});

describe('privileged targets when the policy allows them with two approvers', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: 'true' } });
    await openApp(harness, cast.helen, cast.lee, cast.patti);
  });
  afterAll(() => harness.close());

  it('needs two different approvers before a pass is created', async () => {
    const form = await act(harness, cast.helen, 'escalate.start', { userId: cast.nestor.aadObjectId });
    expect(form.text).toContain('needs two different approvers');
    const { requestId } = await fileRequest(harness, cast.helen, cast.nestor);
    const once = await act(harness, cast.patti, 'escalation.approve', { requestId: requestId! });
    expect(once.text).toContain('Waiting for a second approver');
    const twice = await act(harness, cast.patti, 'escalation.approve', { requestId: requestId! });
    expect(twice.text).toContain('You already approved this request');
    expect(harness.graph.issuedTaps()).toEqual([]);
    const second = await act(harness, cast.lee, 'escalation.approve', { requestId: requestId! });
    expect(second.text).toContain('Pass issued');
    expect(harness.graph.issuedTaps()).toHaveLength(1);
  });
});

describe('a request that could never be approved', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: 'true' } });
    await openApp(harness, cast.helen, cast.lee, cast.patti);
  });
  afterAll(() => harness.close());

  it('is refused at filing, saying who is missing, when fewer distinct deciders exist than it needs', async () => {
    // Nestor (Global Administrator) needs two approvers; with Lee out of the approver group only Patti, his manager, is left.
    const group = harness.graph.tenant.groups.find((g) => g.id === '22222222-0000-4000-8000-000000000004')!;
    const members = [...group.memberIds];
    group.memberIds = members.filter((id) => id !== cast.lee.aadObjectId);
    try {
      const { text, requestId } = await fileRequest(harness, cast.helen, cast.nestor);
      expect(requestId).toBeUndefined();
      expect(text).toContain('Not enough approvers');
      expect(text).toContain('two different people must approve, but only Patti Fernandez can decide');
      expect(await harness.bot.escalations.recent(harness.tenantId)).toEqual([]);
      expect(
        harness.connector.activities.filter(
          (a) => a.conversationId === `a:personal-${cast.patti.aadObjectId}` && a.activity.attachments?.length,
        ),
      ).toHaveLength(1);
    } finally {
      group.memberIds = members;
    }
  });
});

describe('the same request twice', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.henrik, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  const submit = (agent: TeamsUser, cardId: string) =>
    harness.invoke(
      agent,
      'escalate.submit',
      { userId: cast.adele.aadObjectId, reason: 'Lost their phone', verification: 'in-person' },
      undefined,
      cardId,
    );
  const approvalCardsTo = (person: TeamsUser) =>
    harness.connector.activities.filter(
      (a) => a.conversationId === `a:personal-${person.aadObjectId}` && a.activity.attachments?.[0]?.content?.refresh,
    ).length;

  it('sending the same form twice files once and asks each approver once', async () => {
    const first = await submit(cast.helen, 'form-card-1');
    const again = await submit(cast.helen, 'form-card-1');
    const id = (turn: { body: any }) => turn.body?.value?.refresh?.action?.data?.requestId;
    expect(id(first)).toBeDefined();
    expect(id(again)).toBe(id(first));
    expect(cardText(again.body.value)).toContain('This form was already sent');
    expect(await harness.bot.escalations.recent(harness.tenantId)).toHaveLength(1);
    expect(approvalCardsTo(cast.megan)).toBe(1);
  });

  it('a second request for someone with one open is refused, showing the open one, also from another agent', async () => {
    const [open] = await harness.bot.escalations.recent(harness.tenantId);
    for (const agent of [cast.helen, cast.henrik]) {
      const second = await submit(agent, `another-form-${agent.name}`);
      expect(second.body.value.refresh.action.data.requestId).toBe(open!.id);
      expect(cardText(second.body.value)).toContain(
        'A request for Adele Vance is already open, so no second one was filed',
      );
    }
    expect(await harness.bot.escalations.recent(harness.tenantId)).toHaveLength(1);
    expect(approvalCardsTo(cast.megan)).toBe(1);
  });

  it('once the open one is closed, a new request can be filed', async () => {
    const [open] = await harness.bot.escalations.recent(harness.tenantId);
    await act(harness, cast.helen, 'escalation.cancel', { requestId: open!.id });
    const next = await submit(cast.helen, 'form-card-2');
    expect(next.body.value.refresh.action.data.requestId).not.toBe(open!.id);
    expect(await harness.bot.escalations.recent(harness.tenantId)).toHaveLength(2);
  });
});
