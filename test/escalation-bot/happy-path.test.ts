import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { cardOf, cardText, type Harness, startHarness } from '../harness.js';
import {
  act,
  approvalCard,
  cardsIn,
  cast,
  fileRequest,
  openApp,
  passesIn,
  personalChatId,
  storedText,
} from './helpers.js';

describe('an agent escalates, the manager approves, the agent alone gets the pass', () => {
  let harness: Harness;
  let requestId: string;
  let pass: string;
  const invokeBodies: string[] = [];

  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
    await harness.say(cast.helen, 'check adele.vance@contoso.com');
    const form = await harness.invoke(cast.helen, 'escalate.start', { userId: cast.adele.aadObjectId });
    invokeBodies.push(JSON.stringify(form.body));
    const submitted = await harness.invoke(cast.helen, 'escalate.submit', {
      userId: cast.adele.aadObjectId,
      reason: 'Lost her phone on a trip',
      verification: 'video-call-with-id',
      verificationDetail: 'Passport on camera',
    });
    invokeBodies.push(JSON.stringify(submitted.body));
    requestId = submitted.body.value.refresh.action.data.requestId;
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId });
    invokeBodies.push(JSON.stringify(approved.body));
    pass = passesIn(harness, personalChatId(cast.helen))[0] ?? '';
  });
  afterAll(() => harness.close());

  it('offers a form naming the person, asking for a reason and how their identity was verified', async () => {
    const form = (await harness.invoke(cast.helen, 'escalate.start', { userId: cast.adele.aadObjectId })).body.value;
    const inputs = form.body.filter((element: any) => element.type.startsWith('Input.'));
    expect(cardText(form)).toContain('Request a Temporary Access Pass for Adele Vance');
    expect(inputs.map((input: any) => input.id)).toEqual(['reason', 'verification', 'verificationDetail']);
    expect(inputs[0]).toMatchObject({ maxLength: 500, isRequired: true });
    expect(inputs[1].choices.map((choice: any) => choice.value)).toEqual([
      'video-call-with-id',
      'in-person',
      'manager-vouched-on-call',
      'other',
    ]);
  });

  it('"escalate <user>" opens the same form', async () => {
    const card = cardOf((await harness.say(cast.helen, 'escalate adele.vance@contoso.com')).replies[0]);
    expect(cardText(card)).toContain('Request a Temporary Access Pass for Adele Vance');
  });

  it('sends the manager and the reachable approvers an approval card, and tells the agent who could not be reached', () => {
    const megansCard = approvalCard(harness, cast.megan, requestId);
    expect(megansCard.refresh.userIds).toContain(`29:${cast.megan.aadObjectId}`);
    const text = cardText(megansCard);
    expect(text).toContain('A new pass replaces any pass they hold now');
    expect(text).toContain('valid for 60 minutes, one-time use');
    expect(text).toContain('Lost her phone on a trip');
    expect(text).toContain('Video call with a government ID: Passport on camera');
    expect(megansCard.actions.map((action: any) => action.title)).toEqual(['Approve', 'Deny']);
    expect(approvalCard(harness, cast.lee, requestId)).toBeDefined();
    expect(invokeBodies[1]).toContain('Sent for approval to Megan Bowen, Lee Gu.');
    expect(invokeBodies[1]).toContain(
      'Patti Fernandez has not opened the SSAR Helpdesk app in Teams yet; ask them to, or another approver can approve.',
    );
  });

  it('creates exactly one pass, for Adele', () => {
    expect(harness.graph.issuedTaps().map((tap) => tap.userId)).toEqual([cast.adele.aadObjectId]);
  });

  it("shows the pass once, in the agent's 1:1 chat, with its start, expiry and one-time flag", () => {
    expect(pass).toMatch(/^.{8}$/);
    const card = cardsIn(harness, personalChatId(cast.helen)).find((c) => JSON.stringify(c).includes(pass));
    const text = cardText(card);
    expect(text).toContain('Valid from');
    expect(text).toMatch(/Expires\n.*\(60 minutes\)/);
    expect(text).toContain('Yes: it works for one sign-in only');
    expect(text).toContain('Hand it over only after verifying the person');
    expect(passesIn(harness, personalChatId(cast.helen))).toEqual([pass]);
  });

  it('never puts the pass in another conversation, an invoke answer, a log line or a stored byte', async () => {
    const elsewhere = harness.connector.activities.filter((a) => a.conversationId !== personalChatId(cast.helen));
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(JSON.stringify(elsewhere)).not.toContain(pass);
    const carryingPass = harness.connector.activities.filter((a) => JSON.stringify(a).includes(pass));
    expect(carryingPass.map((a) => [a.conversationId, a.kind])).toEqual([[personalChatId(cast.helen), 'send']]);
    expect(invokeBodies.join('\n')).not.toContain(pass);
    expect(harness.logs.length).toBeGreaterThan(0);
    expect(harness.logs.join('\n')).not.toContain(pass);
    expect(await storedText(harness.dataDir)).not.toContain(pass);
  });

  it('the approver sees the outcome, without buttons', async () => {
    const view = await act(harness, cast.megan, 'escalation.view', { requestId });
    expect(view.text).toContain('Pass issued');
    expect(view.card.actions ?? []).toEqual([]);
  });

  it('the audit trail records every step with actor, time, target, reason and verification, and survives a restart', async () => {
    await harness.restartBot();
    const store = new FileStore({ dataDir: harness.dataDir });
    const trail = (await store.readLog<AuditEntry>('audit')).filter((entry) => entry.requestId === requestId);
    expect(trail.map((entry) => entry.action)).toEqual(['requested', 'approved', 'issuing', 'issued']);
    expect(trail[0]).toMatchObject({
      actor: { id: cast.helen.aadObjectId },
      target: { id: cast.adele.aadObjectId, name: 'Adele Vance' },
      reason: 'Lost her phone on a trip',
      verificationMethod: 'video-call-with-id',
    });
    expect(trail[1]!.actor.id).toBe(cast.megan.aadObjectId);
    expect(trail.every((entry) => !Number.isNaN(Date.parse(entry.at)))).toBe(true);
    await store.close();

    const list = cardText(cardOf((await harness.say(cast.helen, 'requests')).replies[0]));
    expect(list).toContain('Adele Vance**: Pass issued');
  });
});

describe('denials and cancellations reach the requester', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('a denial with a reason is sent to the agent and no pass is created', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    const denied = await act(harness, cast.lee, 'escalation.deny', {
      requestId,
      denialReason: 'Call her manager first',
    });
    expect(denied.text).toContain('Denied by Lee Gu');
    const news = cardsIn(harness, personalChatId(cast.helen)).filter(
      (card) => card?.refresh?.action?.data?.requestId === requestId,
    );
    expect(cardText(news.at(-1))).toContain('Denied by Lee Gu at');
    expect(cardText(news.at(-1))).toContain('Call her manager first');
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('the requester can cancel while it waits; a later approval is told what happened', async () => {
    const { requestId, card } = await fileRequest(harness, cast.helen, cast.adele);
    expect(card.actions.map((action: any) => action.title)).toEqual(['Cancel the request']);
    const cancelled = await act(harness, cast.helen, 'escalation.cancel', { requestId });
    expect(cancelled.text).toContain('Cancelled by Helen Desk');
    const late = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(late.text).toContain('This request was already handled. Cancelled by Helen Desk');
    expect(harness.graph.issuedTaps()).toEqual([]);
  });
});

describe('the pass is as short-lived and single-use as the tenant allows', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    // A policy that allows reusable passes and lifetimes from 10 minutes.
    const policy = harness.graph.tenant.authenticationMethodConfigurations.TemporaryAccessPass;
    Object.assign(policy, { isUsableOnce: false, minimumLifetimeInMinutes: 10, defaultLifetimeInMinutes: 60 });
    await openApp(harness, cast.helen, cast.megan);
  });
  afterAll(() => harness.close());

  it('asks Graph for a one-time pass with the configured 30 minutes, and the approval card says so', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const card = cardText(approvalCard(harness, cast.megan, requestId!));
    expect(card).toContain('valid for 30 minutes, one-time use (the helpdesk’s setting');
    await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    const methods = (
      await (
        await fetch(
          `${harness.graph.baseUrl}/users/${cast.adele.aadObjectId}/authentication/temporaryAccessPassMethods`,
        )
      ).json()
    ).value;
    expect(methods).toMatchObject([{ isUsableOnce: true, lifetimeInMinutes: 30 }]);
    // The pass card, not the outcome notice that follows it in the same chat.
    const pass = cardsIn(harness, personalChatId(cast.helen))
      .filter((card) => JSON.stringify(card).includes('RichTextBlock'))
      .at(-1);
    expect(cardText(pass)).toContain('Yes: it works for one sign-in only');
  });
});

describe('a manager who approves for their reports', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('lists the requests they may decide on, and only those', async () => {
    // Megan manages Adele; Lee's manager is Patti. Megan is neither on the helpdesk nor in the approver group.
    await fileRequest(harness, cast.helen, cast.adele);
    await fileRequest(harness, cast.helen, cast.lee);
    const list = cardText(cardOf((await harness.say(cast.megan, 'requests')).replies[0]));
    expect(list).toContain('Adele Vance');
    expect(list).not.toContain('Lee Gu');
    expect(list).not.toContain('Only for the helpdesk and approvers');
  });

  it('a colleague who manages nobody with a request still hears that the list is not for them', async () => {
    const said = cardText(cardOf((await harness.say(cast.alex, 'requests')).replies[0]));
    expect(said).toContain('Only for the helpdesk and approvers');
  });
});
