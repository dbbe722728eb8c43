import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXTRACT_CHARS } from '../../src/diagnosis/extract.js';
import { MAX_MESSAGE_CHARS } from '../../src/teams/app.js';
import { plain } from '../../src/teams/cards.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const HOSTILE_NAME = 'Adele [verify here](https://evil.example/login) **URGENT** <img src=x>';

describe('what a person types is bounded and read as text', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it(`a message longer than ${MAX_MESSAGE_CHARS.toLocaleString('en-US')} characters is answered with the limit, and nothing is looked up`, async () => {
    harness.graph.resetRequests();
    const turn = await harness.say(people.agent, `check ${'adele '.repeat(1500)}`);
    const text = cardText(cardOf(turn.replies[0]));
    expect(text).toContain('That message is too long');
    expect(text).toContain('Your message has 9,006 characters; I read at most 8,000. Nothing was looked up.');
    expect(harness.graph.requests).toEqual([]);
  });

  it('a message of exactly the limit is read as usual', async () => {
    const said = `hi${' '.repeat(MAX_MESSAGE_CHARS - 2)}`;
    const text = cardText(cardOf((await harness.say(people.colleague, said)).replies[0]));
    expect(text).not.toContain('too long');
  });

  it('a pasted error page may be longer, up to what diagnosis reads', async () => {
    const page = `Sign-in failed. AADSTS50053 ${'Troubleshooting details. '.repeat(600)}`;
    expect(page.length).toBeGreaterThan(MAX_MESSAGE_CHARS);
    expect(page.length).toBeLessThan(MAX_EXTRACT_CHARS);
    const text = cardText(cardOf((await harness.say(people.colleague, page)).replies[0]));
    expect(text).toContain('AADSTS50053');
    expect(text).not.toContain('too long');
  });

  it('a pasted error longer than diagnosis reads is refused with that limit', async () => {
    const page = `AADSTS50053 ${'x'.repeat(MAX_EXTRACT_CHARS)}`;
    const text = cardText(cardOf((await harness.say(people.colleague, page)).replies[0]));
    expect(text).toContain('I read at most 20,000 for a pasted error');
  });
});

describe('directory text on a card is shown as text, never as markup', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    // A display name is set by whoever manages the account; it must not become a phishing link.
    harness.graph.tenant.users.find((user) => user.userPrincipalName === 'adele.vance@contoso.com')!.displayName =
      HOSTILE_NAME;
    await harness.say(people.agent, 'hi');
  });
  afterAll(() => harness.close());

  const expectInert = (card: unknown) => {
    const text = cardText(card);
    expect(text).toContain('verify here');
    expect(text).not.toContain('[verify here](https://evil.example/login)');
    expect(text).not.toContain('**URGENT**');
    expect(text).not.toMatch(/(^|[^\\])<img/);
  };

  it('on the agent’s eligibility card', async () => {
    expectInert(cardOf((await harness.say(people.agent, 'check adele.vance@contoso.com')).replies[0]));
  });

  it('on a colleague’s eligibility card', async () => {
    expectInert(cardOf((await harness.say(people.colleague, 'check adele.vance@contoso.com')).replies[0]));
  });

  it('on the pass request form', async () => {
    const turn = await harness.invoke(people.agent, 'escalate.start', {
      userId: '11111111-0000-4000-8000-000000000001',
    });
    expectInert(turn.body.value);
  });

  it('plain() escapes every character that starts markdown, HTML or a template expression', () => {
    expect(plain('[a](b) *c* _d_ `e` <f> ~g~ \\ ${h}')).toBe(
      '\\[a\\](b) \\*c\\* \\_d\\_ \\`e\\` \\<f\\> \\~g\\~ \\\\ $\u200b{h}',
    );
    expect(plain('x'.repeat(600))).toHaveLength(500);
  });
});
