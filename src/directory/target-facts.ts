import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known } from '../eligibility/facts.js';
import { type RoleGrant, userRoles } from '../eligibility/roles.js';
import type { DirectoryUser } from '../eligibility/user-query.js';
import type { TapPolicy } from '../escalation/pass-settings.js';
import type { TargetFacts } from '../escalation/target.js';
import { batchFact, batchList } from './batch-facts.js';
import { USER_SELECT } from './facts.js';
import type { Graph } from './graph.js';
import { PERMISSIONS } from './permissions.js';
import { ROLE_GRANT_SELECT } from './tenant.js';

/**
 * What deciding on a pass for one person needs and nothing more, read fresh in one `$batch`: the
 * account, its groups (for the TAP policy's targets and roles held through a group), the tenant's
 * role grants (active and PIM-eligible; the user's own are among them), and the TAP policy itself.
 * https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments,
 * https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances,
 * https://learn.microsoft.com/graph/api/temporaryaccesspassauthenticationmethodconfiguration-get
 */
export async function readTargetFacts(
  graph: Graph,
  userId: string,
): Promise<{ user: DirectoryUser | undefined } & TargetFacts> {
  const id = encodeURIComponent(userId);
  const results = await graph.batch([
    { id: 'user', method: 'GET', url: `/users/${id}?$select=${USER_SELECT}` },
    {
      id: 'transitive',
      method: 'GET',
      url: `/users/${id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`,
    },
    { id: 'active', method: 'GET', url: `/roleManagement/directory/roleAssignments?$select=${ROLE_GRANT_SELECT}` },
    {
      id: 'eligible',
      method: 'GET',
      url: `/roleManagement/directory/roleEligibilityScheduleInstances?$select=${ROLE_GRANT_SELECT}`,
    },
    {
      id: 'tap',
      method: 'GET',
      url: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass',
    },
  ]);
  const read = results.get('user');
  if (read && !read.ok && !read.error.isNotFound) throw read.error;
  const user = read?.ok ? (read.body as DirectoryUser) : undefined;
  const [groups, active, eligible] = await Promise.all([
    batchList<GraphTypes.Group>(graph, results.get('transitive'), PERMISSIONS.groupMembership),
    batchList<RoleGrant>(graph, results.get('active'), PERMISSIONS.roleAssignments),
    batchList<RoleGrant>(graph, results.get('eligible'), PERMISSIONS.roleEligibility),
  ]);
  const groupIds: Fact<string[]> = groups.known
    ? known(groups.value.flatMap((group) => (group.id ? [group.id] : [])))
    : groups;
  const own = (grants: Fact<RoleGrant[]>): Fact<RoleGrant[]> =>
    grants.known ? known(grants.value.filter((grant) => grant.principalId === userId)) : grants;
  const tenant = !active.known
    ? active
    : !eligible.known
      ? eligible
      : known({ active: active.value, eligible: eligible.value, customRoleIds: [] });
  const roles = userRoles({ userId, groupIds, directActive: own(active), directEligible: own(eligible), tenant });
  return {
    user,
    tapPolicy: batchFact<TapPolicy>(results.get('tap'), PERMISSIONS.methodPolicies, (body) => body),
    membership: groupIds.known
      ? known({
          // transitiveMemberOf includes the direct groups; the TAP policy's targets match either.
          directGroupIds: [],
          transitiveGroupIds: groupIds.value,
          groupNames: {},
        })
      : groupIds,
    roleTemplateIds: roles.privileged,
  };
}
