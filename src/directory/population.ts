import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { REGISTER_SECURITY_INFO } from '../eligibility/conditional-access.js';
import { type Fact, type GroupMembership, known, unknownFact } from '../eligibility/facts.js';
import { ALL_USERS } from '../eligibility/tap-scope.js';
import { additionsToGroups } from './batch-facts.js';
import { AUDIT_WINDOW_DAYS, type OwnReads, readTenantWide, type TenantWideFacts } from './facts.js';
import type { Graph } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
import { graphPath } from './query.js';
import { ALL_USERS_TARGET } from './recovery-setup.js';
import type { TenantFacts, TenantPolicies } from './tenant.js';

/*
 * The fact source for a whole population (the readiness report): the same TenantWideFacts a check
 * uses (its people index gives E5's namesakes), plus what Graph offers in bulk in place of each
 * member's own reads (group member sets, the recent "Add member to group" audits). `ownReadsOf`
 * turns them into one member's OwnReads, which `assemble` (facts.ts) turns into EligibilityFacts.
 */

export const MEMBER_PAGE_SIZE = 999;

/**
 * Who is in which of the groups the rules look at (recovery, TAP, Conditional Access and
 * role-assignable groups): read once per group instead of once per user.
 */
export interface GroupSets {
  /** Group id -> ids of its members, directly or through nesting. */
  transitive: Map<string, Set<string>>;
  /** Recovery group id -> ids of its direct members (E2 reports direct vs nested). */
  direct: Map<string, Set<string>>;
  groupNames: Record<string, string>;
}

export interface PopulationFacts {
  readAt: Date;
  wide: TenantWideFacts;
  groups: Fact<GroupSets>;
  /** Role-assignable groups: their members hold the groups' roles (read into `groups` like policy groups). */
  roleGroupIds: Fact<string[]>;
  /** userId -> when they were last added to a recovery group, within the audit window. */
  recentAdditions: Fact<Map<string, string>>;
}

/** What the bulk reads gave for one member. */
export interface MemberReads {
  lastSuccessfulSignIn: Fact<string | null>;
  authenticationMethods: Fact<GraphTypes.AuthenticationMethod[]>;
}

/**
 * One member's own reads from the population's. `scannedFrom` is the recovery group the member was
 * listed from: being listed there proves transitive membership without a set for it.
 */
export function ownReadsOf(
  population: PopulationFacts,
  user: GraphTypes.User & { id: string },
  scannedFrom: string,
  reads: MemberReads,
): OwnReads {
  const { recentAdditions, roleGroupIds } = population;
  return {
    readAt: population.readAt,
    user,
    ...reads,
    membership: membershipOf(population.groups, user.id, scannedFrom),
    ...(!roleGroupIds.known && { roleGroupIds }),
    addedToRecoveryGroupAt: recentAdditions.known ? known(recentAdditions.value.get(user.id) ?? null) : recentAdditions,
  };
}

function membershipOf(groups: Fact<GroupSets>, userId: string, scannedFrom: string): Fact<GroupMembership> {
  if (!groups.known) return groups;
  const { transitive, direct, groupNames } = groups.value;
  const transitiveGroupIds = [scannedFrom];
  for (const [groupId, members] of transitive)
    if (groupId !== scannedFrom && members.has(userId)) transitiveGroupIds.push(groupId);
  const directGroupIds: string[] = [];
  for (const [groupId, members] of direct) if (members.has(userId)) directGroupIds.push(groupId);
  return known({ directGroupIds, transitiveGroupIds, groupNames });
}

/** Reads everything that is the same for every member, with as few requests as Graph allows. */
export async function readPopulationFacts(
  graph: Graph,
  tenantFacts: TenantFacts,
  readAt: Date,
): Promise<PopulationFacts> {
  const wide = await readTenantWide(tenantFacts);
  const { policies } = wide;
  const scope = policies.recoveryScope;
  const includeGroups = scope.known ? scope.value.includeGroupIds.filter((id) => id !== ALL_USERS_TARGET) : [];
  const since = new Date(readAt.getTime() - AUDIT_WINDOW_DAYS * 86_400_000).toISOString();
  // Role grants come with the tenant policies; members of role-assignable groups hold those groups' roles,
  // so those groups' members are read like the policy groups'.
  const roleGroupsRead = collect<GraphTypes.Group>(
    graph,
    graphPath('/groups', { $filter: 'isAssignableToRole eq true', $select: 'id', $top: MEMBER_PAGE_SIZE }),
    PERMISSIONS.groupMembership,
  );
  const [groups, roleGroups, additions] = await Promise.all([
    roleGroupsRead.then((read) =>
      readGroupSets(graph, tenantFacts, policies, includeGroups, read.known ? idsOf(read.value) : []),
    ),
    roleGroupsRead,
    collect<GraphTypes.DirectoryAudit>(
      graph,
      graphPath('/auditLogs/directoryAudits', {
        $filter: `activityDateTime ge ${since} and activityDisplayName eq 'Add member to group'`,
        $top: 1000,
      }),
      PERMISSIONS.auditLogs,
    ),
  ]);
  return {
    readAt,
    wide,
    groups,
    roleGroupIds: roleGroups.known ? known(idsOf(roleGroups.value)) : roleGroups,
    recentAdditions: additions.known ? known(additionsToGroups(additions.value, new Set(includeGroups))) : additions,
  };
}

/** The groups whose members the rules compare against, besides the recovery groups themselves. */
export function policyGroupIds(policies: TenantPolicies): string[] {
  const ids = new Set<string>();
  if (policies.recoveryScope.known) for (const id of policies.recoveryScope.value.excludeGroupIds) ids.add(id);
  for (const policy of [policies.tapPolicy, policies.passkeyPolicy]) {
    if (!policy.known) continue;
    for (const target of [...(policy.value.includeTargets ?? []), ...(policy.value.excludeTargets ?? [])]) {
      if (target.targetType !== 'user' && target.id) ids.add(target.id);
    }
  }
  if (policies.conditionalAccessPolicies.known) {
    for (const policy of policies.conditionalAccessPolicies.value) {
      const registration = policy.conditions?.applications?.includeUserActions?.includes(REGISTER_SECURITY_INFO);
      // Enabled policies on cloud apps apply to the recovery sign-in too (E12).
      const onApps =
        policy.state === 'enabled' &&
        policy.conditions?.applications?.includeApplications?.some((app) => app.toLowerCase() !== 'none');
      if (policy.state === 'disabled' || !(registration || onApps)) continue;
      for (const id of [
        ...(policy.conditions?.users?.includeGroups ?? []),
        ...(policy.conditions?.users?.excludeGroups ?? []),
      ])
        ids.add(id);
    }
  }
  ids.delete(ALL_USERS);
  return [...ids];
}

function idsOf(objects: Array<{ id?: string }>): string[] {
  return objects.flatMap((o) => (o.id ? [o.id] : []));
}

async function collect<T>(graph: Graph, path: string, permission: string): Promise<Fact<T[]>> {
  try {
    return known(await graph.all<T>(path));
  } catch (error) {
    return unknownFact(unknownReason(error, permission));
  }
}

/** Member ids of the groups the rules look at: transitive for policy groups, direct for recovery groups. */
async function readGroupSets(
  graph: Graph,
  tenantFacts: TenantFacts,
  policies: TenantPolicies,
  includeGroups: string[],
  roleGroups: string[],
): Promise<Fact<GroupSets>> {
  // The one recovery group being scanned proves its own membership; with several, each needs its set.
  const policyGroups = [...new Set([...policyGroupIds(policies), ...roleGroups])].filter(
    (id) => includeGroups.length > 1 || !includeGroups.includes(id),
  );
  const transitiveGroups = [...new Set([...policyGroups, ...(includeGroups.length > 1 ? includeGroups : [])])];
  const ids = (path: string) =>
    graph.all<{ id?: string }>(path).then((members) => new Set(members.flatMap((m) => (m.id ? [m.id] : []))));
  const members = (groupId: string, relation: 'members' | 'transitiveMembers') =>
    ids(
      graphPath(`/groups/${encodeURIComponent(groupId)}/${relation}/microsoft.graph.user`, {
        $select: 'id',
        $top: MEMBER_PAGE_SIZE,
      }),
    );
  try {
    const [transitive, direct, groupNames] = await Promise.all([
      Promise.all(transitiveGroups.map(async (id) => [id, await members(id, 'transitiveMembers')] as const)),
      Promise.all(includeGroups.map(async (id) => [id, await members(id, 'members')] as const)),
      tenantFacts.groupNames([...policyGroups, ...includeGroups]),
    ]);
    return known({ transitive: new Map(transitive), direct: new Map(direct), groupNames });
  } catch (error) {
    return unknownFact(unknownReason(error, PERMISSIONS.groupMembership));
  }
}
