import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendFailure } from '../../src/localchat/connector.js';
import { COLLECTIONS, keys } from '../../src/storage/collections.js';
import { FileStore } from '../../src/storage/file-store.js';
import { type Harness, startHarness } from '../harness.js';
import { act, cast, fileRequest, openApp, personalChatId } from './helpers.js';

/**
 * Proactive messages as Teams documents them: each 403 and 404 code the Bot Connector answers is
 * named to the agent; a chat Teams says is gone is forgotten; and before a pass exists, the chat it
 * goes to is tried, so a target never loses a working pass for nothing.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-code-responses
 */
const CODES: Array<[SendFailure, RegExp, boolean]> = [
  ['ConversationBlockedByUser', /403 ConversationBlockedByUser: they blocked the app in Teams/, true],
  ['BotNotInConversationRoster', /403 BotNotInConversationRoster: the app is no longer in their chat/, true],
  ['ForbiddenOperationException', /403 ForbiddenOperationException: the app is not installed for them/, true],
  [404, /404 ConversationNotFound: their chat with the app is gone/, true],
  ['BotDisabledByAdmin', /403 BotDisabledByAdmin: a Teams administrator disabled the app/, false],
];

describe.each(CODES)("when the agent's 1:1 chat answers %s", (failure, named, gone) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { RATE_LIMIT_PER_REQUESTER_PER_HOUR: '100' } });
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('no pass is created: the approver reads why, in the words Teams gave', async () => {
    const before = harness.graph.issuedTaps().length;
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    harness.connector.failSendsTo(personalChatId(cast.helen), failure);
    try {
      const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
      expect(approved.text).toContain('Failed');
      expect(approved.text).toMatch(named);
    } finally {
      harness.connector.failSendsTo(personalChatId(cast.helen), undefined);
    }
    if (gone) expect(harness.graph.issuedTaps()).toHaveLength(before);
  });

  it(
    gone
      ? 'the chat is forgotten until the agent opens the app again'
      : 'the chat is kept: the app is off for everyone',
    async () => {
      const store = new FileStore({ dataDir: harness.dataDir });
      try {
        const kept = await store.get(
          COLLECTIONS.conversations,
          keys.conversation(harness.tenantId, cast.helen.aadObjectId),
        );
        expect(kept !== undefined).toBe(!gone);
      } finally {
        await store.close();
      }
    },
  );
});

describe('an approver who uninstalls the app', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('is forgotten on installationUpdate remove, and the agent reads that the card could not reach them', async () => {
    await harness.post(harness.activity(cast.lee, { type: 'installationUpdate', action: 'remove' }));
    const { text } = await fileRequest(harness, cast.helen, cast.adele);
    expect(text).toContain('Lee Gu has not opened the SSAR Helpdesk app in Teams yet');
    expect(text).toContain('Sent for approval to Megan Bowen');
  });
});
