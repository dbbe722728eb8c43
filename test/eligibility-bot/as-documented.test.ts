import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, people, startHarness, type Harness } from '../harness.js';
import { act, fileRequest, openApp } from '../escalation-bot/helpers.js';

/** The requirement lines of an agent's eligibility card: "E5 …: fail" -> { E5: 'fail' }. */
function statuses(card: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of cardText(card).matchAll(/\*\*(E\d+) [^*]+\*\*: (\w+)/g)) out[match[1]!] = match[2]!;
  return out;
}

/*
 * Verdicts read against Microsoft's documentation (docs/eligibility.md), each shown by a person in
 * the demo tenant (src/emulator/README.md).
 */
describe('eligibility as Microsoft documents it', () => {
  let harness: Harness;
  const check = async (upn: string) => {
    const card = cardOf((await harness.say(people.agent, `check ${upn}`)).replies[0]);
    return { card, text: cardText(card), found: statuses(card) };
  };
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, people.agent);
  });
  afterAll(() => harness.close());

  it('a B2B collaboration member fails E1, and Conditional Access for that user type applies to them', async () => {
    const { text, found } = await check('malik.osei_northwind.com#EXT#@contoso.com');
    expect(found.E1).toBe('fail');
    expect(text).toContain('B2B collaboration member from another organisation');
    expect(text).toContain('externalUserState is "Accepted"');
    expect(found.E7).toBe('fail');
    expect(text).toContain('Block security info registration for B2B collaboration members');
    const malik = { aadObjectId: '11111111-0000-4000-8000-000000000025', name: 'Malik Osei (Northwind)' };
    const form = await act(harness, people.agent, 'escalate.start', { userId: malik.aadObjectId });
    expect(form.text).toContain('is a guest from another organisation');
    expect((await fileRequest(harness, people.agent, malik)).requestId).toBeUndefined();
  });
});
