import type * as Graph from '@microsoft/microsoft-graph-types';
import { REGISTER_SECURITY_INFO } from '../../src/eligibility/conditional-access.js';
import { type EligibilityFacts, type GroupMembership, known, type RecoveryScope } from '../../src/eligibility/facts.js';

/** Snapshots for the eligibility rules: an eligible baseline user, and overrides per test. */

export const READ_AT = new Date('2026-01-15T10:00:00Z');
export const USER_ID = '11111111-1111-1111-1111-111111111111';
export const SSAR_GROUP_ID = 'aaaaaaaa-0000-0000-0000-000000000001';
export const SSAR_GROUP_NAME = 'acl_ssar_enabled';
export const P1_PLAN_ID = '41781fb2-bc02-4b7c-bd55-b576c07bb09d';
export const P2_PLAN_ID = 'eec0eb4f-6444-4f95-aba0-50c24d67f998';
export const GLOBAL_ADMIN_ROLE = '62e90394-69f5-4237-9190-012177145e10';

export function baselineUser(patch: Partial<Graph.User> = {}): Graph.User {
  return {
    id: USER_ID,
    accountEnabled: true,
    userType: 'Member',
    givenName: 'Jonathan',
    surname: 'Doe',
    displayName: 'Jonathan Doe',
    userPrincipalName: 'jonathan.doe@contoso.example',
    ...patch,
  };
}

export function recoveryScope(patch: Partial<RecoveryScope> = {}): RecoveryScope {
  return {
    includeGroupIds: [SSAR_GROUP_ID],
    excludeGroupIds: [],
    groupNames: { [SSAR_GROUP_ID]: SSAR_GROUP_NAME },
    mode: 'production',
    source: 'graph',
    ...patch,
  };
}

export function membership(directGroupIds: string[], nestedOnlyGroupIds: string[] = []): GroupMembership {
  return { directGroupIds, transitiveGroupIds: [...directGroupIds, ...nestedOnlyGroupIds], groupNames: {} };
}

export function tapPolicy(
  patch: Partial<Graph.TemporaryAccessPassAuthenticationMethodConfiguration> = {},
): Graph.TemporaryAccessPassAuthenticationMethodConfiguration {
  return {
    id: 'TemporaryAccessPass',
    state: 'enabled',
    includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false }],
    excludeTargets: [],
    defaultLifetimeInMinutes: 60,
    minimumLifetimeInMinutes: 60,
    maximumLifetimeInMinutes: 480,
    isUsableOnce: true,
    defaultLength: 8,
    ...patch,
  };
}

/** An enabled policy on "Register security information" for all users; override what the test is about. */
export function registrationPolicy(
  patch: Partial<Graph.ConditionalAccessPolicy> & {
    users?: Graph.ConditionalAccessUsers;
    grant?: Graph.ConditionalAccessGrantControls;
  } = {},
): Graph.ConditionalAccessPolicy {
  const { users, grant, ...rest } = patch;
  return {
    id: 'ca-registration',
    displayName: 'Require MFA to register security info',
    state: 'enabled',
    conditions: {
      applications: { includeApplications: [], includeUserActions: [REGISTER_SECURITY_INFO] },
      users: users ?? { includeUsers: ['All'] },
      clientAppTypes: ['all'],
    },
    grantControls: grant ?? { operator: 'OR', builtInControls: ['mfa'] },
    ...rest,
  };
}

/** The user's own licence details: Entra ID P1, as `/users/{id}/licenseDetails` lists it. */
export function userLicence(planId = P1_PLAN_ID): Graph.LicenseDetails {
  return {
    skuPartNumber: 'AAD_PREMIUM',
    servicePlans: [
      { servicePlanId: planId, servicePlanName: 'AAD_PREMIUM', provisioningStatus: 'Success', appliesTo: 'User' },
    ],
  };
}

export function premiumSku(planId = P1_PLAN_ID, capabilityStatus = 'Enabled'): Graph.SubscribedSku {
  return {
    skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4',
    skuPartNumber: 'AAD_PREMIUM',
    capabilityStatus,
    servicePlans: [
      { servicePlanId: planId, servicePlanName: planId === P1_PLAN_ID ? 'AAD_PREMIUM' : 'AAD_PREMIUM_P2' },
    ],
  };
}

export function method(odataType: string, extra: Record<string, unknown> = {}): Graph.AuthenticationMethod {
  return {
    id: `${odataType}-1`,
    '@odata.type': `#microsoft.graph.${odataType}`,
    ...extra,
  } as Graph.AuthenticationMethod;
}

/** Passkeys (FIDO2) enabled for all users with self-service registration, as Graph returns the Fido2 configuration. */
export function passkeyPolicy(
  patch: Partial<Graph.Fido2AuthenticationMethodConfiguration> = {},
): Graph.Fido2AuthenticationMethodConfiguration {
  return {
    id: 'Fido2',
    state: 'enabled',
    isSelfServiceRegistrationAllowed: true,
    isAttestationEnforced: false,
    includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false }],
    excludeTargets: [],
    ...patch,
  };
}

/** A member who meets every requirement; each override replaces one whole fact. */
export function eligibleFacts(overrides: Partial<EligibilityFacts> = {}): EligibilityFacts {
  return {
    readAt: READ_AT,
    user: baselineUser(),
    lastSuccessfulSignIn: known('2025-12-20T08:30:00Z'),
    recoveryScope: known(recoveryScope()),
    membership: known(membership([SSAR_GROUP_ID])),
    roleTemplateIds: known([]),
    conditionalAccessRoleIds: known([]),
    nameTwins: known([]),
    tapPolicy: known(tapPolicy()),
    passkeyPolicy: known(passkeyPolicy()),
    conditionalAccessPolicies: known([registrationPolicy()]),
    namedLocations: known([]),
    subscribedSkus: known([premiumSku()]),
    userLicences: known([userLicence()]),
    authenticationMethods: known([method('passwordAuthenticationMethod')]),
    addedToRecoveryGroupAt: known(null),
    ...overrides,
  };
}
