import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/app/actor.js';
import { checkUser } from '../../src/app/check.js';
import { Directory } from '../../src/directory/directory.js';
import { Graph } from '../../src/directory/graph.js';
import { TenantFacts } from '../../src/directory/tenant.js';
import type { Status } from '../../src/eligibility/status.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { type SyntheticTenant, syntheticTenant } from '../../src/emulator/synthetic.js';
import type { TenantFixture, TenantGroup } from '../../src/emulator/tenant.js';
import { createLogger } from '../../src/log.js';
import { scanReadiness } from '../../src/readiness/scan.js';

/*
 * The readiness report and the per-user check agree by construction (one fact source): on a
 * generated tenant with the cases that once split them (hidden-membership groups, licences with
 * disabled plans, nested and role-assignable groups, namesakes), the report's row and the check's
 * result match requirement by requirement for EVERY member. The check runs through the use case
 * ("check <upn>", app/check.ts), as the Teams route calls it.
 */

const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const AAD_PREMIUM_PLAN = '41781fb2-bc02-4b7c-bd55-b576c07bb09d';
const AAD_PREMIUM_SKU = '078d2b04-f1bd-4111-bbd4-b4b1b354cef4';
const E5_SKU = '06ebc4ee-1bb5-47dd-8120-11324bc54e06';
const AAD_PREMIUM_P2_PLAN = 'eec0eb4f-6444-4f95-aba0-50c24d67f998';
const HIDDEN_NO_TAP = '7e570b00-0000-4000-8000-0000000000a1';
const ADMINS = '7e570b00-0000-4000-8000-0000000000a2';
const AGENT: Actor = { id: 'agreement-agent', name: 'Agent', tenantId: 't', isHelpdeskAgent: true, isApprover: false };

type Checklist = Record<string, Status>;

/** The synthetic tenant plus the cases the two pipelines once disagreed on. */
function agreementTenant(members: number, seed: number): SyntheticTenant {
  const synthetic = syntheticTenant({ members, seed });
  const tenant: TenantFixture = synthetic.tenant;
  const recoveryMembers = tenant.users.filter((user) => user.userPrincipalName.startsWith('member'));
  const every = (n: number, offset: number) => recoveryMembers.filter((_, i) => i % n === offset);
  const group = (id: string, displayName: string, memberIds: string[], extra: Partial<TenantGroup>): TenantGroup => ({
    id,
    displayName,
    mailNickname: displayName,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    memberIds,
    ...extra,
  });
  // A TAP exclude group that hides its membership.
  tenant.groups.push(
    group(
      HIDDEN_NO_TAP,
      'sg-no-tap-hidden',
      every(97, 5).map((u) => u.id),
      { visibility: 'HiddenMembership' },
    ),
  );
  tenant.authenticationMethodConfigurations.TemporaryAccessPass.excludeTargets!.push({
    targetType: 'group',
    id: HIDDEN_NO_TAP,
  });
  // A role-assignable group holding Global Administrator, and a policy blocking registration for that role.
  tenant.groups.push(
    group(
      ADMINS,
      'sg-admins',
      every(89, 3).map((u) => u.id),
      { isAssignableToRole: true },
    ),
  );
  tenant.directoryRoles.push({ id: 'ga', roleTemplateId: GLOBAL_ADMINISTRATOR, displayName: 'Global Administrator' });
  tenant.roleAssignments.push({
    id: 'admins-ga',
    principalId: ADMINS,
    roleDefinitionId: GLOBAL_ADMINISTRATOR,
    directoryScopeId: '/',
  });
  // Someone with the role directly, eligible through PIM only.
  tenant.roleEligibilityScheduleInstances = [
    { id: 'pim', principalId: every(101, 7)[0]!.id, roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: '/' },
  ];
  const blockAdmins = structuredClone(tenant.conditionalAccessPolicies[0]!);
  blockAdmins.id = '7e57ca00-0000-4000-8000-0000000000a3';
  blockAdmins.displayName = 'Block security info registration for admins';
  blockAdmins.conditions!.users = {
    ...blockAdmins.conditions!.users,
    includeGroups: [],
    includeRoles: [GLOBAL_ADMINISTRATOR],
  };
  tenant.conditionalAccessPolicies.push(blockAdmins);
  // Licences: an E5 with Entra ID P2 disabled, an E5 alone, and P1 with its plan disabled.
  tenant.subscribedSkus.push({
    skuId: E5_SKU,
    skuPartNumber: 'SPE_E5',
    capabilityStatus: 'Enabled',
    appliesTo: 'User',
    servicePlans: [
      {
        servicePlanId: AAD_PREMIUM_P2_PLAN,
        servicePlanName: 'AAD_PREMIUM_P2',
        provisioningStatus: 'Success',
        appliesTo: 'User',
      },
    ],
  });
  for (const user of every(43, 1)) user.assignedLicenses = [{ skuId: E5_SKU, disabledPlans: [] }];
  for (const user of every(43, 2))
    user.assignedLicenses = [
      { skuId: E5_SKU, disabledPlans: [AAD_PREMIUM_P2_PLAN] },
      { skuId: AAD_PREMIUM_SKU, disabledPlans: [] },
    ];
  for (const user of every(43, 3))
    user.assignedLicenses = [{ skuId: AAD_PREMIUM_SKU, disabledPlans: [AAD_PREMIUM_PLAN] }];
  for (const user of every(43, 4)) user.assignedLicenses = [];
  return synthetic;
}

interface Agreement {
  members: number;
  differences: string[];
  report: Map<string, Checklist>;
}

async function compare(emulator: GraphEmulator): Promise<Agreement> {
  const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
  const now = new Date();
  const report = new Map<string, Checklist>();
  const upns = new Map<string, string>();
  await scanReadiness(graph, new TenantFacts(graph, { groupIds: [], mode: 'production' }), {
    now,
    onMember: (user, eligibility) => {
      upns.set(user.id, user.userPrincipalName!);
      report.set(user.id, checklist(eligibility));
    },
  });
  const directory = new Directory(graph, new TenantFacts(graph, { groupIds: [], mode: 'production' }), {});
  const differences: string[] = [];
  const queue = [...upns];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [id, upn] = next;
      const result = await checkUser(directory, AGENT, { kind: 'upn', upn });
      if (result.kind !== 'for-agent') {
        differences.push(`${upn}: the check answered ${result.kind}`);
        continue;
      }
      const fromCheck = checklist(result.eligibility);
      const fromReport = report.get(id)!;
      for (const requirement of Object.keys(fromCheck))
        if (fromCheck[requirement] !== fromReport[requirement])
          differences.push(`${upn} ${requirement}: report ${fromReport[requirement]}, check ${fromCheck[requirement]}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { members: report.size, differences, report };
}

function checklist(eligibility: { verdict: Status; results: { id: string; status: Status }[] }): Checklist {
  return Object.fromEntries([['verdict', eligibility.verdict], ...eligibility.results.map((r) => [r.id, r.status])]);
}

const count = (report: Map<string, Checklist>, requirement: string, status: Status) =>
  [...report.values()].filter((row) => row[requirement] === status).length;

describe('the readiness report and the per-user check, on a generated tenant of 2,000 members', () => {
  let emulator: GraphEmulator;
  let agreement: Agreement;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ tenant: agreementTenant(2_000, 25).tenant });
    agreement = await compare(emulator);
  }, 300_000);
  afterAll(() => emulator.close());

  it('agree requirement by requirement for every member', () => {
    expect(agreement.members).toBe(2_000);
    expect(agreement.differences).toEqual([]);
  });

  it('cover the cases that once split them', () => {
    const { report } = agreement;
    expect(count(report, 'E6', 'fail')).toBeGreaterThan(20); // the visible and the hidden TAP exclusions (read with Member.Read.Hidden)
    expect(count(report, 'E7', 'fail')).toBeGreaterThan(20); // contractors, and admins through the role-assignable group
    expect(count(report, 'E9', 'fail')).toBeGreaterThan(40); // no licence, or P1 with its plan disabled
    expect(count(report, 'E5', 'fail')).toBeGreaterThan(20); // namesakes
    expect(count(report, 'E2', 'warn')).toBeGreaterThan(100); // nested only
  });
});

describe('without Member.Read.Hidden', () => {
  let emulator: GraphEmulator;
  beforeAll(async () => {
    emulator = await startGraphEmulator({ tenant: agreementTenant(300, 26).tenant });
    emulator.denyPermission('Member.Read.Hidden');
  });
  afterAll(() => emulator.close());

  it('the report and the check agree that a hidden TAP exclusion leaves E6 unknown, naming the permission', async () => {
    const { members, differences, report } = await compare(emulator);
    expect(members).toBe(300);
    expect(differences).toEqual([]);
    expect(count(report, 'E6', 'unknown')).toBeGreaterThan(0);
  }, 120_000);

  it('the report refuses a recovery group whose membership is hidden, naming the permission, instead of scanning it empty', async () => {
    const recovery = emulator.tenant.groups.find((g) => g.displayName === 'acl_ssar_enabled')!;
    recovery.visibility = 'HiddenMembership';
    const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
    await expect(scanReadiness(graph, new TenantFacts(graph, { groupIds: [], mode: 'production' }))).rejects.toThrow(
      /"acl_ssar_enabled" hides its membership .*needs Member\.Read\.Hidden/,
    );
  });
});
