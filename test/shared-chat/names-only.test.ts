import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness, type TeamsUser } from '../harness.js';

/** Colleagues see names only: in the choice between several matches, and in the people picker. */
const agentOnly = /@contoso\.com|Sales Associate|Warehouse Lead/;

describe('colleagues see names only', () => {
  let harness: Harness;
  const search = async (from: TeamsUser, queryText: string) =>
    harness.post(
      harness.activity(from, {
        type: 'invoke',
        name: 'application/search',
        value: { queryText, queryOptions: { skip: 0, top: 15 }, dataset: 'ssar.people' },
      }),
    );
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('a choice between several people shows a colleague their names, never sign-in names or job titles', async () => {
    const card = cardOf((await harness.say(people.colleague, 'check Jon')).replies[0]);
    expect(cardText(card)).toContain('Jon Doe');
    expect(cardText(card)).toContain('Jón Doe');
    expect(JSON.stringify(card)).not.toMatch(agentOnly);
  });

  it('the same choice shows an agent the sign-in names and job titles that tell them apart', async () => {
    const card = cardOf((await harness.say(people.agent, 'check Jon')).replies[0]);
    expect(cardText(card)).toContain('jon.doe@contoso.com · Sales Associate');
  });

  describe('when two people share a name', () => {
    beforeAll(() => {
      harness.graph.tenant.users.find((u) => u.userPrincipalName === 'jon.doe2@contoso.com')!.displayName = 'Jon Doe';
    });
    afterAll(() => {
      harness.graph.tenant.users.find((u) => u.userPrincipalName === 'jon.doe2@contoso.com')!.displayName = 'Jón Doe';
    });

    it('a colleague is told there are two and to ask the helpdesk', async () => {
      const card = cardOf((await harness.say(people.colleague, 'check Jon Doe')).replies[0]);
      expect(cardText(card)).toContain('There are 2 people called Jon Doe');
      expect(cardText(card)).toContain('Ask the helpdesk');
      expect(JSON.stringify(card)).not.toMatch(agentOnly);
    });

    it('in a longer list the shared name is one line without a Check button, pointing to the helpdesk', async () => {
      harness.graph.tenant.users.find((u) => u.userPrincipalName === 'johanna.lorenz@contoso.com')!.displayName =
        'Jo Lorenz';
      const card = cardOf((await harness.say(people.colleague, 'check Jo')).replies[0]);
      const text = cardText(card);
      expect(text.match(/Jon Doe/g)).toHaveLength(1);
      expect(text).toContain('2 people have this name: ask the helpdesk');
      expect(JSON.stringify(card)).not.toMatch(agentOnly);
    });

    it("the colleague's people picker offers the name once, and checking it says there are two", async () => {
      const results = (await search(people.colleague, 'Jon Doe')).body.value.results;
      expect(results).toEqual([{ title: 'Jon Doe (2 people)', value: 'Jon Doe' }]);
      const checked = await harness.invoke(people.colleague, 'check', { target: 'Jon Doe' });
      expect(cardText(checked.body.value)).toContain('There are 2 people called Jon Doe');
    });

    it('an agent still gets both, with their sign-in names', async () => {
      const results = (await search(people.agent, 'Jon Doe')).body.value.results;
      expect(results.map((r: { title: string }) => r.title)).toEqual([
        'Jon Doe (jon.doe@contoso.com)',
        'Jon Doe (jon.doe2@contoso.com)',
      ]);
    });
  });
});
