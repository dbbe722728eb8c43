import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { cardOf, cardText, type Harness, people, startHarness, type TeamsUser } from '../harness.js';
import { act, cast, fileRequest, openApp, passesIn, personalChatId } from './helpers.js';

const kenji: TeamsUser = { aadObjectId: '11111111-0000-4000-8000-000000000023', name: 'Kenji Watanabe' };
const priya: TeamsUser = { aadObjectId: '11111111-0000-4000-8000-000000000024', name: 'Priya Raman' };
const NO_TAP_GROUP = '22222222-0000-4000-8000-000000000006';

/*
 * Escalation read against Microsoft's documentation rather than the emulator's first guesses
 * (docs/eligibility.md): roles held through groups and PIM, and what Graph says about the pass it made.
 */
describe('privileged targets, however they hold the role', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it.each([
    ['Global Administrator through a role-assignable group', kenji],
    ['eligible for Global Administrator in PIM', priya],
  ])('refuses someone who is %s', async (_case, target) => {
    const form = await act(harness, cast.helen, 'escalate.start', { userId: target.aadObjectId });
    expect(form.text).toContain(
      `${target.name} holds a directory role (directly, through a group, or eligible to activate it in PIM)`,
    );
    const { text, requestId } = await fileRequest(harness, cast.helen, target);
    expect(text).toContain('holds a directory role');
    expect(requestId).toBeUndefined();
    expect(harness.graph.issuedTaps()).toEqual([]);
  });

  it('notices a role given to the group a minute ago, though the tenant-wide facts were read before', async () => {
    await act(harness, cast.helen, 'escalate.start', { userId: cast.adele.aadObjectId }); // warms the tenant cache
    harness.graph.tenant.roleAssignments.push({
      id: 'new-group-assignment',
      principalId: '22222222-0000-4000-8000-000000000001',
      roleDefinitionId: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
      directoryScopeId: '/',
    });
    try {
      const form = await act(harness, cast.helen, 'escalate.start', { userId: cast.adele.aadObjectId });
      expect(form.text).toContain('Adele Vance holds a directory role');
    } finally {
      harness.graph.tenant.roleAssignments.pop();
    }
  });
});

describe('the pass Graph creates but says cannot be used', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('is deleted, never shown, and the request fails with Graph’s reason in the trail', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    expect(requestId).toBeDefined();
    // The TAP policy changes after the bot's last read, just before it creates the pass: Adele is now in its excluded group.
    harness.graph.changeBeforeNext({ method: 'POST', path: /temporaryAccessPassMethods/ }, (tenant) =>
      tenant.groups.find((group) => group.id === NO_TAP_GROUP)!.memberIds.push(cast.adele.aadObjectId),
    );

    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(approved.text).toContain('Failed');
    expect(approved.text).toContain(
      'Microsoft Graph created the pass but says it cannot be used to sign in (DisabledByPolicy',
    );
    expect(approved.text).toContain('it was deleted and not handed over');
    expect(harness.graph.issuedTaps()).toHaveLength(1);

    const methods = await fetch(
      `${harness.graph.baseUrl}/users/${cast.adele.aadObjectId}/authentication/temporaryAccessPassMethods`,
    ).then((r) => r.json());
    expect(methods.value).toEqual([]);
    expect((await harness.bot.escalations.current(harness.tenantId, requestId!))?.state).toBe('failed');

    const store = new FileStore({ dataDir: harness.dataDir });
    try {
      const trail = (await store.readLog<AuditEntry>('audit')).filter((entry) => entry.requestId === requestId);
      expect(trail.map((entry) => entry.action)).toEqual(['requested', 'approved', 'issuing', 'failed']);
      expect(JSON.stringify(trail.at(-1))).toContain('DisabledByPolicy');
    } finally {
      await store.close();
    }
  });
});

describe('a registration policy whose authentication strength accepts only a one-time pass', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    // Before the first turn, since the tenant-wide facts are cached once read.
    const { tenant } = harness.graph;
    tenant.authenticationMethodConfigurations.TemporaryAccessPass.isUsableOnce = false;
    const template = tenant.conditionalAccessPolicies.find((policy) => policy.grantControls?.authenticationStrength)!;
    tenant.conditionalAccessPolicies.push({
      ...structuredClone(template),
      id: '44444444-0000-4000-8000-0000000000f1',
      displayName: 'Register security info with a one-time pass or a passkey',
      conditions: {
        ...structuredClone(template.conditions)!,
        users: {
          includeUsers: ['All'],
          excludeUsers: [],
          includeGroups: [],
          excludeGroups: [],
          includeRoles: [],
          excludeRoles: [],
        },
      },
      grantControls: {
        operator: 'OR',
        builtInControls: [],
        authenticationStrength: {
          id: 'one-time-or-passkey',
          displayName: 'One-time pass or passkey',
          allowedCombinations: ['temporaryAccessPassOneTime', 'fido2'],
        },
      },
    });
    await openApp(harness, cast.helen, cast.megan, cast.lee);
  });
  afterAll(() => harness.close());

  it('E7 judges the pass the bot would issue, and the bot issues a one-time pass though the TAP policy allows multi-use', async () => {
    const check = cardText(cardOf((await harness.say(people.agent, 'check adele.vance@contoso.com')).replies[0]));
    expect(check).toMatch(/\*\*E7 [^*]+\*\*: pass/);

    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const approved = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(approved.text).toContain('Pass issued');
    const pass = passesIn(harness, personalChatId(cast.helen))[0];
    expect(pass).toBeDefined();
    const methods = await fetch(
      `${harness.graph.baseUrl}/users/${cast.adele.aadObjectId}/authentication/temporaryAccessPassMethods`,
    ).then((r) => r.json());
    expect(methods.value).toMatchObject([{ isUsableOnce: true, isUsable: true }]);
  });
});
