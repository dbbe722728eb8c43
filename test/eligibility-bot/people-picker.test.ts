import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness, type TeamsUser } from '../harness.js';

/**
 * The people picker: the check, diagnose and escalate cards take the user through an
 * Input.ChoiceSet whose choices Teams fetches from the bot with `application/search` invokes
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search).
 */
const JON = '11111111-0000-4000-8000-000000000004';
const JON_WITH_ACCENT = '11111111-0000-4000-8000-000000000005';
const SIOBHAN = '11111111-0000-4000-8000-000000000012';

/** Every Input.ChoiceSet of a card that fetches its choices from a dataset. */
function typeaheads(card: any): any[] {
  const found: any[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, any>;
      if (element.type === 'Input.ChoiceSet' && element['choices.data']) found.push(element);
      Object.values(element).forEach(walk);
    }
  };
  walk(card);
  return found;
}

describe('the people picker', () => {
  let harness: Harness;
  const search = async (from: TeamsUser, queryText: string, dataset = 'ssar.people') =>
    harness.post(
      harness.activity(from, {
        type: 'invoke',
        name: 'application/search',
        value: { queryText, queryOptions: { skip: 0, top: 15 }, dataset },
      }),
    );

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it("the welcome, diagnose and escalate cards ask for the person through the bot's typeahead dataset, with a label", async () => {
    const welcome = cardOf((await harness.say(people.agent, 'hi')).replies[0]);
    const diagnose = (await harness.invoke(people.agent, 'diagnose.start', {})).body.value;
    const escalate = cardOf((await harness.say(people.agent, 'escalate')).replies[0]);
    for (const card of [welcome, diagnose, escalate]) {
      const [picker] = typeaheads(card);
      expect(picker).toMatchObject({
        style: 'filtered',
        'choices.data': { type: 'Data.Query', dataset: 'ssar.people' },
      });
      expect(picker.label).toBeTruthy();
    }
    expect(typeaheads(escalate)[0]).toMatchObject({
      id: 'userId',
      isRequired: true,
      errorMessage: 'Pick the person from the list.',
    });
  });

  it('answers an agent with names and sign-in names, the object id as the value', async () => {
    const answer = await search(people.agent, 'Jon');
    expect(answer.status).toBe(200);
    expect(answer.body.type).toBe('application/vnd.microsoft.search.searchResponse');
    expect(answer.body.value.results).toEqual(
      expect.arrayContaining([
        { title: 'Jon Doe (jon.doe@contoso.com)', value: JON },
        { title: 'Jón Doe (jon.doe2@contoso.com)', value: JON_WITH_ACCENT },
      ]),
    );
  });

  it('answers a colleague with names only, never a sign-in name', async () => {
    const answer = await search(people.colleague, 'Jon');
    const titles = answer.body.value.results.map((r: any) => r.title);
    expect(titles).toEqual(expect.arrayContaining(['Jon Doe', 'Jón Doe']));
    expect(titles.join(' ')).not.toContain('@');
  });

  it('finds someone by their email address, and encodes an apostrophe for Graph', async () => {
    expect((await search(people.agent, 'jon.doe@contoso.com')).body.value.results).toEqual([
      { title: 'Jon Doe (jon.doe@contoso.com)', value: JON },
    ]);
    harness.graph.resetRequests();
    const answer = await search(people.agent, "O'Brien");
    expect(answer.body.value.results.map((r: any) => r.value)).toContain(SIOBHAN);
    expect(harness.graph.requests.map((r) => decodeURIComponent(r.path)).join('\n')).toContain(
      "startswith(surname,'O''Brien')",
    );
  });

  it('waits for two letters, and turns what cannot be a name into no choices without asking Graph', async () => {
    harness.graph.resetRequests();
    for (const typed of ['J', '  ', "x') or true or ('", '"; drop table']) {
      const answer = await search(people.agent, typed);
      expect(answer.status).toBe(200);
      expect(answer.body.value.results).toEqual([]);
    }
    expect(harness.graph.requests).toEqual([]);
  });

  it('when Graph keeps throttling, the picker shows nothing and typing "check <name>" still works', async () => {
    harness.graph.failNext({ path: /^\/users\?/ }, { status: 429, retryAfterSeconds: 0 }, 20);
    const answer = await search(people.agent, 'Adele');
    expect(answer.status).toBe(200);
    expect(answer.body.value.results).toEqual([]);
    harness.graph.resetRequests();
    const typed = await harness.say(people.agent, 'check adele.vance@contoso.com');
    expect(cardText(cardOf(typed.replies[0]))).toContain('Adele Vance');
  });

  it('a picked person is checked, diagnosed and escalated by object id', async () => {
    const checked = (await harness.invoke(people.agent, 'check', { target: JON, source: 'welcome' })).body.value;
    expect(cardText(checked)).toContain('Jon Doe');
    expect(cardText(checked)).toContain('E5');
    const diagnosed = (await harness.invoke(people.agent, 'diagnose.run', { symptom: '', target: JON })).body.value;
    expect(cardText(diagnosed)).toContain('Jon Doe');
    const form = (
      await harness.invoke(people.agent, 'escalate.start', { userId: '11111111-0000-4000-8000-000000000001' })
    ).body.value;
    expect(cardText(form)).toContain('Request a Temporary Access Pass for Adele Vance');
  });
});
