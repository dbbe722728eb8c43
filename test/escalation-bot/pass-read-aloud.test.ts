import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness.js';
import { act, cardsIn, cast, openApp, passesIn, personalChatId } from './helpers.js';

/** The texts of the pass card's rich text blocks: the pass, its groups, the characters named. */
function passCard(harness: Harness): { pass: string; groups: string; spelled: string; hint: string } {
  const card = cardsIn(harness, personalChatId(cast.helen)).find((c) =>
    c?.body?.some?.((e: any) => e.type === 'RichTextBlock'),
  );
  const runs = card.body.filter((e: any) => e.type === 'RichTextBlock').map((e: any) => e.inlines[0].text as string);
  const hint = card.body.find((e: any) => e.type === 'TextBlock' && /read it out/.test(e.text))?.text ?? '';
  return { pass: runs[0], groups: runs[1], spelled: runs[2], hint };
}

describe('the pass as the agent reads it out on a call', () => {
  let harness: Harness;
  beforeAll(async () => {
    // A longer pass than the default eight characters shows the grouping best.
    harness = await startHarness();
    harness.graph.tenant.authenticationMethodConfigurations.TemporaryAccessPass!.defaultLength = 14;
    await openApp(harness, cast.helen, cast.megan, cast.lee);
    const submitted = await harness.invoke(cast.helen, 'escalate.submit', {
      userId: cast.adele.aadObjectId,
      reason: 'Lost her phone on a trip',
      verification: 'video-call-with-id',
    });
    await act(harness, cast.megan, 'escalation.approve', {
      requestId: submitted.body.value.refresh.action.data.requestId,
    });
  });
  afterAll(() => harness.close());

  it('shows the pass as it is, to copy, then in groups of four, then each character named', () => {
    const { pass, groups, spelled, hint } = passCard(harness);
    expect(pass).toBe(passesIn(harness, personalChatId(cast.helen))[0]);
    expect(pass).toHaveLength(14);
    expect(hint).toBe('To read it out: in groups of four, each character named');
    expect(groups.split(' ').map((g) => g.length)).toEqual([4, 4, 4, 2]);
    expect(groups.replace(/ /g, '')).toBe(pass);
    // One named character per character of the pass, group by group; case said for every letter.
    const said = spelled.split(' / ').map((group) => group.split(', '));
    expect(said.map((group) => group.length)).toEqual([4, 4, 4, 2]);
    const names = said.flat();
    [...pass].forEach((c, i) => {
      if (/[A-Z]/.test(c)) expect(names[i]).toBe(`capital ${c}`);
      else if (/[a-z]/.test(c)) expect(names[i]).toBe(`small ${c}`);
      else if (/\d/.test(c)) expect(names[i]).toBe(c);
      else expect(names[i]).toMatch(/^[a-z ]+$/);
    });
  });
});
