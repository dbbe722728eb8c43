import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetNoticeRecord } from '../../src/app/notify-outcome.js';
import { COLLECTIONS } from '../../src/storage/collections.js';
import { FileStore } from '../../src/storage/file-store.js';
import { cardText, type Harness, startHarness, type TeamsUser } from '../harness.js';
import { act, approvalCard, cast, fileRequest, liveCard, openApp, passesIn, personalChatId } from './helpers.js';

/** Cards that arrived in a person's 1:1 chat as new messages, newest last, as text. */
const newsFor = (harness: Harness, person: TeamsUser) =>
  harness.connector.activities
    .filter((a) => a.conversationId === personalChatId(person) && a.kind === 'send')
    .flatMap((a) => (a.activity.attachments ?? []).map((attachment: any) => cardText(attachment.content)));

/** The latest version of the message that first carried the approval card for this request. */
function latestApprovalCard(harness: Harness, person: TeamsUser, requestId: string) {
  const sent = harness.connector.activities.find(
    (a) =>
      a.conversationId === personalChatId(person) &&
      a.kind === 'send' &&
      a.activity.attachments?.[0]?.content?.refresh?.action?.data?.requestId === requestId,
  );
  const updates = harness.connector.activities.filter((a) => a.kind === 'update' && a.id === sent?.id);
  return { sent, latest: (updates.at(-1) ?? sent)?.activity.attachments?.[0]?.content, updates };
}

/** Everything the bot sent anywhere except the one pass card, plus every mail: none may hold the pass. */
function everythingButThePassCard(harness: Harness, pass: string): string[] {
  const activities = harness.connector.activities
    .filter(
      (a) =>
        !(
          a.conversationId === personalChatId(cast.helen) &&
          JSON.stringify(a.activity).includes('Hand it over only after verifying')
        ),
    )
    .map((a) => JSON.stringify(a.activity));
  return [...activities, ...harness.graph.sentMail().map((m) => JSON.stringify(m))].filter((text) =>
    text.includes(pass),
  );
}

describe('everyone learns how an approved request ended, and only the agent sees the pass', () => {
  let harness: Harness;
  let requestId: string;
  let pass: string;

  beforeAll(async () => {
    harness = await startHarness({ env: { NOTIFY_MAIL_FROM: 'helen.desk@contoso.com' } });
    // As docs/permissions.md sets it up: no Entra Mail.Send, the Exchange role scoped to the sender.
    harness.graph.denyPermission('Mail.Send');
    harness.graph.assignMailSendRole([cast.helen.aadObjectId]);
    await openApp(harness, cast.helen, cast.megan, cast.lee, cast.adele);
    ({ requestId } = (await fileRequest(harness, cast.helen, cast.adele)) as { requestId: string });
    await act(harness, cast.megan, 'escalation.approve', { requestId });
    pass = passesIn(harness, personalChatId(cast.helen))[0] ?? '';
  });
  afterAll(() => harness.close());

  it('replaces the other approvers\' approval card with "approved by Megan Bowen", without buttons', () => {
    expect(pass).toMatch(/^.{8}$/);
    const { latest, updates } = latestApprovalCard(harness, cast.lee, requestId);
    expect(updates.length).toBeGreaterThan(0);
    expect(cardText(latest)).toContain('Pass issued');
    expect(cardText(latest)).toContain('Approved by Megan Bowen');
    expect(latest.actions ?? []).toEqual([]);
  });

  it("renders the decided state when Teams refreshes an approver's card", async () => {
    const card = approvalCard(harness, cast.lee, requestId);
    const refreshed = await act(harness, cast.lee, card.refresh.action.verb, card.refresh.action.data);
    expect(refreshed.text).toContain('Approved by Megan Bowen');
    expect(refreshed.card.actions ?? []).toEqual([]);
  });

  it('tells Adele in her 1:1 chat who issued a pass for her account, who approved it and what to do if it was not her', () => {
    const news = newsFor(harness, cast.adele).find((text) =>
      text.includes('A helpdesk pass was issued for your account'),
    );
    expect(news).toBeDefined();
    expect(news).toContain(
      'Helen Desk of the helpdesk issued a Temporary Access Pass for your account (adele.vance@contoso.com)',
    );
    expect(news).toContain('approved by Megan Bowen');
    expect(news).toContain('If you did not ask the helpdesk for this');
  });

  it('mails Adele from the configured mailbox through Graph sendMail, allowed by the Exchange role alone', () => {
    const mail = harness.graph.sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.senderId).toBe(cast.helen.aadObjectId);
    expect(mail[0]!.message.toRecipients).toEqual([
      { emailAddress: { address: 'adele.vance@contoso.com', name: 'Adele Vance' } },
    ]);
    expect(mail[0]!.message.subject).toBe('A helpdesk pass was issued for your account');
    expect(mail[0]!.message.body.content).toContain('approved by Megan Bowen');
  });

  it('tells the agent who approved and that Adele was told, in Teams and by mail', () => {
    const news = newsFor(harness, cast.helen).find((text) =>
      text.includes('Approved: the pass for Adele Vance was issued'),
    );
    expect(news).toMatch(/Approved by Megan Bowen at [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC/);
    expect(news).toContain(
      'Adele Vance was told in Teams that a pass was issued for their account (without the pass).',
    );
    expect(news).toContain('Adele Vance was also sent an email about it.');
  });

  it('tells Megan, the manager, once when Helen has handed the pass over', async () => {
    await act(harness, cast.helen, 'pass.hide', { requestId });
    await act(harness, cast.helen, 'pass.hide', { requestId });
    const notices = newsFor(harness, cast.megan).filter((text) =>
      text.includes('The pass for Adele Vance was handed over'),
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Helen Desk handed the Temporary Access Pass for Adele Vance over at');
  });

  it("puts the pass in no message but the agent's pass card, and in no mail", () => {
    expect(everythingButThePassCard(harness, pass)).toEqual([]);
  });
});

describe('when the person cannot be told in Teams and Exchange refuses the mail', () => {
  let harness: Harness;
  let requestId: string;

  beforeAll(async () => {
    harness = await startHarness({ env: { NOTIFY_MAIL_FROM: 'helen.desk@contoso.com' } });
    // The "Application Mail.Send" role assignment's scope holds another mailbox only, and Entra grants no Mail.Send.
    harness.graph.denyPermission('Mail.Send');
    harness.graph.assignMailSendRole([cast.lee.aadObjectId]);
    await openApp(harness, cast.helen, cast.megan, cast.lee);
    ({ requestId } = (await fileRequest(harness, cast.helen, cast.adele)) as { requestId: string });
    await act(harness, cast.megan, 'escalation.approve', { requestId });
  });
  afterAll(() => harness.close());

  it('records the notice as undeliverable and says so to the agent, with the mail error', async () => {
    const news = newsFor(harness, cast.helen).find((text) =>
      text.includes('Approved: the pass for Adele Vance was issued'),
    );
    expect(news).toContain(
      'Adele Vance has never opened the SSAR Helpdesk app, so they could not be told in Teams; this is recorded.',
    );
    expect(news).toContain(
      'Emailing Adele Vance failed (needs the "Application Mail.Send" role in Exchange Online, scoped to the sending mailbox (an Exchange administrator assigns it with RBAC for Applications)).',
    );
    expect(harness.graph.sentMail()).toEqual([]);
    const store = new FileStore({ dataDir: harness.dataDir });
    const recorded = await store.get<TargetNoticeRecord>(
      COLLECTIONS.outcomeNotices,
      `${harness.tenantId}:${requestId}:target`,
    );
    expect(recorded?.value).toMatchObject({
      requestId,
      targetId: cast.adele.aadObjectId,
      teams: 'undeliverable',
      mail: 'failed',
    });
  });
});

describe('denied, expired and failed requests', () => {
  let harness: Harness;
  let clock = Date.now();

  beforeAll(async () => {
    harness = await startHarness({ now: () => new Date(clock) });
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it("a denial: the agent hears who denied and why; the other approvers' cards say so", async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    await act(harness, cast.megan, 'escalation.deny', { requestId, denialReason: 'Call me first' });
    expect(cardText(liveCard(harness, cast.helen, requestId!))).toMatch(
      /Denied by Megan Bowen at \d\d:\d\d UTC: Call me first/,
    );
    const { latest } = latestApprovalCard(harness, cast.lee, requestId!);
    expect(cardText(latest)).toMatch(/Denied by Megan Bowen at \d\d:\d\d UTC: Call me first/);
    expect(latest.actions ?? []).toEqual([]);
  });

  it("a cancellation: the approvers' cards say the agent cancelled it, with no buttons left", async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    expect(requestId).toBeDefined();
    await act(harness, cast.helen, 'escalation.cancel', { requestId });
    const { latest } = latestApprovalCard(harness, cast.lee, requestId!);
    expect(cardText(latest)).toMatch(/Cancelled by Helen Desk at \d\d:\d\d UTC/);
    expect(latest.actions ?? []).toEqual([]);
  });

  it("an expiry found by the sweep: the agent is told, the approvers' cards say expired", async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    clock += 61 * 60_000;
    await harness.bot.escalations.sweep();
    expect(cardText(liveCard(harness, cast.helen, requestId!))).toContain('Expired at');
    expect(cardText(latestApprovalCard(harness, cast.lee, requestId!).latest)).toContain('Expired at');
  });

  it("a failure: the agent hears why no pass was created; the approvers' cards say it failed", async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    expect(requestId).toBeDefined();
    harness.graph.denyPermission('UserAuthMethod-TAP.ReadWrite.All');
    harness.graph.denyPermission('UserAuthenticationMethod.ReadWrite.All');
    await act(harness, cast.lee, 'escalation.approve', { requestId });
    harness.graph.grantAllPermissions();
    expect(cardText(liveCard(harness, cast.helen, requestId!))).toContain(
      'The pass could not be created: needs UserAuthMethod-TAP.ReadWrite.All.',
    );
    expect(cardText(latestApprovalCard(harness, cast.megan, requestId!).latest)).toContain('Failed');
  });
});
