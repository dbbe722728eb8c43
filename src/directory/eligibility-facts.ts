import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { known, unknownFact, type EligibilityFacts, type Fact, type GroupMembership } from '../eligibility/facts.js';
import { nameKey } from '../eligibility/names.js';
import type { BatchResult, Graph } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
import type { TenantFacts } from './tenant-facts.js';

export const USER_SELECT = 'id,accountEnabled,userType,givenName,surname,displayName,userPrincipalName,mail,jobTitle';
/** How far back the audit log is read for group additions and recovery attempts. */
export const AUDIT_WINDOW_DAYS = 7;

/**
 * Reads everything the eligibility rules need about one user in two waves: the tenant-wide policies
 * (usually cached) beside nothing else, then one `$batch` of the user's own facts beside the
 * recovery group's member names (cached). The count does not grow with policies or groups.
 */
export async function readEligibilityFacts(graph: Graph, tenant: TenantFacts, user: GraphTypes.User & { id: string }, now = new Date()): Promise<EligibilityFacts & { auditEvents: Fact<GraphTypes.DirectoryAudit[]> }> {
  const policies = await tenant.getPolicies();
  const id = encodeURIComponent(user.id);
  const since = new Date(now.getTime() - AUDIT_WINDOW_DAYS * 86_400_000).toISOString();
  const [results, names] = await Promise.all([
    graph.batch([
      // signInActivity by object id: some tenants reject it when the user is addressed by UPN.
      { id: 'signIn', method: 'GET', url: `/users/${id}?$select=id,signInActivity` },
      { id: 'direct', method: 'GET', url: `/users/${id}/memberOf/microsoft.graph.group?$select=id,displayName&$top=999` },
      { id: 'transitive', method: 'GET', url: `/users/${id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999` },
      { id: 'roles', method: 'GET', url: `/roleManagement/directory/roleAssignments?$filter=principalId eq '${user.id}'` },
      { id: 'methods', method: 'GET', url: `/users/${id}/authentication/methods` },
      {
        id: 'audits',
        method: 'GET',
        url: `/auditLogs/directoryAudits?$filter=activityDateTime ge ${since} and targetResources/any(t:t/id eq '${user.id}')&$top=100`,
      },
    ]),
    tenant.getNameIndex(policies.recoveryScope),
  ]);

  const fact = <T>(resultId: string, permission: string, pick: (body: any) => T): Fact<T> => {
    const result = results.get(resultId) as BatchResult;
    return result.ok ? known(pick(result.body)) : unknownFact(unknownReason(result.error, permission));
  };
  const list = async <T>(resultId: string, permission: string): Promise<Fact<T[]>> => {
    const result = results.get(resultId) as BatchResult;
    if (!result.ok) return unknownFact(unknownReason(result.error, permission));
    const items: T[] = [...(result.body.value ?? [])];
    const nextLink: string | undefined = result.body['@odata.nextLink'];
    if (nextLink) {
      try {
        items.push(...(await graph.all<T>(nextLink)));
      } catch (error) {
        return unknownFact(unknownReason(error, permission));
      }
    }
    return known(items);
  };

  const [direct, transitive, roles, methods, audits] = await Promise.all([
    list<GraphTypes.Group>('direct', PERMISSIONS.groupMembership),
    list<GraphTypes.Group>('transitive', PERMISSIONS.groupMembership),
    list<GraphTypes.UnifiedRoleAssignment>('roles', PERMISSIONS.roleAssignments),
    list<GraphTypes.AuthenticationMethod>('methods', PERMISSIONS.authenticationMethods),
    list<GraphTypes.DirectoryAudit>('audits', PERMISSIONS.auditLogs),
  ]);

  const membership: Fact<GroupMembership> =
    direct.known && transitive.known
      ? known({
          directGroupIds: ids(direct.value),
          transitiveGroupIds: ids(transitive.value),
          groupNames: Object.fromEntries(transitive.value.map((g) => [g.id ?? '', g.displayName ?? g.id ?? ''])),
        })
      : unknownFact(direct.known ? (transitive as { reason: string }).reason : direct.reason);

  const key = nameKey(user);
  const recoveryGroups = policies.recoveryScope.known ? new Set(policies.recoveryScope.value.includeGroupIds) : new Set<string>();

  return {
    readAt: now,
    user,
    lastSuccessfulSignIn: fact('signIn', PERMISSIONS.signInActivity, (b) => b.signInActivity?.lastSuccessfulSignInDateTime ?? null),
    recoveryScope: policies.recoveryScope,
    membership,
    roleTemplateIds: roles.known ? known(roles.value.map((r) => r.roleDefinitionId ?? '').filter(Boolean)) : roles,
    nameTwins: names.known ? known(key ? (names.value.get(key) ?? []).filter((twin) => twin.id !== user.id) : []) : names,
    tapPolicy: policies.tapPolicy,
    conditionalAccessPolicies: policies.conditionalAccessPolicies,
    subscribedSkus: policies.subscribedSkus,
    authenticationMethods: methods,
    addedToRecoveryGroupAt: audits.known ? known(lastAddedTo(audits.value, user.id, recoveryGroups)) : audits,
    auditEvents: audits,
  };
}

function ids(objects: Array<{ id?: string }>): string[] {
  return objects.map((o) => o.id).filter((id): id is string => Boolean(id));
}

/** The newest "Add member to group" event that put this user into a recovery group. */
function lastAddedTo(events: GraphTypes.DirectoryAudit[], userId: string, groups: Set<string>): string | null {
  const additions = events.filter(
    (e) =>
      e.activityDisplayName === 'Add member to group' &&
      e.result === 'success' &&
      e.targetResources?.some((t) => t.id === userId) &&
      groupIdsIn(e).some((id) => groups.has(id)),
  );
  const newest = additions.map((e) => e.activityDateTime ?? '').sort().at(-1);
  return newest || null;
}

/** The group an "Add member to group" event names: as a target resource, or in Group.ObjectID. */
function groupIdsIn(event: GraphTypes.DirectoryAudit): string[] {
  return (event.targetResources ?? []).flatMap((t) => [
    ...(t.id ? [t.id] : []),
    ...(t.modifiedProperties ?? [])
      .filter((p) => p.displayName === 'Group.ObjectID')
      .map((p) => (p.newValue ?? '').replace(/"/g, '')),
  ]);
}
