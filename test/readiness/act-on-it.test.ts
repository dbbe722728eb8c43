import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMES_PER_PAGE } from '../../src/readiness/not-ready.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

/** Every Action.Execute in a card, wherever it sits (ActionSets in the body included). */
function executes(node: unknown, found: any[] = []): any[] {
  if (Array.isArray(node)) for (const child of node) executes(child, found);
  else if (node && typeof node === 'object') {
    const element = node as Record<string, any>;
    if (element.type === 'Action.Execute') found.push(element);
    for (const child of Object.values(element)) executes(child, found);
  }
  return found;
}

describe('the readiness summary an agent can act on (demo tenant)', () => {
  let harness: Harness;
  let summary: any;
  const idOf = (upn: string) => harness.graph.tenant.users.find((u) => u.userPrincipalName === upn)!.id;
  const buttonsFor = (card: any, userId: string) =>
    executes(card)
      .filter((action) => action.data?.userId === userId)
      .map((action) => action.title);

  beforeAll(async () => {
    harness = await startHarness();
    const chat = harness.personalChat(people.agent);
    const since = harness.connector.activities.length;
    await harness.say(people.agent, 'readiness report');
    summary = cardOf(
      await harness.connector.waitFor(
        (a) =>
          harness.connector.activities.indexOf(a) >= since &&
          a.conversationId === chat.id &&
          /members are ready/.test(cardText(cardOf(a))),
        20_000,
      ),
    );
  });
  afterAll(() => harness.close());

  it('lists the members who are not ready under the fix they need, each with Check', () => {
    const text = cardText(summary);
    expect(text).toContain('Who is not ready, by what to fix');
    expect(text).toMatch(/E3 Signed in before: 2 never signed in/);
    expect(text).toContain('Miriam Graham');
    expect(text).not.toContain('Adele Vance');
    const check = executes(summary).find((a) => a.data?.userId === idOf('miriam.graham@contoso.com'));
    expect(check).toMatchObject({ title: 'Check', verb: 'check.refresh', data: { answerAs: 'new-card' } });
  });

  it('offers Escalate only where a pass could be requested, and says why not elsewhere', async () => {
    const pages = [summary];
    for (let page = 1; JSON.stringify(pages.at(-1)).includes('Next names'); page++) {
      const jobId = executes(summary).find((a) => a.verb === 'readiness.page')!.data.jobId;
      const turn = await harness.invoke(people.agent, 'readiness.page', { jobId, page: String(page) });
      pages.push(turn.body.value);
    }
    const all = { pages };
    expect(buttonsFor(all, idOf('miriam.graham@contoso.com'))).toContain('Escalate');
    // Disabled, outside the TAP policy, a directory role: the escalation would refuse each.
    expect(buttonsFor(all, idOf('diego.siciliani@contoso.com'))).not.toContain('Escalate');
    expect(buttonsFor(all, idOf('isaiah.langer@contoso.com'))).not.toContain('Escalate');
    expect(buttonsFor(all, idOf('nestor.wilke@contoso.com'))).not.toContain('Escalate');
    const text = pages.map(cardText).join('\n');
    expect(text).toContain('No pass can be requested: the account is disabled or a guest.');
    expect(text).toContain('No pass can be requested here: they hold a directory role.');
  });

  it('pages the names, with the page it is on', async () => {
    const names = executes(summary).filter((a) => a.title === 'Check');
    expect(names.length).toBeLessThanOrEqual(NAMES_PER_PAGE);
    expect(cardText(summary)).toMatch(/Page 1 of (\d+)\./);
    const pages = Number(cardText(summary).match(/Page 1 of (\d+)\./)![1]);
    expect(pages).toBeGreaterThan(1);
    const jobId = executes(summary).find((a) => a.title === 'Next names')!.data.jobId;
    const second = await harness.invoke(people.agent, 'readiness.page', { jobId, page: '1' });
    expect(cardText(second.body.value)).toContain(`Page 2 of ${pages}.`);
    expect(executes(second.body.value).some((a) => a.title === 'Previous names')).toBe(true);
    // The list is the agent's own: another person paging it is told it is gone.
    const stranger = await harness.invoke(people.manager, 'readiness.page', { jobId, page: '1' });
    expect(cardText(stranger.body.value)).not.toContain('Miriam');
  });

  it('Check on the list answers with a new card and leaves the summary where it is', async () => {
    const chat = harness.personalChat(people.agent);
    const turn = await harness.invoke(
      people.agent,
      'check.refresh',
      { userId: idOf('miriam.graham@contoso.com'), answerAs: 'new-card' },
      chat,
    );
    expect(turn.body.type).toBe('application/vnd.microsoft.activity.message');
    const sent = turn.replies.find((reply) => reply.kind === 'send');
    expect(cardText(cardOf(sent))).toContain('SSAR will not work for Miriam Graham yet');
    expect(turn.replies.some((reply) => reply.kind === 'update')).toBe(false);
  });
});
