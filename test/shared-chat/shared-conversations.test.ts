import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../escalation-bot/helpers.js';
import { type Conversation, cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

/*
 * A group chat, a channel or a meeting: several people read what the bot posts there. What it
 * posts is the colleague's answer; an agent's detail arrives only as their own view of the card
 * (Universal Actions refresh, answered by the viewer's own standing), and what names people is
 * answered only in a 1:1 chat.
 */

const groupChat: Conversation = { id: '19:helpdesk-triage@thread.v2', type: 'groupChat' };
const channel: Conversation = { id: '19:general@thread.tacv2', type: 'channel' };
const agentOnly = /jon\.doe@contoso\.com|E5|Sales Associate|group|licen[cs]e|sign-in name/i;

describe.each([
  ['a group chat', groupChat],
  ['a channel', channel],
])('in %s', (_where, conversation) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, people.agent, people.manager);
  });
  afterAll(() => harness.close());

  it("an agent's check posts the colleague's answer for everyone, with a refresh for each viewer", async () => {
    const turn = await harness.say(people.agent, 'check jon.doe@contoso.com', conversation);
    const card = cardOf(turn.replies[0]);
    expect(cardText(card)).toContain('Jon Doe needs the helpdesk');
    expect(JSON.stringify(card)).not.toMatch(agentOnly);
    expect(card.refresh.action).toMatchObject({ verb: 'check.refresh', data: { userId: expect.any(String) } });
    expect(card.refresh.userIds).toContain(`29:${people.agent.aadObjectId}`);
  });

  it("each viewer's refresh is answered by their own standing, and the shared message is left as it is", async () => {
    const posted = await harness.say(people.agent, 'check jon.doe@contoso.com', conversation);
    const card = cardOf(posted.replies[0]);
    const { verb, data } = card.refresh.action;
    const messageId = posted.replies[0]!.id;

    const forAgent = await harness.invoke(people.agent, verb, data, conversation, messageId, 'automatic');
    expect(cardText(forAgent.body.value)).toMatch(/E5/);
    expect(cardText(forAgent.body.value)).toContain('jon.doe@contoso.com');
    expect(forAgent.replies).toEqual([]);

    const forColleague = await harness.invoke(people.colleague, verb, data, conversation, messageId, 'automatic');
    expect(cardText(forColleague.body.value)).toContain('needs the helpdesk');
    expect(JSON.stringify(forColleague.body.value)).not.toMatch(agentOnly);
    expect(forColleague.replies).toEqual([]);
  });

  it('the guide an agent sends from a card is the colleague version: no sign-in name', async () => {
    const turn = await harness.invoke(
      people.agent,
      'guide',
      { userId: '11111111-0000-4000-8000-000000000004' },
      conversation,
    );
    const guide = turn.replies.find((r) => r.kind === 'send');
    expect(cardText(cardOf(guide))).toMatch(/Jon/);
    expect(cardText(cardOf(guide))).not.toContain('jon.doe@contoso.com');
  });

  it.each([
    ['requests', people.agent],
    ['requests', people.manager],
    ['escalate adele.vance@contoso.com', people.agent],
    ['readiness report', people.agent],
  ])('"%s" is answered: ask me in our 1:1 chat, naming nobody', async (text, who) => {
    const turn = await harness.say(who, text, conversation);
    const said = cardText(cardOf(turn.replies[0]));
    expect(said).toContain('Ask me in our 1:1 chat');
    expect(said).not.toMatch(/Helen|Megan|Adele|Alex|Lee/);
    expect(turn.replies).toHaveLength(1);
  });

  it.each([
    ['escalation.view', { requestId: '2f6c1a8e-6d0a-4a59-9c1e-0b7e2f0f4f10' }],
    ['escalation.approve', { requestId: '2f6c1a8e-6d0a-4a59-9c1e-0b7e2f0f4f10' }],
    ['escalate.start', { userId: '11111111-0000-4000-8000-000000000001' }],
    ['verification.start', { requestId: '2f6c1a8e-6d0a-4a59-9c1e-0b7e2f0f4f10' }],
  ])('a %s button pressed there answers only the presser, pointing to the 1:1 chat', async (verb, data) => {
    const turn = await harness.invoke(people.agent, verb, data, conversation);
    expect(cardText(turn.body.value)).toContain('Ask me in our 1:1 chat');
    expect(turn.replies).toEqual([]);
  });
});

describe('in a 1:1 chat nothing changes', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it("an agent's check is the full checklist, with no per-viewer refresh", async () => {
    const turn = await harness.say(people.agent, 'check jon.doe@contoso.com');
    const card = cardOf(turn.replies[0]);
    expect(cardText(card)).toMatch(/E5/);
    expect(card.refresh).toBeUndefined();
  });
});
