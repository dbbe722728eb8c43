import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const jonDoe = '11111111-0000-4000-8000-000000000004';
const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;

/** Columns a line takes on a phone's screen: CJK and full-width characters take two. */
const width = (line: string) =>
  [...line].reduce(
    (sum, c) => sum + (/[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFF00-\uFF60]/.test(c) ? 2 : 1),
    0,
  );

/** The text box of the plain-text guide card, and the mail it opens. */
function plainGuide(card: any): { text: string; mail: URL } {
  const box = card.body.find((element: any) => element.type === 'Input.Text');
  const mail = card.actions.find((action: any) => action.type === 'Action.OpenUrl');
  return { text: box.value, mail: new URL(mail.url) };
}

describe('the guide outside Teams: plain text for a text message or a mail', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { HELPDESK_CONTACT: '+1 425 555 0100' } });
  });
  afterAll(() => harness.close());

  it('the guide card offers it in the five languages, the reader’s own first', async () => {
    const turn = await harness.say(people.agent, 'guide', undefined, { locale: 'de-DE' });
    const showCard = cardOf(turn.replies[0]).actions.find((action: any) => action.type === 'Action.ShowCard');
    expect(showCard.title).toBe('Als Text für SMS oder Mail');
    const choice = showCard.card.body[0];
    expect(choice.value).toBe('de');
    expect(choice.choices.map((c: any) => c.value)).toEqual(['de', 'en', 'fr', 'es', 'ja']);
    expect(showCard.card.actions[0]).toMatchObject({ type: 'Action.Execute', verb: 'guide.text' });
  });

  it.each(LANGUAGES)(
    'in %s: the link first, short lines, the sign-in name and the helpdesk; the card it came from stays',
    async (language) => {
      const turn = await harness.invoke(people.agent, 'guide.text', { userId: jonDoe, language });
      // The guide card clicked stays; the text arrives as a new message.
      expect(turn.body.value).toBe('The text is below: copy it into a text message or a mail.');
      const sent = turn.replies.filter((reply) => reply.kind === 'send');
      expect(sent).toHaveLength(1);
      const { text, mail } = plainGuide(cardOf(sent[0]));
      const lines = text.split('\n');
      expect(lines[0]).toBe('https://aka.ms/mfasetup');
      expect(lines[1]).toMatch(/^Jon/);
      for (const line of lines) expect(width(line), `"${line}" is too long for a text message`).toBeLessThanOrEqual(60);
      expect(text).toContain('jon.doe@contoso.com');
      expect(text).toContain('AADSTS55200');
      expect(lines.at(-1)).toMatch(/\+1 425 555 0100$/);
      // No markdown: what is copied is what the person reads.
      expect(text).not.toMatch(/\*\*|\[.*\]\(/);
      // Seven steps, numbered, in every language.
      expect(lines.filter((line) => /^[1-7]\. /.test(line))).toHaveLength(7);
      // "Open it in a new mail": no address (the agent adds it), the same text in the body.
      expect(mail.protocol).toBe('mailto:');
      expect(mail.pathname).toBe('');
      expect(mail.searchParams.get('body')).toBe(text.replace(/\n/g, '\r\n'));
      expect(mail.searchParams.get('subject')).toBeTruthy();
    },
  );

  it('is written in the chosen language, whatever language the agent reads', async () => {
    const german = plainGuide(
      cardOf((await harness.invoke(people.agent, 'guide.text', { userId: jonDoe, language: 'de' })).replies[0]),
    );
    expect(german.text).toContain('Öffnen Sie den Link oben in einem privaten Fenster.');
    const japanese = plainGuide(
      cardOf((await harness.invoke(people.agent, 'guide.text', { userId: jonDoe, language: 'ja' })).replies[0]),
    );
    expect(japanese.text).toContain('パスキーを登録します');
    // The card around it is in the agent's language.
    expect(
      cardText(
        cardOf((await harness.invoke(people.agent, 'guide.text', { userId: jonDoe, language: 'ja' })).replies[0]),
      ),
    ).toContain('The guide as plain text, in 日本語');
  });

  it('a colleague’s text carries no sign-in name, and a language the bot does not have is refused', async () => {
    const turn = await harness.invoke(people.colleague, 'guide.text', { userId: jonDoe, language: 'en' });
    const { text } = plainGuide(cardOf(turn.replies[0]));
    expect(text).not.toContain('jon.doe@contoso.com');
    expect(text).toContain('2. Sign in with your work email address or sign-in name.');

    const refused = await harness.invoke(people.agent, 'guide.text', { userId: jonDoe, language: 'klingon' });
    expect(cardText(refused.body.value)).toMatch(/language/);
    expect(refused.replies.filter((reply) => reply.kind === 'send')).toEqual([]);
  });
});
