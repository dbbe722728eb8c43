import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, type Harness, startHarness, type TeamsUser } from '../harness.js';
import { act, cast, liveCard, openApp, personalChatId } from './helpers.js';

/**
 * Approvals that never stall: a request still waiting reminds its approvers after
 * APPROVAL_REMIND_MINUTES and goes to every approver who has not had it after
 * APPROVAL_WIDEN_MINUTES, once each, whichever instance sweeps; the agent's card says how long it
 * has waited and who has it. The bot's clock is the test's: no sleeping.
 */

const reminders = (harness: Harness, person: TeamsUser) =>
  harness.connector.activities.filter(
    (a) =>
      a.conversationId === personalChatId(person) &&
      a.kind === 'send' &&
      cardText(a.activity.attachments?.[0]?.content).includes('Reminder: a pass request is waiting for you'),
  );

describe('a request nobody acts on', () => {
  let clock = Date.parse('2026-03-02T09:00:00Z');
  let harness: Harness;
  let requestId: string;
  let filedCard: unknown;
  beforeAll(async () => {
    harness = await startHarness({ now: () => new Date(clock) });
    // Patti, in the approver group, has not opened the app yet: she cannot be asked at filing.
    await openApp(harness, cast.helen, cast.megan, cast.lee);
    const form = await harness.say(cast.helen, 'escalate adele.vance@contoso.com');
    const submitted = await harness.invoke(
      cast.helen,
      'escalate.submit',
      { userId: cast.adele.aadObjectId, reason: 'Lost her phone', verification: 'video-call-with-id' },
      harness.personalChat(cast.helen),
      form.replies[0]!.id,
    );
    requestId = submitted.body.value.refresh.action.data.requestId;
    filedCard = submitted.body.value;
  });
  afterAll(() => harness.close());

  it("from the moment it is filed, the agent's card says who has it", async () => {
    expect(cardText(filedCard)).toMatch(/0 minutes so far, with Megan Bowen, Lee Gu/);
  });

  it('before APPROVAL_REMIND_MINUTES (10) nobody is reminded', async () => {
    clock += 9 * 60_000;
    await harness.bot.escalations.sweep();
    expect(reminders(harness, cast.megan)).toEqual([]);
  });

  it('after 10 minutes each approver who has the card is reminded exactly once, however many sweeps run', async () => {
    clock += 2 * 60_000;
    await Promise.all([
      harness.bot.escalations.sweep(),
      harness.bot.escalations.sweep(),
      harness.bot.escalations.sweep(),
    ]);
    await harness.bot.escalations.sweep();
    expect(reminders(harness, cast.megan)).toHaveLength(1);
    expect(reminders(harness, cast.lee)).toHaveLength(1);
    expect(cardText(reminders(harness, cast.megan)[0]!.activity.attachments[0].content)).toContain(
      'Helen Desk asked 11 minutes ago for a Temporary Access Pass for Adele Vance',
    );
  });

  it("the agent's card says how long it has waited and who has it", async () => {
    expect(cardText(liveCard(harness, cast.helen, requestId))).toMatch(/11 minutes so far, with Megan Bowen, Lee Gu/);
  });

  it('after APPROVAL_WIDEN_MINUTES (20) an approver who could not be asked before gets the card, once', async () => {
    await openApp(harness, cast.patti);
    clock += 10 * 60_000;
    await Promise.all([harness.bot.escalations.sweep(), harness.bot.escalations.sweep()]);
    await harness.bot.escalations.sweep();
    const pattis = harness.connector.activities.filter(
      (a) =>
        a.conversationId === personalChatId(cast.patti) &&
        a.kind === 'send' &&
        a.activity.attachments?.[0]?.content?.refresh?.action?.data?.requestId === requestId,
    );
    expect(pattis).toHaveLength(1);
    expect(cardText(pattis[0]!.activity.attachments[0].content)).toContain('Approve');
    expect(cardText(liveCard(harness, cast.helen, requestId))).toMatch(/minutes so far, with .*Patti Fernandez/);
  });

  it('a denial needs a reason, and gives the agent a next step', async () => {
    const bare = await act(harness, cast.patti, 'escalation.deny', { requestId });
    expect(bare.text).toContain('Say why you deny it');
    await act(harness, cast.patti, 'escalation.deny', { requestId, denialReason: 'Call me on the phone first' });
    const helens = cardText(liveCard(harness, cast.helen, requestId));
    expect(helens).toContain('Denied by Patti Fernandez');
    expect(helens).toContain('Call me on the phone first');
    expect(helens).toContain('Next: talk to Patti Fernandez about the reason');
  });
});
