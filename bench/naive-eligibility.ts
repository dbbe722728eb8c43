import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { AUDIT_WINDOW_DAYS, USER_SELECT } from '../src/directory/facts.js';
import type { Graph } from '../src/directory/graph.js';
import { PERMISSIONS, unknownReason } from '../src/directory/permissions.js';
import { graphPath, odataString } from '../src/directory/query.js';
import {
  ALL_USERS_TARGET,
  recoveryScopeFromTenant,
  type VerifiableCredentialsMethodConfiguration,
  type VerifiedIdProfile,
} from '../src/directory/recovery-setup.js';
import { MEMBER_SELECT, type RecoveryFallback, ROLE_GRANT_SELECT, toTwins } from '../src/directory/tenant.js';
import {
  type EligibilityFacts,
  type Fact,
  known,
  type NameTwin,
  type RecoveryScope,
  unknownFact,
} from '../src/eligibility/facts.js';
import { nameKey } from '../src/eligibility/names.js';
import { type RoleGrant, type TenantRoleGrants, userRoles } from '../src/eligibility/roles.js';
import type { DirectoryUser } from '../src/eligibility/user-query.js';

/**
 * The baseline the bot is measured against: what an admin script would do to answer the same
 * question. Every fact is read with its own request, one after another, nothing batched, nothing
 * cached between checks: the user by UPN, their sign-in activity, direct and transitive groups,
 * the TAP and Verifiable Credentials policies, the Verified ID profiles, each recovery group's name,
 * each recovery group's members (for duplicate names), Conditional Access policies, role
 * assignments, authentication methods, subscribed SKUs and the audit log. It goes through the same
 * Graph client as the bot and produces the same EligibilityFacts, so the rules give the same verdict.
 */
export async function readEligibilityFactsNaively(
  graph: Graph,
  userPrincipalName: string,
  fallback: RecoveryFallback,
  now = new Date(),
): Promise<{ user: DirectoryUser; facts: EligibilityFacts }> {
  const user = await graph.get<DirectoryUser>(`/users/${encodeURIComponent(userPrincipalName)}?$select=${USER_SELECT}`);
  const id = encodeURIComponent(user.id);

  const lastSuccessfulSignIn = await read(PERMISSIONS.signInActivity, async () => {
    const body = await graph.get<GraphTypes.User>(`/users/${id}?$select=id,signInActivity`);
    return body.signInActivity?.lastSuccessfulSignInDateTime ?? null;
  });
  const direct = await read(PERMISSIONS.groupMembership, () =>
    graph.all<GraphTypes.Group>(`/users/${id}/memberOf/microsoft.graph.group?$select=id,displayName&$top=999`),
  );
  const transitive = await read(PERMISSIONS.groupMembership, () =>
    graph.all<GraphTypes.Group>(
      `/users/${id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`,
    ),
  );
  const methodConfigurations = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
  const passkeyPolicy = await read(PERMISSIONS.methodPolicies, () =>
    graph.get<GraphTypes.Fido2AuthenticationMethodConfiguration>(`${methodConfigurations}/Fido2`),
  );
  const tapPolicy = await read(PERMISSIONS.methodPolicies, () =>
    graph.get<GraphTypes.TemporaryAccessPassAuthenticationMethodConfiguration>(
      `${methodConfigurations}/TemporaryAccessPass`,
    ),
  );
  const vcPolicy = await read(PERMISSIONS.methodPolicies, () =>
    graph.get<VerifiableCredentialsMethodConfiguration>(`${methodConfigurations}/VerifiableCredentials`),
  );
  const profiles = await read(PERMISSIONS.verifiedIdProfiles, () =>
    graph.all<VerifiedIdProfile>('/identity/verifiedId/profiles'),
  );
  const recoveryScope = await withGroupNames(graph, scopeFrom(profiles, vcPolicy, fallback));
  const nameTwins = await twinsOf(graph, user, recoveryScope);
  const conditionalAccessPolicies = await read(PERMISSIONS.conditionalAccess, () =>
    graph.all<GraphTypes.ConditionalAccessPolicy>('/identity/conditionalAccess/policies'),
  );
  const namedLocations = await read(PERMISSIONS.conditionalAccess, () =>
    graph.all<GraphTypes.NamedLocation>('/identity/conditionalAccess/namedLocations'),
  );
  const roles = await read(PERMISSIONS.roleAssignments, () =>
    graph.all<GraphTypes.UnifiedRoleAssignment>(
      `/roleManagement/directory/roleAssignments?$filter=principalId eq '${user.id}'`,
    ),
  );
  const eligibleRoles = await read(PERMISSIONS.roleEligibility, () =>
    graph.all<GraphTypes.UnifiedRoleAssignment>(
      `/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '${user.id}'`,
    ),
  );
  const everyActive = await read(PERMISSIONS.roleAssignments, () =>
    graph.all<RoleGrant>(`/roleManagement/directory/roleAssignments?$select=${ROLE_GRANT_SELECT}`),
  );
  const everyEligible = await read(PERMISSIONS.roleEligibility, () =>
    graph.all<RoleGrant>(`/roleManagement/directory/roleEligibilityScheduleInstances?$select=${ROLE_GRANT_SELECT}`),
  );
  const customRoles = await read(PERMISSIONS.roleAssignments, () =>
    graph.all<{ id?: string }>('/roleManagement/directory/roleDefinitions?$filter=isBuiltIn eq false&$select=id'),
  );
  const tenantGrants: Fact<TenantRoleGrants> = !everyActive.known
    ? everyActive
    : !everyEligible.known
      ? everyEligible
      : !customRoles.known
        ? customRoles
        : known({ active: everyActive.value, eligible: everyEligible.value, customRoleIds: idsOf(customRoles.value) });
  const held = userRoles({
    userId: user.id,
    groupIds: transitive.known ? known(idsOf(transitive.value)) : transitive,
    directActive: roles,
    directEligible: eligibleRoles,
    tenant: tenantGrants,
  });
  const authenticationMethods = await read(PERMISSIONS.authenticationMethods, () =>
    graph.all<GraphTypes.AuthenticationMethod>(`/users/${id}/authentication/methods`),
  );
  const userLicences = await read(PERMISSIONS.users, () =>
    graph.all<GraphTypes.LicenseDetails>(`/users/${id}/licenseDetails`),
  );
  const subscribedSkus = await read(PERMISSIONS.subscriptions, () =>
    graph.all<GraphTypes.SubscribedSku>('/subscribedSkus?$select=skuPartNumber,capabilityStatus,servicePlans'),
  );
  const since = new Date(now.getTime() - AUDIT_WINDOW_DAYS * 86_400_000).toISOString();
  const audits = await read(PERMISSIONS.auditLogs, () =>
    graph.all<GraphTypes.DirectoryAudit>(
      `/auditLogs/directoryAudits?$filter=activityDateTime ge ${since} and targetResources/any(t:t/id eq '${user.id}')&$top=100`,
    ),
  );

  const recoveryGroups = new Set(recoveryScope.known ? recoveryScope.value.includeGroupIds : []);
  return {
    user,
    facts: {
      readAt: now,
      user,
      lastSuccessfulSignIn,
      recoveryScope,
      membership:
        direct.known && transitive.known
          ? known({
              directGroupIds: idsOf(direct.value),
              transitiveGroupIds: idsOf(transitive.value),
              groupNames: Object.fromEntries(transitive.value.map((g) => [g.id ?? '', g.displayName ?? g.id ?? ''])),
            })
          : unknownFact(direct.known ? (transitive as { reason: string }).reason : direct.reason),
      roleTemplateIds: held.privileged,
      conditionalAccessRoleIds: held.conditionalAccess,
      nameTwins,
      tapPolicy,
      passkeyPolicy,
      conditionalAccessPolicies,
      namedLocations,
      userLicences,
      subscribedSkus,
      authenticationMethods,
      addedToRecoveryGroupAt: audits.known ? known(newestAdditionTo(audits.value, user.id, recoveryGroups)) : audits,
    },
  };
}

async function read<T>(permission: string, request: () => Promise<T>): Promise<Fact<T>> {
  try {
    return known(await request());
  } catch (error) {
    return unknownFact(unknownReason(error, permission));
  }
}

function scopeFrom(
  profiles: Fact<VerifiedIdProfile[]>,
  policy: Fact<VerifiableCredentialsMethodConfiguration>,
  fallback: RecoveryFallback,
): Fact<Omit<RecoveryScope, 'groupNames'>> {
  if (profiles.known && policy.known) {
    const fromTenant = recoveryScopeFromTenant(profiles.value, policy.value);
    if (fromTenant) return known(fromTenant);
  }
  if (fallback.groupIds.length > 0) {
    return known({ includeGroupIds: fallback.groupIds, excludeGroupIds: [], mode: fallback.mode, source: 'config' });
  }
  const reasons = [profiles, policy].flatMap((f) => (f.known ? [] : [f.reason]));
  return unknownFact(
    reasons.length > 0
      ? `the recovery setup could not be read (${reasons.join('; ')}) and SSAR_GROUP_IDS is not set`
      : 'no Verified ID profile is used for account recovery in this tenant and SSAR_GROUP_IDS is not set',
  );
}

/** One request per recovery group for its display name; the id stands in when it cannot be read. */
async function withGroupNames(
  graph: Graph,
  scope: Fact<Omit<RecoveryScope, 'groupNames'>>,
): Promise<Fact<RecoveryScope>> {
  if (!scope.known) return scope;
  const groupNames: Record<string, string> = { [ALL_USERS_TARGET]: 'All users' };
  for (const id of [...scope.value.includeGroupIds, ...scope.value.excludeGroupIds].filter(
    (id) => id !== ALL_USERS_TARGET,
  )) {
    try {
      groupNames[id] =
        (await graph.get<GraphTypes.Group>(`/groups/${encodeURIComponent(id)}?$select=id,displayName`)).displayName ??
        id;
    } catch {
      groupNames[id] = id;
    }
  }
  return known({ ...scope.value, groupNames });
}

/** Every member of every recovery group, read group by group, to find others with the user's name. */
/** Everyone in the tenant read again and compared by folded name, each twin marked by the recovery groups' members. */
async function twinsOf(graph: Graph, user: DirectoryUser, scope: Fact<RecoveryScope>): Promise<Fact<NameTwin[]>> {
  const key = nameKey(user);
  if (!key) return known([]);
  let inGroups: Set<string> | 'everyone' | undefined;
  if (scope.known && scope.value.includeGroupIds.includes(ALL_USERS_TARGET)) inGroups = 'everyone';
  else if (scope.known) {
    inGroups = new Set();
    for (const groupId of scope.value.includeGroupIds) {
      const members = await read(PERMISSIONS.groupMembership, () =>
        graph.all<{ id?: string }>(
          `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999`,
        ),
      );
      if (!members.known) {
        inGroups = undefined;
        break;
      }
      for (const id of idsOf(members.value)) inGroups.add(id);
    }
  }
  const everyone = await read(PERMISSIONS.users, () =>
    graph.all<GraphTypes.User>(`/users?$select=${MEMBER_SELECT}&$top=999`),
  );
  if (!everyone.known) return everyone;
  return known(
    toTwins(everyone.value.filter((other) => other.id !== user.id && nameKey(other) === key)).map((twin) => ({
      ...twin,
      inRecoveryGroup: inGroups === undefined ? undefined : inGroups === 'everyone' || inGroups.has(twin.id),
    })),
  );
}

function idsOf(objects: Array<{ id?: string }>): string[] {
  return objects.map((o) => o.id).filter((id): id is string => Boolean(id));
}

/** The newest successful "Add member to group" event that put the user into a recovery group. */
function newestAdditionTo(events: GraphTypes.DirectoryAudit[], userId: string, groups: Set<string>): string | null {
  const groupIdsIn = (event: GraphTypes.DirectoryAudit) =>
    (event.targetResources ?? []).flatMap((t) => [
      ...(t.id ? [t.id] : []),
      ...(t.modifiedProperties ?? [])
        .filter((p) => p.displayName === 'Group.ObjectID')
        .map((p) => (p.newValue ?? '').replace(/"/g, '')),
    ]);
  const newest = events
    .filter(
      (e) =>
        e.activityDisplayName === 'Add member to group' &&
        e.result === 'success' &&
        e.targetResources?.some((t) => t.id === userId) &&
        groupIdsIn(e).some((id) => groups.has(id)),
    )
    .map((e) => e.activityDateTime ?? '')
    .sort()
    .at(-1);
  return newest || null;
}
