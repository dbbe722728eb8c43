import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { type Harness, startHarness } from '../harness.js';
import { act, cast, fileRequest, openApp, passesIn, personalChatId } from './helpers.js';

const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const HELPDESK_GROUP = '22222222-0000-4000-8000-000000000003';

async function trailOf(harness: Harness, requestId: string): Promise<AuditEntry[]> {
  const store = new FileStore({ dataDir: harness.dataDir });
  try {
    return (await store.readLog<AuditEntry>('audit')).filter((entry) => entry.requestId === requestId);
  } finally {
    await store.close();
  }
}

/**
 * The facts a request was filed on change while it waits: issuing decides on the facts as they are
 * when the pass would be created, read fresh from Graph, never on those frozen at filing.
 */
describe('facts that change between filing and approval', () => {
  let harness: Harness;
  let undo: (() => void)[] = [];
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterEach(() => {
    for (const step of undo.reverse()) step();
    undo = [];
  });
  afterAll(() => harness.close());

  const expectNoPass = () => {
    expect(harness.graph.issuedTaps()).toEqual([]);
    expect(passesIn(harness, personalChatId(cast.helen))).toEqual([]);
  };

  it('a plain user made Global Administrator while the request waits gets no pass, and the approver is told why', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    harness.graph.tenant.roleAssignments.push({
      id: 'granted-later',
      principalId: cast.adele.aadObjectId,
      roleDefinitionId: GLOBAL_ADMINISTRATOR,
      directoryScopeId: '/',
    });
    undo.push(() => harness.graph.tenant.roleAssignments.pop());
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(approved.text).toContain('Failed');
    expect(approved.text).toContain(
      'Just before creating the pass I read the account again: Adele Vance holds a directory role (directly, through a group, or eligible to activate it in PIM).',
    );
    expectNoPass();
    const trail = await trailOf(harness, requestId!);
    expect(trail.at(-1)).toMatchObject({ action: 'failed', reason: expect.stringContaining('holds a directory role') });
  });

  it('an agent removed from the helpdesk group before the approval does not get the pass', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.miriam);
    const group = harness.graph.tenant.groups.find((g) => g.id === HELPDESK_GROUP)!;
    const members = [...group.memberIds];
    group.memberIds = members.filter((id) => id !== cast.helen.aadObjectId);
    undo.push(() => (group.memberIds = members));
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(approved.text).toContain('Helen Desk is no longer a member of the helpdesk group, so no pass was created');
    expectNoPass();
    expect((await trailOf(harness, requestId!)).at(-1)).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('no longer a member of the helpdesk group'),
    });
  });

  it('a TAP policy turned off while the request waits is read fresh, past the tenant cache', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const policy = harness.graph.tenant.authenticationMethodConfigurations.TemporaryAccessPass;
    const state = policy.state;
    policy.state = 'disabled';
    undo.push(() => (policy.state = state));
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(approved.text).toContain('The Temporary Access Pass method is turned off in this tenant');
    expectNoPass();
  });

  it('an account disabled while the request waits gets no pass', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const adele = harness.graph.tenant.users.find((u) => u.id === cast.adele.aadObjectId)!;
    adele.accountEnabled = false;
    undo.push(() => (adele.accountEnabled = true));
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(approved.text).toContain('Adele Vance’s account is disabled');
    expectNoPass();
  });
});

describe('a target who gains a role when two approvers are allowed for administrators', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: 'true' } });
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('goes back for a second approval, says why, is audited, and issues only after it', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    harness.graph.tenant.roleAssignments.push({
      id: 'granted-later',
      principalId: cast.adele.aadObjectId,
      roleDefinitionId: GLOBAL_ADMINISTRATOR,
      directoryScopeId: '/',
    });
    const first = await act(harness, cast.megan, 'escalation.approve', { requestId: requestId! });
    expect(first.text).toContain('Waiting for a second approver because Adele Vance now holds a directory role');
    expect(harness.graph.issuedTaps()).toEqual([]);
    const second = await act(harness, cast.lee, 'escalation.approve', { requestId: requestId! });
    expect(second.text).toContain('Pass issued');
    expect(harness.graph.issuedTaps()).toHaveLength(1);
    expect((await trailOf(harness, requestId!)).map((e) => e.action)).toEqual([
      'requested',
      'approved',
      'issuing',
      'reopened',
      'approved',
      'issuing',
      'issued',
    ]);
  });
});
