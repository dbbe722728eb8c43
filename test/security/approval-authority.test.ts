import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, cast, fileRequest, openApp } from '../escalation-bot/helpers.js';
import { type Harness, startHarness } from '../harness.js';

const APPROVER_GROUP = '22222222-0000-4000-8000-000000000004';

/**
 * Who may see and decide a request is read from the directory when they act, never from the card
 * they clicked: a forwarded card, a stale membership or a single stolen account is not enough.
 */
describe('authority over a pass request', () => {
  let harness: Harness;
  let requestId: string;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee, cast.patti, cast.alex);
    requestId = (await fileRequest(harness, cast.helen, cast.adele, { reason: 'Lost her phone in Lisbon' })).requestId!;
  });
  afterAll(() => harness.close());

  it('a curious colleague who sends "view" with a request id sees none of its details', async () => {
    const view = await act(harness, cast.alex, 'escalation.view', { requestId });
    expect(view.text).toContain('No such request');
    expect(view.text).not.toContain('Lisbon');
    expect(view.text).not.toContain('adele.vance@contoso.com');
    expect(view.card.actions ?? []).toEqual([]);
  });

  it('an approver removed from the approver group after the request was sent can no longer approve it', async () => {
    const group = harness.graph.tenant.groups.find((g) => g.id === APPROVER_GROUP)!;
    const members = [...group.memberIds];
    group.memberIds = members.filter((id) => id !== cast.lee.aadObjectId);
    try {
      const { text } = await act(harness, cast.lee, 'escalation.approve', { requestId });
      expect(text).toContain('No such request');
      expect(text).not.toContain('Adele');
      expect(harness.graph.issuedTaps()).toEqual([]);
    } finally {
      group.memberIds = members;
    }
  });

  it('a colleague, a stranger the directory does not know and the manager of another request learn nothing: the answer is the one for an id nobody filed', async () => {
    // Alex becomes Miriam's manager and may decide on her request, not on Adele's.
    const miriam = harness.graph.tenant.users.find((u) => u.id === cast.miriam.aadObjectId)!;
    const managerBefore = miriam.managerId;
    miriam.managerId = cast.alex.aadObjectId;
    try {
      expect((await fileRequest(harness, cast.helen, cast.miriam)).requestId).toBeDefined();
      const stranger = { aadObjectId: 'cccccccc-0000-4000-8000-000000000001', name: 'Stranger' };
      const answer = async (person: { aadObjectId: string; name: string }, verb: string, id: string) =>
        JSON.stringify((await harness.invoke(person, verb, { requestId: id })).body?.value);
      const nobodysId = '00000000-0000-4000-8000-0000000000ff';
      for (const verb of [
        'escalation.view',
        'escalation.approve',
        'escalation.deny',
        'escalation.cancel',
        'pass.hide',
      ]) {
        const unknown = await answer(cast.alex, verb, nobodysId);
        expect(unknown).toContain('No such request');
        for (const person of [cast.alex, stranger]) {
          const said = await answer(person, verb, requestId);
          expect(said, `${verb} by ${person.name}`).toBe(unknown);
          for (const secret of ['Adele', 'adele.vance', 'Lisbon', 'Lost her phone', 'manager'])
            expect(said).not.toContain(secret);
        }
      }
      expect(harness.graph.issuedTaps()).toEqual([]);
    } finally {
      miriam.managerId = managerBefore;
    }
  });

  it('an approver who is not on the helpdesk cannot file a request, so one stolen approver account cannot mint a pass alone', async () => {
    const { text } = await fileRequest(harness, cast.lee, cast.miriam);
    expect(text).toContain('Only the helpdesk can request a pass');
    expect(harness.graph.issuedTaps()).toEqual([]);
  });
});
