import type { RequirementId } from '../eligibility/rules.js';
import type { AuthenticationMethodFixture, TenantFixture, TenantGroup, TenantUser } from './tenant.js';

/*
 * Large synthetic tenants for the readiness report and its benchmark: a recovery group of any size
 * with a realistic share of the problems the report finds, and the counts it must arrive at.
 * Deterministic for a seed; built in memory (50,000 members in well under a second).
 */

export interface SyntheticOptions {
  /** Users in the recovery group, directly or through a nested group. */
  members: number;
  seed?: number;
  /** Timestamps (sign-ins, creation) are relative to this. */
  now?: Date;
}

/** Shares of members with each problem; every member has at most one. */
export const PROBLEM_SHARES = {
  /** Shares First + Last name with another member (E5); always in pairs. */
  duplicateName: 0.02,
  neverSignedIn: 0.05,
  emptySurname: 0.01,
  excludedFromTap: 0.005,
  blockedByConditionalAccess: 0.01,
  disabled: 0.003,
} as const;

/** Shares of members with something worth a look that does not stop recovery. */
export const WARNING_SHARES = {
  /** In the recovery group only through a nested group (E2 warning). */
  nestedOnly: 0.1,
  /** Still has Microsoft Authenticator (E10 warning). */
  stillHasAuthenticator: 0.2,
} as const;

export interface SyntheticExpectation {
  members: number;
  /** Members whose verdict is pass or warn. */
  ready: number;
  notReady: number;
  /** Members failing each requirement. */
  failing: Partial<Record<RequirementId, number>>;
  /** Members with a warning on each requirement. */
  warnings: Partial<Record<RequirementId, number>>;
}

export interface SyntheticTenant {
  tenant: TenantFixture;
  expected: SyntheticExpectation;
  groupIds: { recovery: string; nested: string[]; noTap: string; contractors: string; helpdesk: string };
  /** A helpdesk agent outside the recovery group, for driving the bot. */
  agent: { aadObjectId: string; name: string; userPrincipalName: string };
}

const DOMAIN = 'synthetic.example';
const TENANT_ID = '7e57a000-0000-4000-8000-000000000001';
const PROFILE_ID = '7e57a000-0000-4000-8000-0000000000f1';
const NESTED_GROUPS = 3;
// No short forms, initials or multi-word names: clean members must raise no name warning.
const GIVEN_NAMES = [
  'Anna',
  'Bruno',
  'Carla',
  'Dmitri',
  'Elena',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Karin',
  'Lars',
  'Maya',
  'Nils',
  'Olga',
  'Paulo',
  'Quinn',
  'Rosa',
  'Stefan',
  'Tanja',
  'Ulrich',
  'Vera',
  'Walter',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Amara',
  'Bjorn',
  'Chiara',
  'Diego',
  'Emre',
  'Fatima',
  'Gustav',
  'Hana',
  'Ivan',
  'Julia',
  'Kenji',
  'Leila',
  'Marek',
  'Noor',
];
const SYLLABLES = [
  'ber',
  'dal',
  'fen',
  'gor',
  'hal',
  'kin',
  'lor',
  'man',
  'nor',
  'per',
  'ros',
  'sten',
  'tal',
  'vik',
  'wen',
  'zan',
];

type Problem = keyof typeof PROBLEM_SHARES | 'none';

const FAILS: Record<Exclude<Problem, 'none'>, RequirementId> = {
  duplicateName: 'E5',
  neverSignedIn: 'E3',
  emptySurname: 'E4',
  excludedFromTap: 'E6',
  blockedByConditionalAccess: 'E7',
  disabled: 'E1',
};

export function syntheticTenant(options: SyntheticOptions): SyntheticTenant {
  const { members } = options;
  const now = options.now ?? new Date();
  const random = mulberry32(options.seed ?? 1);
  const id = (kind: string, index: number) => `7e57${kind}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
  const groupId = (index: number) => id('0b00', index);
  const recovery = groupId(1);
  const noTap = groupId(2);
  const contractors = groupId(3);
  const helpdesk = groupId(4);
  const nested = Array.from({ length: NESTED_GROUPS }, (_, i) => groupId(10 + i));

  const problems = problemsFor(members, random);
  const surnameOffset = Math.floor(random() * 4096);
  const users: TenantUser[] = [];
  const groupMembers = new Map<string, string[]>(
    [recovery, noTap, contractors, helpdesk, ...nested].map((g) => [g, []]),
  );
  const failing: Partial<Record<RequirementId, number>> = {};
  const warnings: Partial<Record<RequirementId, number>> = {};
  const count = (tally: Partial<Record<RequirementId, number>>, requirement: RequirementId) =>
    (tally[requirement] = (tally[requirement] ?? 0) + 1);
  let previousDuplicate: { givenName: string; surname: string } | undefined;

  for (let index = 0; index < members; index++) {
    const problem = problems[index]!;
    let givenName = GIVEN_NAMES[index % GIVEN_NAMES.length]!;
    let surname: string | null = surnameFor(Math.floor(index / GIVEN_NAMES.length) + surnameOffset);
    if (problem === 'duplicateName') {
      // Every second duplicate takes the name of the first of its pair.
      if (previousDuplicate) ({ givenName, surname } = previousDuplicate);
      previousDuplicate = previousDuplicate ? undefined : { givenName, surname: surname! };
    }
    if (problem === 'emptySurname') surname = null;
    const userId = id('0a00', index + 1);
    const user = syntheticUser(userId, `member${index + 1}`, givenName, surname, now, random);
    if (problem === 'neverSignedIn') user.signInActivity = null;
    if (problem === 'disabled') user.accountEnabled = false;
    if (random() < WARNING_SHARES.stillHasAuthenticator) {
      user.authenticationMethods.push(authenticatorMethod(index));
      count(warnings, 'E10');
    }
    users.push(user);

    if (random() < WARNING_SHARES.nestedOnly) {
      groupMembers.get(nested[index % NESTED_GROUPS]!)!.push(userId);
      count(warnings, 'E2');
    } else {
      groupMembers.get(recovery)!.push(userId);
    }
    if (problem === 'excludedFromTap') groupMembers.get(noTap)!.push(userId);
    if (problem === 'blockedByConditionalAccess') groupMembers.get(contractors)!.push(userId);
    if (problem !== 'none') count(failing, FAILS[problem]);
  }
  groupMembers.get(recovery)!.push(...nested);

  // Outside the recovery group: the agent, and someone sharing member1's name. The account recovery FAQ
  // blocks users with the same name as another user, in the group or not, so member1 fails E5 too.
  const agent = syntheticUser(id('0a01', 1), 'helpdesk.agent', 'Hedda', 'Deskwen', now, random);
  const namesake = syntheticUser(
    id('0a01', 2),
    'namesake',
    users[0]?.givenName ?? 'Anna',
    users[0]?.surname ?? 'Berdal',
    now,
    random,
  );
  const namesakeFails = Boolean(users[0]?.surname) && problems[0] !== 'duplicateName';
  if (namesakeFails) count(failing, 'E5');
  users.push(agent, namesake);
  groupMembers.get(helpdesk)!.push(agent.id);

  const groupNames: Record<string, string> = {
    [recovery]: 'acl_ssar_enabled',
    [noTap]: 'sg-no-tap',
    [contractors]: 'sg-contractors',
    [helpdesk]: 'sg-helpdesk',
    ...Object.fromEntries(nested.map((g, i) => [g, `acl_ssar_wave${i + 1}`])),
  };
  const groups: TenantGroup[] = [...groupMembers].map(([gid, memberIds]) => ({
    id: gid,
    displayName: groupNames[gid]!,
    mailNickname: groupNames[gid]!,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    memberIds,
  }));

  // One failing requirement per member, but member1 may fail E5 beside its own problem.
  const notReady =
    Object.values(failing).reduce((sum, n) => sum + n, 0) - (namesakeFails && problems[0] !== 'none' ? 1 : 0);
  return {
    tenant: fixture(users, groups, { recovery, noTap, contractors }, now),
    expected: { members, ready: members - notReady, notReady, failing, warnings },
    groupIds: { recovery, nested, noTap, contractors, helpdesk },
    agent: { aadObjectId: agent.id, name: agent.displayName, userPrincipalName: agent.userPrincipalName },
  };
}

/** Exactly the configured share of each problem, spread over the members in a seeded order. */
function problemsFor(members: number, random: () => number): Problem[] {
  const problems: Problem[] = [];
  for (const [problem, share] of Object.entries(PROBLEM_SHARES) as [Exclude<Problem, 'none'>, number][]) {
    let n = Math.round(members * share);
    if (problem === 'duplicateName') n -= n % 2;
    for (let i = 0; i < n; i++) problems.push(problem);
  }
  while (problems.length < members) problems.push('none');
  problems.length = members;
  // Fisher-Yates, keeping duplicate pairs apart is not needed: each pair shares a name wherever it lands.
  for (let i = problems.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [problems[i], problems[j]] = [problems[j]!, problems[i]!];
  }
  return problems;
}

/** A distinct surname for every k below 16^4 (four syllables). */
function surnameFor(k: number): string {
  let name = '';
  for (let digit = 0, rest = k; digit < 4; digit++, rest = Math.floor(rest / SYLLABLES.length))
    name += SYLLABLES[rest % SYLLABLES.length];
  return name[0]!.toUpperCase() + name.slice(1);
}

function syntheticUser(
  id: string,
  alias: string,
  givenName: string,
  surname: string | null,
  now: Date,
  random: () => number,
): TenantUser {
  const upn = `${alias}@${DOMAIN}`;
  const daysAgo = 1 + Math.floor(random() * 90);
  const lastSignIn = new Date(now.getTime() - daysAgo * 86_400_000).toISOString();
  return {
    id,
    userPrincipalName: upn,
    displayName: surname ? `${givenName} ${surname}` : givenName,
    givenName,
    surname,
    mail: upn,
    accountEnabled: true,
    userType: 'Member',
    createdDateTime: new Date(now.getTime() - 400 * 86_400_000).toISOString(),
    signInActivity: { lastSignInDateTime: lastSignIn, lastSuccessfulSignInDateTime: lastSignIn },
    authenticationMethods: [
      { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: '28c10230-6103-485e-b985-444c60001490' },
    ],
  };
}

function authenticatorMethod(index: number): AuthenticationMethodFixture {
  return {
    '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
    id: `7e57a0a0-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    displayName: 'Phone',
  } as AuthenticationMethodFixture;
}

function fixture(
  users: TenantUser[],
  groups: TenantGroup[],
  ids: { recovery: string; noTap: string; contractors: string },
  now: Date,
): TenantFixture {
  const created = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  return {
    tenantId: TENANT_ID,
    organization: {
      id: TENANT_ID,
      displayName: 'Synthetic Corp',
      verifiedDomains: [{ name: DOMAIN, isDefault: true }],
    },
    users,
    groups,
    directoryRoles: [],
    roleAssignments: [],
    subscribedSkus: [
      {
        skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4',
        skuPartNumber: 'AAD_PREMIUM',
        capabilityStatus: 'Enabled',
        appliesTo: 'User',
        servicePlans: [
          {
            servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d',
            servicePlanName: 'AAD_PREMIUM',
            provisioningStatus: 'Success',
            appliesTo: 'User',
          },
        ],
      },
    ],
    authenticationMethodConfigurations: {
      TemporaryAccessPass: {
        '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
        id: 'TemporaryAccessPass',
        state: 'enabled',
        defaultLifetimeInMinutes: 60,
        defaultLength: 8,
        minimumLifetimeInMinutes: 60,
        maximumLifetimeInMinutes: 480,
        isUsableOnce: true,
        includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
        excludeTargets: [{ targetType: 'group', id: ids.noTap }],
      } as TenantFixture['authenticationMethodConfigurations']['TemporaryAccessPass'],
      VerifiableCredentials: {
        '@odata.type': '#microsoft.graph.verifiableCredentialsAuthenticationMethodConfiguration',
        id: 'VerifiableCredentials',
        state: 'enabled',
        includeTargets: [
          { targetType: 'group', id: ids.recovery, isRegistrationRequired: false, verifiedIdProfiles: [PROFILE_ID] },
        ],
        excludeTargets: [],
      },
      Fido2: {
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
        id: 'Fido2',
        state: 'enabled',
        isSelfServiceRegistrationAllowed: true,
        isAttestationEnforced: false,
        keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
        includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
        excludeTargets: [],
      },
    },
    verifiedIdProfiles: [
      {
        id: PROFILE_ID,
        name: 'Synthetic account recovery',
        description: 'Identity verification for Self-Service Account Recovery',
        lastModifiedDateTime: created,
        state: 'enabled',
        verifierDid: `did:web:verifiedid.${DOMAIN}`,
        priority: 0,
        verifiedIdProfileConfiguration: {
          type: 'verifiedIdentity',
          acceptedIssuer: 'did:web:idv.example',
          claimBindingSource: 'directory',
          claimBindings: [
            { sourceAttribute: 'First name', verifiedIdClaim: 'vc.credentialSubject.firstName' },
            { sourceAttribute: 'Last name', verifiedIdClaim: 'vc.credentialSubject.lastName' },
          ],
        },
        faceCheckConfiguration: { isEnabled: true, sourcePhotoClaimName: 'portrait' },
        verifiedIdUsageConfigurations: [{ purpose: 'recovery', isEnabledForTestOnly: false }],
      },
    ],
    conditionalAccessPolicies: [
      registrationPolicy(
        '7e57ca00-0000-4000-8000-000000000001',
        'Block security info registration for contractors',
        { includeGroups: [ids.contractors] },
        ['block'],
      ),
      registrationPolicy(
        '7e57ca00-0000-4000-8000-000000000002',
        'MFA to register security info',
        { includeUsers: ['All'] },
        ['mfa'],
      ),
    ],
    directoryAudits: [],
  };
}

function registrationPolicy(
  id: string,
  displayName: string,
  users: { includeUsers?: string[]; includeGroups?: string[] },
  builtInControls: ('block' | 'mfa')[],
): TenantFixture['conditionalAccessPolicies'][number] {
  return {
    id,
    displayName,
    state: 'enabled',
    conditions: {
      clientAppTypes: ['all'],
      applications: {
        includeApplications: [],
        excludeApplications: [],
        includeUserActions: ['urn:user:registersecurityinfo'],
      },
      users: {
        includeUsers: users.includeUsers ?? [],
        excludeUsers: [],
        includeGroups: users.includeGroups ?? [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
      },
    },
    grantControls: { operator: 'OR', builtInControls },
  } as TenantFixture['conditionalAccessPolicies'][number];
}

/** A small, fast, seedable PRNG: the same seed gives the same tenant on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
