import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, fileRequest, openApp } from '../escalation-bot/helpers.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

/** The requirement lines of an agent's eligibility card: "E5 …: fail" -> { E5: 'fail' }. */
function statuses(card: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of cardText(card).matchAll(/\*\*(E\d+) [^*]+\*\*: (\w+)/g)) out[match[1]!] = match[2]!;
  return out;
}

/*
 * Verdicts read against Microsoft's documentation (docs/eligibility.md), each shown by a person in
 * the demo tenant (src/emulator/README.md).
 */
describe('eligibility as Microsoft documents it', () => {
  let harness: Harness;
  const check = async (upn: string) => {
    const card = cardOf((await harness.say(people.agent, `check ${upn}`)).replies[0]);
    return { card, text: cardText(card), found: statuses(card) };
  };
  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, people.agent);
  });
  afterAll(() => harness.close());

  it('a B2B collaboration member fails E1, and Conditional Access for that user type applies to them', async () => {
    const { text, found } = await check('malik.osei_northwind.com#EXT#@contoso.com');
    expect(found.E1).toBe('fail');
    expect(text).toContain('B2B collaboration member from another organisation');
    expect(text).toContain('externalUserState is "Accepted"');
    expect(found.E7).toBe('fail');
    expect(text).toContain('Block security info registration for B2B collaboration members');
    const malik = { aadObjectId: '11111111-0000-4000-8000-000000000025', name: 'Malik Osei (Northwind)' };
    const form = await act(harness, people.agent, 'escalate.start', { userId: malik.aadObjectId });
    expect(form.text).toContain('is a guest from another organisation');
    expect((await fileRequest(harness, people.agent, malik)).requestId).toBeUndefined();
  });

  it('E8 follows the profile linked to the user’s own recovery group, not the tenant’s best one', async () => {
    const noah = await check('noah.fischer@contoso.com');
    expect(noah.found.E2).toBe('pass');
    expect(noah.found.E8).toBe('fail');
    expect(noah.text).toContain(
      'Profile "Contoso recovery rehearsal (Evaluation)" (Evaluation, priority 1, exact name matching) applies through "acl\\_ssar\\_eval\\_pilot"',
    );
    const adele = await check('adele.vance@contoso.com');
    expect(adele.found.E8).toBe('pass');
    expect(adele.text).toContain('"Contoso account recovery (AU10TIX)" (Production');
  });

  it('a user assigned to recovery by name passes E2 and takes that target’s mode', async () => {
    const olivia = await check('olivia.chen@contoso.com');
    expect(olivia.found.E2).toBe('pass');
    expect(olivia.text).toContain('Assigned to account recovery by name');
    expect(olivia.found.E8).toBe('pass');
  });

  it('a block on registering security info outside trusted locations fails E7 and names the trusted locations', async () => {
    const zara = await check('zara.ahmed@contoso.com');
    expect(zara.found.E7).toBe('fail');
    expect(zara.text).toContain('Register security info only from trusted locations (field staff)');
    expect(zara.text).toContain('everywhere except trusted locations ("Contoso HQ")');
    // A compliant-device policy on all cloud apps may interrupt the recovery sign-in itself (E12, account recovery FAQ).
    expect(zara.found.E12).toBe('check');
    expect(zara.text).toContain(
      '"Require a compliant device for all cloud apps (field staff)": it requires a compliant device for all cloud apps',
    );
  });

  it('a namesake anywhere in the tenant fails E5, saying they are not in the recovery group, with no directory read per check', async () => {
    await check('adele.vance@contoso.com'); // warms the tenant-wide facts, the people index among them
    harness.graph.resetRequests();
    const maria = await check('maria.garcia@contoso.com');
    expect(maria.found.E5).toBe('fail');
    expect(maria.text).toContain(
      'Maria Garcia (Logistics) (maria.garcia2@contoso.com), who is not in the recovery group',
    );
    const topLevel = harness.graph.requests.filter((r) => !r.inBatch).map((r) => `${r.method} ${r.path.split('?')[0]}`);
    // Warm: the user and every fact of their own in one $batch; namesakes come from the people index.
    expect(topLevel).toEqual(['POST /$batch']);
    expect(harness.graph.requests.some((r) => r.path.includes('givenName eq'))).toBe(false);
  });

  it('namesakes are told case- and accent-folded anywhere in the tenant, as the readiness report tells them', async () => {
    const { tenant } = harness.graph;
    tenant.users.push({
      ...tenant.users.find((u) => u.userPrincipalName === 'adele.vance@contoso.com')!,
      id: '11111111-0000-4000-8000-0000000000a7',
      userPrincipalName: 'adele.vance.sales@contoso.com',
      mail: 'adele.vance.sales@contoso.com',
      givenName: 'ADÈLE',
      surname: 'vance',
      displayName: 'Adèle Vance (Sales)',
    });
    await harness.restartBot(); // the people index is kept for minutes
    try {
      const adele = await check('adele.vance@contoso.com');
      expect(adele.found.E5).toBe('fail');
      expect(adele.text).toContain(
        'Adèle Vance (Sales) (adele.vance.sales@contoso.com), who is not in the recovery group',
      );
    } finally {
      tenant.users.pop();
      await harness.restartBot();
    }
  });

  it('a last sign-in older than the addition to the recovery group warns on E3 with both dates', async () => {
    const pradeep = await check('pradeep.gupta@contoso.com');
    expect(pradeep.found.E3).toBe('check');
    expect(pradeep.text).toMatch(
      /Last successful sign-in [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC, before they were added to the recovery group \([A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC\)/,
    );
  });

  it("E9 reads the user's own licences, and names Face Check licensing as unreadable", async () => {
    const tomas = await check('tomas.ruiz@contoso.com');
    expect(tomas.found.E9).toBe('fail');
    expect(tomas.text).toContain('the user has no Entra ID P1 or P2 licence assigned');
    const adele = await check('adele.vance@contoso.com');
    expect(adele.found.E9).toBe('pass');
    expect(adele.text).toMatch(/the user holds AAD\\?_PREMIUM/);
    expect(adele.text).toContain('cannot be read through Microsoft Graph: confirm it under Verified ID');
  });

  it('Conditional Access role conditions count only built-in roles actively assigned at tenant scope', async () => {
    const { tenant } = harness.graph;
    // Global Administrator for Adele, but scoped to an administrative unit: a privileged target, not in the GA policy's scope.
    tenant.roleAssignments.push({
      id: 'au-scoped',
      principalId: '11111111-0000-4000-8000-000000000001',
      roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
      directoryScopeId: '/administrativeUnits/77777777-0000-4000-8000-000000000001',
    });
    try {
      const adele = await check('adele.vance@contoso.com');
      expect(adele.found.E7).toBe('pass');
      const form = await act(harness, people.agent, 'escalate.start', {
        userId: '11111111-0000-4000-8000-000000000001',
      });
      expect(form.text).toContain('Adele Vance holds a directory role');
    } finally {
      tenant.roleAssignments.pop();
    }
    // Nestor holds it at tenant scope: the policy requiring phishing-resistant MFA applies.
    expect((await check('nestor.wilke@contoso.com')).found.E7).toBe('fail');
  });
});

describe('a recovery group that hides its membership, without Member.Read.Hidden', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    // Before the first turn: the group's visibility and its member index are cached once read.
    harness.graph.tenant.groups.find((group) => group.displayName === 'acl_ssar_enabled')!.visibility =
      'HiddenMembership';
    harness.graph.denyPermission('Member.Read.Hidden');
  });
  afterAll(() => harness.close());

  it('makes "not a member" unknown with the permission named, never a fail; namesakes are still told from the whole tenant', async () => {
    const lidia = cardOf((await harness.say(people.agent, 'check lidia.holloway@contoso.com')).replies[0]);
    expect(statuses(lidia).E2).toBe('unknown');
    expect(cardText(lidia)).toContain('needs Member.Read.Hidden');
    const adele = cardOf((await harness.say(people.agent, 'check adele.vance@contoso.com')).replies[0]);
    expect(statuses(adele).E2).toBe('pass');
    // Everyone in the tenant is listed without Member.Read.Hidden: "no namesake" is known.
    expect(statuses(adele).E5).toBe('pass');
    expect(Object.values(statuses(adele))).not.toContain('fail');
    const maria = cardOf((await harness.say(people.agent, 'check maria.garcia@contoso.com')).replies[0]);
    expect(statuses(maria).E5).toBe('fail');
    expect(cardText(maria)).toContain('whether they are in the recovery group could not be told');
  });
});
