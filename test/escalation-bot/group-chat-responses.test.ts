import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardText, type Harness, startHarness } from '../harness.js';
import { cast, openApp } from './helpers.js';

describe('button answers in a group chat', () => {
  let harness: Harness;
  const groupChat = { id: '19:helpdesk-triage@thread.v2', type: 'groupChat' as const };
  let requestId: string;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan);
    const submitted = await harness.invoke(
      cast.helen,
      'escalate.submit',
      { userId: cast.adele.aadObjectId, reason: 'Lost her phone', verification: 'in-person' },
      groupChat,
      'status-card-in-group',
    );
    requestId = submitted.body.value.refresh.action.data.requestId;
  });
  afterAll(() => harness.close());

  it('a per-viewer status card replaces the shared message, to be refreshed for each viewer', async () => {
    const viewed = await harness.invoke(
      cast.helen,
      'escalation.view',
      { requestId },
      groupChat,
      'status-card-in-group',
    );
    expect(viewed.body.value.refresh).toBeDefined();
    expect(viewed.replies.filter((r) => r.kind === 'update')).toHaveLength(1);
  });

  it('an error answers only the person who clicked: it never replaces the card for everyone', async () => {
    const forged = await harness.invoke(
      cast.alex,
      'escalation.view',
      { requestId, approverId: cast.megan.aadObjectId },
      groupChat,
      'status-card-in-group',
    );
    expect(cardText(forged.body.value)).toContain('unexpected field');
    expect(forged.replies.filter((r) => r.kind === 'update')).toEqual([]);
  });
});
