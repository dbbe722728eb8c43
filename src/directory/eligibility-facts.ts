import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import {
  type EligibilityFacts,
  type Fact,
  type GroupMembership,
  known,
  type NameTwin,
  unknownFact,
} from '../eligibility/facts.js';
import { combineNameTwins, nameKey, namesakeKey } from '../eligibility/names.js';
import { type RoleGrant, userRoles } from '../eligibility/roles.js';
import { additionsToGroups, batchFact, batchList } from './batch-facts.js';
import type { Graph } from './graph.js';
import { PERMISSIONS } from './permissions.js';
import { graphPath, odataString } from './query.js';
import { MEMBER_SELECT, type TenantFacts } from './tenant-facts.js';

export const USER_SELECT =
  'id,accountEnabled,userType,externalUserState,creationType,givenName,surname,displayName,userPrincipalName,mail,jobTitle';
/** How far back the audit log is read for group additions and recovery attempts. */
export const AUDIT_WINDOW_DAYS = 7;

/**
 * Reads everything the eligibility rules need about one user: the tenant-wide policies (cached; the
 * caller starts them beside the user lookup), then one wave of the user's own facts in one `$batch`
 * beside the recovery group's member names and group display names (both cached). The request count
 * does not grow with policies or groups.
 */
export interface ReadOptions {
  /** Read the tenant-wide facts afresh, for a decision that takes effect now (escalation). */
  fresh?: boolean;
}

export async function readEligibilityFacts(
  graph: Graph,
  tenant: TenantFacts,
  user: GraphTypes.User & { id: string },
  now = new Date(),
  options: ReadOptions = {},
): Promise<EligibilityFacts & { auditEvents: Fact<GraphTypes.DirectoryAudit[]> }> {
  const policies = await (options.fresh ? tenant.getPolicies(0) : tenant.getPolicies());
  const id = encodeURIComponent(user.id);
  const since = new Date(now.getTime() - AUDIT_WINDOW_DAYS * 86_400_000).toISOString();
  const scope = policies.recoveryScope;
  // E5: the account recovery FAQ blocks a user with the same name as another user, in or out of the group.
  // givenName and surname support an indexed $filter eq; the answer is kept two minutes.
  const namesakes = namesakeKey(user);
  const cachedNamesakes = namesakes ? tenant.cachedNamesakes(namesakes) : [];
  const tapGroups = policies.tapPolicy.known
    ? [...(policies.tapPolicy.value.includeTargets ?? []), ...(policies.tapPolicy.value.excludeTargets ?? [])]
        .filter((t) => t.targetType !== 'user')
        .flatMap((t) => (t.id ? [t.id] : []))
    : [];
  const [results, names, groupNames, hidden] = await Promise.all([
    graph.batch([
      ...(cachedNamesakes === undefined
        ? [
            {
              id: 'namesakes',
              method: 'GET' as const,
              url: graphPath('/users', {
                $filter: `givenName eq ${odataString(user.givenName!)} and surname eq ${odataString(user.surname!)}`,
                $select: MEMBER_SELECT,
                $top: 999,
              }),
            },
          ]
        : []),
      // signInActivity by object id: some tenants reject it when the user is addressed by UPN.
      { id: 'signIn', method: 'GET', url: `/users/${id}?$select=id,signInActivity` },
      {
        id: 'direct',
        method: 'GET',
        url: `/users/${id}/memberOf/microsoft.graph.group?$select=id,displayName&$top=999`,
      },
      {
        id: 'transitive',
        method: 'GET',
        url: `/users/${id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`,
      },
      {
        id: 'roles',
        method: 'GET',
        url: `/roleManagement/directory/roleAssignments?$filter=principalId eq '${user.id}'`,
      },
      // PIM: roles the user may activate at any moment count as held.
      {
        id: 'eligibleRoles',
        method: 'GET',
        url: `/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '${user.id}'`,
      },
      { id: 'methods', method: 'GET', url: `/users/${id}/authentication/methods` },
      { id: 'licences', method: 'GET', url: `/users/${id}/licenseDetails` },
      {
        id: 'audits',
        method: 'GET',
        url: `/auditLogs/directoryAudits?$filter=activityDateTime ge ${since} and targetResources/any(t:t/id eq '${user.id}')&$top=100`,
      },
      // Recovery events may name the user only as the one who acted (initiatedBy/user/id is filterable).
      // https://learn.microsoft.com/graph/api/resources/directoryaudit
      {
        id: 'auditsByUser',
        method: 'GET',
        url: `/auditLogs/directoryAudits?$filter=activityDateTime ge ${since} and initiatedBy/user/id eq '${user.id}'&$top=100`,
      },
    ]),
    tenant.getNameIndex(scope),
    tenant.groupNames(scope.known ? [...scope.value.includeGroupIds, ...scope.value.excludeGroupIds] : []),
    tenant.hiddenGroups([
      ...(scope.known ? [...scope.value.includeGroupIds, ...scope.value.excludeGroupIds] : []),
      ...tapGroups,
    ]),
  ]);
  // A hidden recovery group whose members were listed is readable: the bot holds Member.Read.Hidden.
  const unreadable = hidden.filter(
    (groupId) =>
      !(
        names.known &&
        scope.known &&
        scope.value.includeGroupIds.includes(groupId) &&
        !names.value.emptyGroupIds?.has(groupId)
      ),
  );

  const fact = <T>(resultId: string, permission: string, pick: (body: any) => T) =>
    batchFact(results.get(resultId), permission, pick);
  const list = <T>(resultId: string, permission: string) => batchList<T>(graph, results.get(resultId), permission);

  const [direct, transitive, roles, eligibleRoles, methods, auditsOnUser, namesakesRead, licences, auditsByUser] =
    await Promise.all([
      list<GraphTypes.Group>('direct', PERMISSIONS.groupMembership),
      list<GraphTypes.Group>('transitive', PERMISSIONS.groupMembership),
      list<RoleGrant>('roles', PERMISSIONS.roleAssignments),
      list<RoleGrant>('eligibleRoles', PERMISSIONS.roleEligibility),
      list<GraphTypes.AuthenticationMethod>('methods', PERMISSIONS.authenticationMethods),
      list<GraphTypes.DirectoryAudit>('audits', PERMISSIONS.auditLogs),
      cachedNamesakes === undefined
        ? list<GraphTypes.User>('namesakes', PERMISSIONS.users).then((fact) => mapFact(fact, toTwins))
        : Promise.resolve(known(cachedNamesakes)),
      list<GraphTypes.LicenseDetails>('licences', PERMISSIONS.users),
      list<GraphTypes.DirectoryAudit>('auditsByUser', PERMISSIONS.auditLogs),
    ]);
  const audits = mergeAudits(auditsOnUser, auditsByUser);
  if (namesakes && cachedNamesakes === undefined && namesakesRead.known)
    tenant.rememberNamesakes(namesakes, namesakesRead.value);

  const membership: Fact<GroupMembership> =
    direct.known && transitive.known
      ? known({
          directGroupIds: ids(direct.value),
          transitiveGroupIds: ids(transitive.value),
          groupNames: Object.fromEntries(transitive.value.map((g) => [g.id ?? '', g.displayName ?? g.id ?? ''])),
        })
      : unknownFact(direct.known ? (transitive as { reason: string }).reason : direct.reason);

  const held = userRoles({
    userId: user.id,
    groupIds: transitive.known ? known(ids(transitive.value)) : transitive,
    directActive: roles,
    directEligible: eligibleRoles,
    tenant: policies.roleGrants,
  });
  const key = nameKey(user);
  const recoveryGroups = scope.known ? new Set(scope.value.includeGroupIds) : new Set<string>();

  return {
    readAt: now,
    user,
    lastSuccessfulSignIn: fact(
      'signIn',
      PERMISSIONS.signInActivity,
      (b) => b.signInActivity?.lastSuccessfulSignInDateTime ?? null,
    ),
    recoveryScope: scope.known
      ? known({ ...scope.value, groupNames: { ...scope.value.groupNames, ...groupNames } })
      : scope,
    membership,
    roleTemplateIds: held.privileged,
    conditionalAccessRoleIds: held.conditionalAccess,
    nameTwins: combineNameTwins(
      user.id,
      key ? (names.known ? known(names.value.get(key) ?? []) : names) : known([]),
      namesakesRead,
    ),
    tapPolicy: policies.tapPolicy,
    conditionalAccessPolicies: policies.conditionalAccessPolicies,
    namedLocations: policies.namedLocations,
    subscribedSkus: policies.subscribedSkus,
    userLicences: licences,
    authenticationMethods: methods,
    ...(unreadable.length > 0 && { hiddenMembershipGroupIds: unreadable }),
    addedToRecoveryGroupAt: audits.known
      ? known(additionsToGroups(audits.value, recoveryGroups).get(user.id) ?? null)
      : audits,
    auditEvents: audits,
  };
}

function ids(objects: Array<{ id?: string }>): string[] {
  return objects.map((o) => o.id).filter((id): id is string => Boolean(id));
}

export function toTwins(users: GraphTypes.User[]): NameTwin[] {
  return users.flatMap((u) =>
    u.id ? [{ id: u.id, displayName: u.displayName ?? '', userPrincipalName: u.userPrincipalName ?? '' }] : [],
  );
}

function mapFact<T, U>(fact: Fact<T>, map: (value: T) => U): Fact<U> {
  return fact.known ? known(map(fact.value)) : fact;
}

/** Events on the user and events by the user, each once, newest first. */
function mergeAudits(
  onUser: Fact<GraphTypes.DirectoryAudit[]>,
  byUser: Fact<GraphTypes.DirectoryAudit[]>,
): Fact<GraphTypes.DirectoryAudit[]> {
  if (!onUser.known) return onUser;
  if (!byUser.known) return byUser;
  const byId = new Map(
    [...onUser.value, ...byUser.value].map((event) => [
      event.id ?? `${event.correlationId}:${event.activityDateTime}`,
      event,
    ]),
  );
  return known([...byId.values()].sort((a, b) => (b.activityDateTime ?? '').localeCompare(a.activityDateTime ?? '')));
}
