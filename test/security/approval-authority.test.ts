import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.js';
import { act, cast, fileRequest, openApp } from '../escalation-bot/helpers.js';

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
    expect(view.text).toContain('Only the helpdesk and the people who may approve it can see this request.');
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
      expect(text).toContain('Only Adele Vance’s manager or a member of the approver group can decide on this request.');
      expect(harness.graph.issuedTaps()).toEqual([]);
    } finally {
      group.memberIds = members;
    }
  });

  it('an approver who is not on the helpdesk cannot file a request, so one stolen approver account cannot mint a pass alone', async () => {
    const { text } = await fileRequest(harness, cast.lee, cast.miriam);
    expect(text).toContain('Only the helpdesk can request a pass');
    expect(harness.graph.issuedTaps()).toEqual([]);
  });
});
