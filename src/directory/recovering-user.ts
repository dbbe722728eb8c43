import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { Fact } from '../eligibility/facts.js';
import { known } from '../eligibility/facts.js';
import { type RoleGrant, userRoles } from '../eligibility/roles.js';
import { batchFact, batchList } from './batch-facts.js';
import type { Graph } from './graph.js';
import { PERMISSIONS } from './permissions.js';
import { ROLE_GRANT_SELECT, type TenantFacts } from './tenant.js';

export interface RecoveringUser {
  user?: Pick<GraphTypes.User, 'id' | 'userPrincipalName'>;
  /** Every directory role the user holds or may activate (the escalation's "privileged"); absent when not asked. */
  privilegedRoles?: Fact<string[]>;
}

/**
 * What the claim validation extension needs from the directory, within Entra's one- or two-second
 * wait: the user, and with `roles` their directory roles. One `$batch` when Entra sent the object id,
 * else the user first; the tenant's role grants (for roles held through groups) come from the cached
 * tenant facts. Nothing here touches Graph's reports budget (no audit log, no authentication methods).
 */
export async function readRecoveringUser(
  graph: Graph,
  tenant: TenantFacts,
  who: { userPrincipalName: string; userId?: string },
  options: { roles: boolean },
): Promise<RecoveringUser> {
  const policies = options.roles ? tenant.getPolicies() : undefined;
  let id = who.userId;
  if (!id) {
    const user = await graph
      .get<GraphTypes.User>(`/users/${encodeURIComponent(who.userPrincipalName)}?$select=id,userPrincipalName`)
      .catch((error) => {
        if ((error as { isNotFound?: boolean }).isNotFound) return undefined;
        throw error;
      });
    if (!user?.id) return {};
    if (!options.roles) return { user };
    id = user.id;
  }
  const path = encodeURIComponent(id);
  const results = await graph.batch([
    { id: 'user', method: 'GET', url: `/users/${path}?$select=id,userPrincipalName` },
    ...(options.roles
      ? ([
          {
            id: 'transitive',
            method: 'GET',
            url: `/users/${path}/transitiveMemberOf/microsoft.graph.group?$select=id&$top=999`,
          },
          {
            id: 'roles',
            method: 'GET',
            url: `/roleManagement/directory/roleAssignments?$filter=principalId eq '${id}'&$select=${ROLE_GRANT_SELECT}`,
          },
          {
            id: 'eligibleRoles',
            method: 'GET',
            url: `/roleManagement/directory/roleEligibilityScheduleInstances?$filter=principalId eq '${id}'&$select=${ROLE_GRANT_SELECT}`,
          },
        ] as const)
      : []),
  ]);
  const user = batchFact(results.get('user'), PERMISSIONS.users, (body) => body as GraphTypes.User);
  // The object id Entra sent must belong to the user principal name it named.
  if (!user.known || user.value.userPrincipalName?.toLowerCase() !== who.userPrincipalName.toLowerCase()) return {};
  if (!options.roles || !policies) return { user: user.value };
  const [transitive, direct, eligible] = await Promise.all([
    batchList<GraphTypes.Group>(graph, results.get('transitive'), PERMISSIONS.groupMembership),
    batchList<RoleGrant>(graph, results.get('roles'), PERMISSIONS.roleAssignments),
    batchList<RoleGrant>(graph, results.get('eligibleRoles'), PERMISSIONS.roleEligibility),
  ]);
  const held = userRoles({
    userId: id,
    groupIds: transitive.known ? known(transitive.value.flatMap((g) => (g.id ? [g.id] : []))) : transitive,
    directActive: direct,
    directEligible: eligible,
    tenant: (await policies).roleGrants,
  });
  return { user: user.value, privilegedRoles: held.privileged };
}
