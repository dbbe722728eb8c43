import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { type Harness, startHarness } from '../harness.js';
import { act, cast, fileRequest, openApp, passesIn, personalChatId } from './helpers.js';

const tapMethodsOf = async (harness: Harness, userId: string) =>
  (await (await fetch(`${harness.graph.baseUrl}/users/${userId}/authentication/temporaryAccessPassMethods`)).json())
    .value as unknown[];

/**
 * The Bot Connector refuses messages to the agent's chat (the agent uninstalled the app, or the
 * connector fails): right before the pass would be created, the agent's card is replaced as a probe,
 * and it fails, so no pass is created (a new one would replace the target's) and none counts as issued.
 */
describe.each([404, 500] as const)('when the agent’s 1:1 chat answers %i', (status) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  // A 5xx is retried by the Bot Connector client (with backoff) on the probe and on each card update.
  it('no pass is created, the request ends failed with the reason, the approver is told, and it is audited', {
    timeout: 60_000,
  }, async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    harness.connector.failSendsTo(personalChatId(cast.helen), status);
    try {
      const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
      expect(approved.text).not.toContain('Pass issued');
      expect(approved.text).toContain('Failed');
      expect(approved.text).toContain(
        `Helen Desk cannot be shown the pass in Teams (the Bot Connector answered ${status}`,
      );
      expect(approved.text).toContain('so no pass was created');
    } finally {
      harness.connector.failSendsTo(personalChatId(cast.helen), undefined);
    }
    // Graph created no pass; nothing reached Helen.
    expect(harness.graph.issuedTaps()).toEqual([]);
    expect(await tapMethodsOf(harness, cast.adele.aadObjectId)).toEqual([]);
    expect(passesIn(harness, personalChatId(cast.helen))).toEqual([]);
    const record = await harness.bot.escalations.current(harness.tenantId, requestId!);
    expect(record?.state).toBe('failed');
    const store = new FileStore({ dataDir: harness.dataDir });
    const trail = (await store.readLog<AuditEntry>('audit')).filter((e) => e.requestId === requestId);
    await store.close();
    expect(trail.map((e) => e.action)).toEqual(['requested', 'approved', 'issuing', 'failed']);
    expect(trail.at(-1)?.reason).toContain(`the Bot Connector answered ${status}`);
  });

  it('once the chat works again, a new request is issued and delivered as usual', async () => {
    // The failure notice could not reach Helen while her chat refused messages; a new request works end to end.
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(approved.text).toContain('Pass issued');
    expect(passesIn(harness, personalChatId(cast.helen))).toHaveLength(1);
  });
});
