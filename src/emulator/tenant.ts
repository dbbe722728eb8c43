import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type * as Graph from '@microsoft/microsoft-graph-types';

/**
 * The directory the Graph emulator serves. Object shapes are Graph v1.0 resources; the few fields
 * that only the emulator needs (a user's manager, registered methods, group members) sit beside them.
 */
export interface TenantFixture {
  tenantId: string;
  organization: Graph.Organization & { id: string };
  users: TenantUser[];
  groups: TenantGroup[];
  /** Activated directory roles; `roleTemplateId` is what role assignments and CA policies refer to. */
  directoryRoles: (Graph.DirectoryRole & { id: string; roleTemplateId: string; displayName: string })[];
  roleAssignments: (Graph.UnifiedRoleAssignment & { id: string; principalId: string; roleDefinitionId: string })[];
  /** PIM: roles a principal (user or role-assignable group) may activate. */
  roleEligibilityScheduleInstances?: (Graph.UnifiedRoleEligibilityScheduleInstance & {
    id: string;
    principalId: string;
    roleDefinitionId: string;
  })[];
  /** Custom role definitions; built-in ones are served from `directoryRoles` (id = template id). */
  customRoleDefinitions?: (Graph.UnifiedRoleDefinition & { id: string; displayName: string })[];
  subscribedSkus: Graph.SubscribedSku[];
  authenticationMethodConfigurations: {
    TemporaryAccessPass: Graph.TemporaryAccessPassAuthenticationMethodConfiguration;
    VerifiableCredentials: VerifiableCredentialsAuthenticationMethodConfiguration;
    /** https://learn.microsoft.com/graph/api/resources/fido2authenticationmethodconfiguration (passkeys, FIDO2). */
    Fido2: Graph.Fido2AuthenticationMethodConfiguration & { '@odata.type': string; id: 'Fido2' };
  };
  verifiedIdProfiles: VerifiedIdProfile[];
  conditionalAccessPolicies: (Graph.ConditionalAccessPolicy & { id: string })[];
  /** https://learn.microsoft.com/graph/api/resources/namedlocation (ipNamedLocation, countryNamedLocation). */
  namedLocations?: (Graph.NamedLocation & { id: string; '@odata.type': string })[];
  directoryAudits: (Graph.DirectoryAudit & { id: string; activityDateTime: string })[];
  /** The organization's Teams app catalog, for proactive installation (`POST /users/{id}/teamwork/installedApps`). */
  teamsApps?: TeamsCatalogApp[];
}

/**
 * A teamsApp of the catalog (https://learn.microsoft.com/graph/api/resources/teamsapp): `id` is the
 * catalog's, `externalId` the manifest's. `azureADAppId` (the bot's Entra app, from its
 * teamsAppDefinition) only makes the 1:1 chat's id.
 */
export interface TeamsCatalogApp {
  id: string;
  externalId: string;
  displayName: string;
  distributionMethod: 'store' | 'organization' | 'sideloaded';
  azureADAppId?: string;
}

export type AuthenticationMethodFixture = Graph.AuthenticationMethod & { id: string; '@odata.type': string };

export interface TenantUser extends Graph.User {
  id: string;
  userPrincipalName: string;
  displayName: string;
  /** null when Entra never recorded a sign-in for the user. */
  signInActivity?: Graph.SignInActivity | null;
  /** Object id of the user's manager; absent when none is set. */
  managerId?: string;
  authenticationMethods: AuthenticationMethodFixture[];
}

export interface TenantGroup extends Graph.Group {
  id: string;
  displayName: string;
  /** Direct members: user or group object ids. */
  memberIds: string[];
}

// @microsoft/microsoft-graph-types 2.43 predates the Verified ID profile API, so these follow the
// v1.0 reference (verifiedIdProfile, verifiableCredentialsAuthenticationMethodConfiguration).
export interface VerifiedIdProfile {
  id: string;
  name: string;
  description: string;
  lastModifiedDateTime: string | null;
  state: 'enabled' | 'disabled' | 'unknownFutureValue';
  verifierDid: string;
  priority: number;
  verifiedIdProfileConfiguration: {
    type: string;
    acceptedIssuer: string;
    claimBindingSource: 'directory' | 'unknownFutureValue';
    claimBindings: { sourceAttribute: string; verifiedIdClaim: string; matchConfidenceLevel?: string }[];
    claimValidation?: { isEnabled: boolean; customExtensionId?: string | null };
  };
  faceCheckConfiguration: { isEnabled: boolean; sourcePhotoClaimName: string };
  verifiedIdUsageConfigurations: {
    purpose: 'recovery' | 'onboarding' | 'all' | 'verification' | 'unknownFutureValue';
    isEnabledForTestOnly: boolean;
  }[];
}

export interface VerifiableCredentialsAuthenticationMethodConfiguration {
  '@odata.type': '#microsoft.graph.verifiableCredentialsAuthenticationMethodConfiguration';
  id: 'VerifiableCredentials';
  state: 'enabled' | 'disabled';
  includeTargets: {
    targetType: 'group' | 'user';
    id: string;
    isRegistrationRequired: boolean;
    verifiedIdProfiles: string[];
  }[];
  excludeTargets: { targetType: 'group' | 'user'; id: string }[];
}

export const DEMO_TENANT_PATH = fileURLToPath(new URL('./tenants/contoso.json', import.meta.url));

const RELATIVE_TIME = /^@now(?:([+-])(\d+)([smhd]))?$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Replaces every string written as `@now`, `@now-5m`, `@now+2h`, `@now-30d` with an ISO timestamp
 * relative to `now`, so "added to the group 5 minutes ago" stays true whenever the tenant is loaded.
 * Returns a deep copy; already resolved values pass through unchanged.
 */
export function resolveRelativeTimestamps<T>(value: T, now: Date): T {
  if (typeof value === 'string') {
    const match = RELATIVE_TIME.exec(value);
    if (!match) return value;
    const [, sign, amount, unit] = match;
    const offset =
      sign === undefined ? 0 : Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS] * (sign === '-' ? -1 : 1);
    return new Date(now.getTime() + offset).toISOString() as T;
  }
  if (Array.isArray(value)) return value.map((element) => resolveRelativeTimestamps(element, now)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, element]) => [key, resolveRelativeTimestamps(element, now)]),
    ) as T;
  }
  return value;
}

/** Checks the structure and every cross-reference; throws one error listing all problems. */
export function validateTenant(candidate: unknown): TenantFixture {
  const problems: string[] = [];
  const tenant = candidate as Partial<TenantFixture>;
  if (candidate === null || typeof candidate !== 'object') throw new Error('Tenant fixture must be a JSON object.');
  if (typeof tenant.tenantId !== 'string') problems.push('tenantId must be a string');
  const arrays = [
    'users',
    'groups',
    'directoryRoles',
    'roleAssignments',
    'subscribedSkus',
    'verifiedIdProfiles',
    'conditionalAccessPolicies',
    'directoryAudits',
  ] as const;
  for (const key of arrays) if (!Array.isArray(tenant[key])) problems.push(`${key} must be an array`);
  if (typeof tenant.organization?.id !== 'string') problems.push('organization.id must be a string');
  const configurations = tenant.authenticationMethodConfigurations;
  if (!configurations?.TemporaryAccessPass || !configurations.VerifiableCredentials || !configurations.Fido2) {
    problems.push('authenticationMethodConfigurations needs TemporaryAccessPass, VerifiableCredentials and Fido2');
  }
  if (problems.length > 0) throw new Error(`Invalid tenant fixture: ${problems.join('; ')}`);

  const valid = tenant as TenantFixture;
  const ids = new Set<string>();
  const userIds = new Set(valid.users.map((user) => user.id));
  const groupIds = new Set(valid.groups.map((group) => group.id));
  for (const object of [...valid.users, ...valid.groups]) {
    if (typeof object.id !== 'string') problems.push(`object without id: ${JSON.stringify(object).slice(0, 60)}`);
    else if (ids.has(object.id)) problems.push(`duplicate object id ${object.id}`);
    ids.add(object.id);
  }
  const upns = new Set<string>();
  for (const user of valid.users) {
    if (typeof user.userPrincipalName !== 'string') problems.push(`user ${user.id} has no userPrincipalName`);
    else if (upns.has(user.userPrincipalName.toLowerCase()))
      problems.push(`duplicate userPrincipalName ${user.userPrincipalName}`);
    else upns.add(user.userPrincipalName.toLowerCase());
    if (typeof user.displayName !== 'string') problems.push(`user ${user.id} has no displayName`);
    if (!Array.isArray(user.authenticationMethods))
      problems.push(`user ${user.id} needs an authenticationMethods array`);
    else
      for (const method of user.authenticationMethods)
        if (typeof method['@odata.type'] !== 'string')
          problems.push(`user ${user.id} has a method without @odata.type`);
    if (user.managerId !== undefined && !userIds.has(user.managerId))
      problems.push(`user ${user.id} has unknown manager ${user.managerId}`);
  }
  for (const group of valid.groups) {
    if (!Array.isArray(group.memberIds)) problems.push(`group ${group.id} needs a memberIds array`);
    else
      for (const memberId of group.memberIds)
        if (!ids.has(memberId)) problems.push(`group ${group.id} has unknown member ${memberId}`);
  }
  const roleTemplateIds = new Set([
    ...valid.directoryRoles.map((role) => role.roleTemplateId),
    ...(valid.customRoleDefinitions ?? []).map((role) => role.id),
  ]);
  for (const assignment of [...valid.roleAssignments, ...(valid.roleEligibilityScheduleInstances ?? [])]) {
    if (!ids.has(assignment.principalId))
      problems.push(`role assignment ${assignment.id} has unknown principal ${assignment.principalId}`);
    if (!roleTemplateIds.has(assignment.roleDefinitionId))
      problems.push(
        `role assignment ${assignment.id} refers to role ${assignment.roleDefinitionId}, which is not in directoryRoles`,
      );
  }
  const policyTargets = [
    ...(configurations?.TemporaryAccessPass.includeTargets ?? []),
    ...(configurations?.TemporaryAccessPass.excludeTargets ?? []),
    ...(configurations?.VerifiableCredentials.includeTargets ?? []),
    ...(configurations?.VerifiableCredentials.excludeTargets ?? []),
    ...(configurations?.Fido2.includeTargets ?? []),
    ...(configurations?.Fido2.excludeTargets ?? []),
  ];
  for (const target of policyTargets) {
    if (target.targetType === 'user') {
      if (!userIds.has(target.id ?? ''))
        problems.push(`authentication method policy targets unknown user ${target.id}`);
    } else if (target.id !== 'all_users' && !groupIds.has(target.id ?? ''))
      problems.push(`authentication method policy targets unknown group ${target.id}`);
  }
  const profileIds = new Set(valid.verifiedIdProfiles.map((profile) => profile.id));
  for (const target of configurations?.VerifiableCredentials.includeTargets ?? []) {
    for (const profileId of target.verifiedIdProfiles)
      if (!profileIds.has(profileId))
        problems.push(`VerifiableCredentials target refers to unknown profile ${profileId}`);
  }
  for (const audit of valid.directoryAudits) {
    if (typeof audit.id !== 'string' || typeof audit.activityDateTime !== 'string')
      problems.push('every directory audit needs id and activityDateTime');
  }
  if (problems.length > 0) throw new Error(`Invalid tenant fixture: ${problems.join('; ')}`);
  return valid;
}

/** Reads, validates and resolves `@now…` timestamps of a tenant fixture file. */
export async function loadTenant(path: string = DEMO_TENANT_PATH, now: Date = new Date()): Promise<TenantFixture> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  return resolveRelativeTimestamps(validateTenant(parsed), now);
}
