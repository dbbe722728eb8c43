import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const idOf = (harness: Harness, upn: string) => harness.graph.tenant.users.find((u) => u.userPrincipalName === upn)!.id;
const titles = (card: any): string[] => (card.actions ?? []).map((action: { title: string }) => action.title);

describe('no dead ends: no button that will be refused, and answers that leave the card they came from', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const checklist = async (upn: string) => cardOf((await harness.say(people.agent, `check ${upn}`)).replies[0]);

  it('offers Escalate only where a pass could be requested, and says why not elsewhere', async () => {
    expect(titles(await checklist('adele.vance@contoso.com'))).toContain('Escalate to a pass');
    const disabled = await checklist('diego.siciliani@contoso.com');
    expect(titles(disabled)).not.toContain('Escalate to a pass');
    expect(cardText(disabled)).toContain('No pass can be requested: the account is disabled or a guest.');
    const guest = await checklist('ravi.patel_fabrikam.com#EXT#@contoso.com');
    expect(titles(guest)).not.toContain('Escalate to a pass');
    const admin = await checklist('nestor.wilke@contoso.com');
    expect(titles(admin)).not.toContain('Escalate to a pass');
    expect(cardText(admin)).toContain('No pass can be requested here: they hold a directory role.');
    const outsideTap = await checklist('isaiah.langer@contoso.com');
    expect(cardText(outsideTap)).toContain('outside the Temporary Access Pass policy');
    expect(titles(outsideTap)).not.toContain('Escalate to a pass');
  });

  it('warns before sending the guide to someone who cannot recover with it', async () => {
    const canRecover = await checklist('adele.vance@contoso.com');
    expect(canRecover.actions.find((a: any) => a.title === 'Send the guide')).toMatchObject({
      type: 'Action.Execute',
      verb: 'guide',
    });
    const cannot = await checklist('jon.doe@contoso.com');
    const send = cannot.actions.find((a: any) => a.title === 'Send the guide');
    expect(send.type).toBe('Action.ShowCard');
    expect(cardText(send.card)).toContain(
      'The check says Jon Doe cannot recover on their own yet, so the guide will not work for them until E5 is fixed. Send it anyway?',
    );
    expect(send.card.actions).toEqual([
      expect.objectContaining({ type: 'Action.Execute', title: 'Send it anyway', verb: 'guide' }),
    ]);
  });

  it('Diagnose on a checklist arrives as a new card and leaves the checklist', async () => {
    const card = await checklist('jon.doe@contoso.com');
    const diagnose = card.actions.find((a: any) => a.title === 'Diagnose');
    expect(diagnose.data.answerAs).toBe('new-card');
    const turn = await harness.invoke(
      people.agent,
      'diagnose.start',
      diagnose.data,
      harness.personalChat(people.agent),
    );
    expect(turn.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(turn.replies.filter((reply) => reply.kind === 'update')).toEqual([]);
    expect(cardText(cardOf(turn.replies.find((reply) => reply.kind === 'send')))).toContain('Jon Doe');
  });

  it('an error from a card worth keeping arrives as a new card that says what to do next; in a group chat it stays private', async () => {
    // Escalate on the readiness list asks for its answer as a new card; an older card may still offer it.
    const diego = idOf(harness, 'diego.siciliani@contoso.com');
    const inPersonal = await harness.invoke(people.agent, 'escalate.start', { userId: diego, answerAs: 'new-card' });
    expect(inPersonal.body.value).toBe('That did not work: the reason and what to do next are in the message below.');
    const refusal = cardText(cardOf(inPersonal.replies.find((reply) => reply.kind === 'send')));
    expect(refusal).toContain('Re-enable the account through your usual process first');
    expect(refusal).toMatch(/What to do next: /);

    const group = { id: '19:no-dead-ends@thread.v2', type: 'groupChat' as const };
    const inGroup = await harness.invoke(
      people.agent,
      'escalate.start',
      { userId: diego, answerAs: 'new-card' },
      group,
    );
    // In a shared chat the answer (whatever it says there) stays the clicker's own card: no new message for all.
    expect(inGroup.body.value.type).toBe('AdaptiveCard');
    expect(inGroup.replies.filter((reply) => reply.kind === 'send')).toEqual([]);
  });

  it('welcomes each person by role: agents see requests and the readiness report, colleagues no helpdesk-only actions', async () => {
    const agent = cardText(cardOf((await harness.say(people.agent, 'hi')).replies[0]));
    for (const line of ['**requests**', '**readiness report**', 'Escalate']) expect(agent).toContain(line);
    const colleague = cardText(cardOf((await harness.say(people.colleague, 'hi')).replies[0]));
    for (const line of ['requests', 'readiness report', 'Escalate']) expect(colleague).not.toContain(line);
    expect(colleague).toContain('Helpdesk: +1 425 555 0100');
    const approver = cardText(cardOf((await harness.say(people.approver, 'hi')).replies[0]));
    expect(approver).toContain('**requests**');
    expect(approver).not.toContain('readiness report');
  });
});
