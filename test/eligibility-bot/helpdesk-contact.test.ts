import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, helpdeskContact, loadConfig } from '../../src/config.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const jonDoe = '11111111-0000-4000-8000-000000000004';

describe('a colleague gets a way to the helpdesk on every answer', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { HELPDESK_CONTACT: '+1 425 555 0100' } });
    // Helen, the helpdesk agent, has opened the app, so the bot can write to her.
    await harness.say(people.agent, 'hi');
  });
  afterAll(() => harness.close());

  it('the answer shows the helpdesk contact with a button that calls it, and "Ask the helpdesk for them"', async () => {
    const turn = await harness.say(people.colleague, 'check jon.doe@contoso.com');
    const card = cardOf(turn.replies[0]);
    expect(cardText(card)).toContain('needs the helpdesk');
    expect(cardText(card)).toContain('Helpdesk: +1 425 555 0100');
    expect(card.actions).toContainEqual({
      type: 'Action.OpenUrl',
      title: 'Call the helpdesk',
      url: 'tel:+14255550100',
    });
    expect(card.actions).toContainEqual(
      expect.objectContaining({ title: 'Ask the helpdesk for them', verb: 'helpdesk.ask' }),
    );
  });

  it('"Ask the helpdesk for them" tells the agents who asks and for whom, nothing more, once an hour', async () => {
    const helensChat = harness.personalChat(people.agent);
    const since = harness.connector.activities.length;
    const turn = await harness.invoke(people.colleague, 'helpdesk.ask', { userId: jonDoe });
    expect(turn.body.value).toBe(
      'I told the helpdesk that you asked them to help Jon Doe. To reach them yourself: +1 425 555 0100.',
    );
    const toHelen = harness.connector.activities
      .slice(since)
      .filter((a) => a.conversationId === helensChat.id && cardOf(a));
    expect(toHelen).toHaveLength(1);
    const notice = cardOf(toHelen[0]);
    expect(notice.body.map((block: { text: string }) => block.text)).toEqual([
      'A colleague asks the helpdesk for help',
      'Alex Wilber asks the helpdesk to help Jon Doe get back into their account.',
    ]);
    expect(JSON.stringify(notice)).not.toContain('jon.doe@contoso.com');

    const again = await harness.invoke(people.colleague, 'helpdesk.ask', { userId: jonDoe });
    expect(again.body.value).toMatch(/^You already asked the helpdesk to help Jon Doe at .+; they have it\./);
    expect(harness.connector.activities.slice(since).filter((a) => a.conversationId === helensChat.id)).toHaveLength(1);
  });

  it('an ask about an account that does not exist says so and how to reach the helpdesk', async () => {
    const turn = await harness.invoke(people.colleague, 'helpdesk.ask', {
      userId: '11111111-0000-4000-8000-0000000009ff',
      answerAs: 'new-card',
    });
    // In a 1:1 chat the refusal arrives as a new message; the card clicked stays.
    expect(turn.body.value).toBe('That did not work: the reason and what to do next are in the message below.');
    const text = cardText(cardOf(turn.replies.find((reply) => reply.kind === 'send')));
    expect(text).toContain('That account no longer exists.');
    expect(text).toContain('To reach them yourself: +1 425 555 0100.');
  });
});

describe('HELPDESK_CONTACT', () => {
  it('takes a phone number, a mail address or an https link', () => {
    expect(helpdeskContact('+44 (0)20 7946 0000')).toEqual({
      kind: 'phone',
      text: '+44 (0)20 7946 0000',
      url: 'tel:+4402079460000',
    });
    expect(helpdeskContact('helpdesk@contoso.com')?.url).toBe('mailto:helpdesk@contoso.com');
    expect(helpdeskContact('https://helpdesk.contoso.com/new')?.kind).toBe('link');
  });

  it('refuses anything else at start-up, saying what it takes', () => {
    for (const value of ['javascript:alert(1)', 'http://helpdesk.contoso.com', 'call Bob'])
      expect(() => loadConfig({ HELPDESK_CONTACT: value })).toThrow(ConfigError);
  });
});
