import type * as Graph from '@microsoft/microsoft-graph-types';
import { type Fact, known, unknownFact } from './facts.js';

/*
 * Which directory roles a user holds, two ways:
 *
 * - For escalation ("privileged"): every directory role the user holds or could activate, so a
 *   pass for them needs the privileged path. That is every role (built-in or custom, any scope),
 *   assigned to the user or to a role-assignable group they are in, active or PIM-eligible.
 *   Microsoft's `isPrivileged` flag is not in the Graph v1.0 roleDefinition, and a role it does not
 *   flag (say a Helpdesk Administrator over an administrative unit) can still reset other people's
 *   credentials, so the bot counts them all.
 *   https://learn.microsoft.com/graph/api/rbacapplication-list-transitiveroleassignments (a role
 *   held through a group lists the group's id as principalId),
 *   https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances
 *
 * - For Conditional Access role scope (E7): only built-in roles actively assigned at tenant scope;
 *   "other role types aren't supported, including administrative unit-scoped roles and custom roles".
 *   https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
 */

/** A role assignment or eligibility, as Graph lists both (only the fields the rules read). */
export type RoleGrant = Pick<Graph.UnifiedRoleAssignment, 'principalId' | 'roleDefinitionId' | 'directoryScopeId'>;

/** Tenant-wide role grants, read once and cached: the source for roles held through groups. */
export interface TenantRoleGrants {
  active: RoleGrant[];
  eligible: RoleGrant[];
  /** Ids of custom role definitions (`isBuiltIn eq false`); built-in role ids equal their template ids. */
  customRoleIds: string[];
}

/** What was read about one user: their own grants (fresh) and the tenant's (for group-held roles). */
export interface RoleSources {
  userId: string;
  /** Every group the user is in, directly or through nesting. */
  groupIds: Fact<string[]>;
  directActive: Fact<RoleGrant[]>;
  directEligible: Fact<RoleGrant[]>;
  tenant: Fact<TenantRoleGrants>;
}

export interface UserRoles {
  /** Every role that makes the user privileged for escalation (role definition ids). */
  privileged: Fact<string[]>;
  /** Built-in roles actively assigned at tenant scope: what Conditional Access `includeRoles` matches. */
  conditionalAccess: Fact<string[]>;
}

const TENANT_SCOPE = '/';

export function userRoles(sources: RoleSources): UserRoles {
  const { userId, groupIds, directActive, directEligible, tenant } = sources;
  const heldBy = (grants: RoleGrant[], principals: Set<string>) =>
    grants.filter((grant) => grant.principalId && principals.has(grant.principalId) && grant.roleDefinitionId);
  const groups = groupIds.known ? new Set(groupIds.value) : undefined;
  const viaGroups = (pick: (t: TenantRoleGrants) => RoleGrant[]): Fact<RoleGrant[]> => {
    if (!tenant.known) return tenant;
    if (!groups) return unknownFact((groupIds as { reason: string }).reason);
    return known(heldBy(pick(tenant.value), groups));
  };
  const groupActive = viaGroups((t) => t.active);
  const groupEligible = viaGroups((t) => t.eligible);

  const parts = [directActive, directEligible, groupActive, groupEligible];
  const found = unique(parts.flatMap((part) => (part.known ? part.value.map((grant) => grant.roleDefinitionId!) : [])));
  const unreadable = parts.filter((part): part is { known: false; reason: string } => !part.known);
  // One readable role is enough to call the user privileged; "holds none" needs every source.
  const privileged: Fact<string[]> =
    found.length > 0 || unreadable.length === 0
      ? known(found)
      : unknownFact(unique(unreadable.map((part) => part.reason)).join('; '));

  const conditionalAccess = conditionalAccessRoles(userId, directActive, groupActive, tenant);
  return { privileged, conditionalAccess };
}

function conditionalAccessRoles(
  userId: string,
  directActive: Fact<RoleGrant[]>,
  groupActive: Fact<RoleGrant[]>,
  tenant: Fact<TenantRoleGrants>,
): Fact<string[]> {
  if (!directActive.known) return directActive;
  if (!groupActive.known) return groupActive;
  if (!tenant.known) return tenant;
  const custom = new Set(tenant.value.customRoleIds);
  const grants = [...directActive.value.filter((grant) => grant.principalId === userId), ...groupActive.value];
  return known(
    unique(
      grants
        .filter(
          (grant) =>
            (grant.directoryScopeId ?? TENANT_SCOPE) === TENANT_SCOPE && !custom.has(grant.roleDefinitionId ?? ''),
        )
        .map((grant) => grant.roleDefinitionId!),
    ),
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
