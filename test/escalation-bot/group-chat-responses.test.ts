import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, type Harness, people, startHarness } from '../harness.js';

describe('button answers in a group chat', () => {
  let harness: Harness;
  const groupChat = { id: '19:helpdesk-triage@thread.v2', type: 'groupChat' as const };
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it("a viewer's own card answers only them: the shared message is never replaced", async () => {
    const posted = await harness.say(people.agent, 'check adele.vance@contoso.com', groupChat);
    const viewed = await harness.invoke(
      people.agent,
      'check.refresh',
      { userId: '11111111-0000-4000-8000-000000000001' },
      groupChat,
      posted.replies[0]!.id,
    );
    expect(cardText(viewed.body.value)).toContain('adele.vance@contoso.com');
    expect(viewed.replies.filter((r) => r.kind === 'update')).toEqual([]);
  });

  it('an error answers only the person who clicked: it never replaces the card for everyone', async () => {
    const forged = await harness.invoke(
      people.colleague,
      'check.refresh',
      { userId: '11111111-0000-4000-8000-000000000001', approverId: people.manager.aadObjectId },
      groupChat,
      'status-card-in-group',
    );
    expect(cardText(forged.body.value)).toContain('unexpected field');
    expect(forged.replies.filter((r) => r.kind === 'update')).toEqual([]);
  });
});
