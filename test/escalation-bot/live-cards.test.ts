import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, type Harness, startHarness, type TeamsUser } from '../harness.js';
import { fileAndStartVerification, startVerifying, verifyAsCaller } from '../verification/helpers.js';
import { act, cast, openApp, personalChatId } from './helpers.js';

/**
 * One live card per request in each person's 1:1 chat, replaced in place (Bot Framework
 * updateActivity) as the request moves, with only the buttons that still apply.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/update-and-delete-bot-messages
 */

/** Messages in a person's chat about this request: new ones (sends) and replacements (updates of one message id). */
function requestMessages(harness: Harness, person: TeamsUser, requestId: string) {
  const about = harness.connector.activities.filter(
    (a) =>
      a.conversationId === personalChatId(person) &&
      a.activity.attachments?.[0]?.content?.refresh?.action?.data?.requestId === requestId,
  );
  return {
    sent: about.filter((a) => a.kind === 'send'),
    messageIds: [...new Set(about.map((a) => a.id))],
    latest: about.at(-1)?.activity.attachments[0].content,
  };
}

const buttons = (card: any): string[] => (card?.actions ?? []).map((a: any) => a.title);

/** Helen opens the form (a message in her chat), sends it, and gets her request's card in its place. */
async function file(harness: Harness, target: TeamsUser) {
  const form = await harness.say(cast.helen, `escalate ${target.aadObjectId}`);
  const formId = form.replies[0]!.id;
  const submitted = await harness.invoke(
    cast.helen,
    'escalate.submit',
    { userId: target.aadObjectId, reason: 'Lost their phone', verification: 'video-call-with-id' },
    harness.personalChat(cast.helen),
    formId,
  );
  if (!submitted.body.value.refresh) throw new Error(cardText(submitted.body.value));
  return { formId, requestId: submitted.body.value.refresh.action.data.requestId as string };
}

describe('one live card per request', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { RATE_LIMIT_PER_REQUESTER_PER_HOUR: '100' } });
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it("approved and issued: the agent's one card moves to Pass issued in place, and no second request card arrives", async () => {
    const { formId, requestId } = await file(harness, cast.adele);
    await act(harness, cast.megan, 'escalation.approve', { requestId });
    const helen = requestMessages(harness, cast.helen, requestId);
    expect(helen.messageIds).toEqual([formId]);
    expect(helen.sent).toEqual([]);
    expect(cardText(helen.latest)).toContain('Pass issued');
    expect(buttons(helen.latest)).not.toContain('Cancel request');
  });

  it('each approver keeps one card, replaced with who decided and no buttons left', async () => {
    const { requestId } = await file(harness, cast.miriam);
    // Teams sends the id of the message holding the card that was pressed.
    const megansCard = requestMessages(harness, cast.megan, requestId).sent[0]!.id;
    await harness.invoke(
      cast.megan,
      'escalation.deny',
      { requestId, denialReason: 'Call me first' },
      harness.personalChat(cast.megan),
      megansCard,
    );
    for (const approver of [cast.megan, cast.lee]) {
      const cards = requestMessages(harness, approver, requestId);
      expect(cards.sent).toHaveLength(1);
      expect(cards.messageIds).toHaveLength(1);
      expect(cardText(cards.latest)).toMatch(/Denied by Megan Bowen/);
      expect(buttons(cards.latest)).toEqual([]);
    }
    const helen = requestMessages(harness, cast.helen, requestId);
    expect(helen.sent).toEqual([]);
    expect(cardText(helen.latest)).toContain('Call me first');
  });

  it("an older card's button answers with the request as it stands now, and changes nothing", async () => {
    const passesBefore = harness.graph.issuedTaps().length;
    const { requestId } = await file(harness, cast.adele);
    await act(harness, cast.helen, 'escalation.cancel', { requestId });
    const late = await act(harness, cast.lee, 'escalation.approve', { requestId });
    expect(late.text).toMatch(/Cancelled by Helen Desk/);
    expect(buttons(late.card)).toEqual([]);
    expect(harness.graph.issuedTaps()).toHaveLength(passesBefore);
  });
});

describe('live cards follow caller verification', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required');
  });
  afterAll(() => harness.close());

  it('verification started, then passed: every card of the request shows it the moment it happens', async () => {
    const started = await fileAndStartVerification(harness);
    const afterStart = requestMessages(harness, cast.megan, started.requestId);
    expect(cardText(afterStart.latest)).toContain('Link sent: waiting for the caller');
    expect(buttons(afterStart.latest)).not.toContain('Approve');

    await verifyAsCaller(harness, started);
    const afterPass = requestMessages(harness, cast.megan, started.requestId);
    expect(afterPass.messageIds).toHaveLength(1);
    expect(cardText(afterPass.latest)).toContain('Passed:');
    expect(buttons(afterPass.latest)).toContain('Approve');
    expect(cardText(requestMessages(harness, cast.helen, started.requestId).latest)).toContain('Passed:');
  });
});
