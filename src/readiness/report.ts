import type * as Graph from '@microsoft/microsoft-graph-types';
import type { NameIndex, TenantPolicies } from '../directory/tenant-facts.js';
import { REGISTER_SECURITY_INFO } from '../eligibility/conditional-access.js';
import {
  type EligibilityFacts,
  type Fact,
  type GroupMembership,
  known,
  type RecoveryScope,
} from '../eligibility/facts.js';
import { licenceDetailsFrom } from '../eligibility/licences.js';
import { combineNameTwins, nameKey, namesakeKey } from '../eligibility/names.js';
import { REQUIREMENT_IDS, REQUIREMENTS, type RequirementId } from '../eligibility/requirements.js';
import { type RoleGrant, type TenantRoleGrants, userRoles } from '../eligibility/roles.js';
import type { Eligibility } from '../eligibility/rules.js';
import type { Status } from '../eligibility/status.js';
import { ALL_USERS } from '../eligibility/tap-scope.js';

/*
 * The pure half of the readiness report: turning tenant-wide reads plus one member's own reads into
 * the same EligibilityFacts the per-user check uses, and counting the results. No I/O here.
 */

export { REQUIREMENT_IDS };

/**
 * Who is in which of the groups the rules look at (recovery, TAP and Conditional Access groups).
 * Only those groups matter to the rules, so they are read once per group instead of once per user.
 */
export interface GroupSets {
  /** Group id -> ids of its members, directly or through nesting. */
  transitive: Map<string, Set<string>>;
  /** Recovery group id -> ids of its direct members (E2 reports direct vs nested). */
  direct: Map<string, Set<string>>;
  groupNames: Record<string, string>;
}

/** Everything read once for the whole report. */
export interface TenantWideFacts {
  readAt: Date;
  policies: TenantPolicies;
  names: Fact<NameIndex>;
  /** Everyone in the tenant by exact first + last name (namesakeKey), for E5's tenant-wide namesakes. */
  namesakes: Fact<NameIndex>;
  /** userId -> assigned licences, from the same pass over the directory (E9 per user). */
  assignedLicences: Fact<Map<string, Graph.AssignedLicense[]>>;
  groups: Fact<GroupSets>;
  /** Role-assignable groups: their members hold the groups' roles (read into `groups` like policy groups). */
  roleGroupIds: Fact<string[]>;
  /** userId -> when they were last added to a recovery group, within the audit window. */
  recentAdditions: Fact<Map<string, string>>;
}

/** What is read per member, in `$batch`. */
export interface MemberReads {
  lastSuccessfulSignIn: Fact<string | null>;
  authenticationMethods: Fact<Graph.AuthenticationMethod[]>;
}

/**
 * One member's EligibilityFacts. `scannedFrom` is the recovery group the member was listed from:
 * being listed there proves transitive membership without a set for it.
 */
export function memberFacts(
  tenant: TenantWideFacts,
  user: Graph.User & { id: string },
  scannedFrom: string,
  own: MemberReads,
): EligibilityFacts {
  const key = nameKey(user);
  const membership = membershipOf(tenant.groups, user.id, scannedFrom);
  return {
    readAt: tenant.readAt,
    user,
    lastSuccessfulSignIn: own.lastSuccessfulSignIn,
    recoveryScope: tenant.policies.recoveryScope,
    membership,
    ...rolesOf(tenant, user.id, membership),
    nameTwins: key
      ? combineNameTwins(
          user.id,
          tenant.names.known ? known(tenant.names.value.get(key) ?? []) : tenant.names,
          tenant.namesakes.known ? known(tenant.namesakes.value.get(namesakeKey(user) ?? '') ?? []) : tenant.namesakes,
        )
      : known([]),
    tapPolicy: tenant.policies.tapPolicy,
    conditionalAccessPolicies: tenant.policies.conditionalAccessPolicies,
    namedLocations: tenant.policies.namedLocations,
    subscribedSkus: tenant.policies.subscribedSkus,
    userLicences:
      tenant.assignedLicences.known && tenant.policies.subscribedSkus.known
        ? known(
            licenceDetailsFrom(tenant.assignedLicences.value.get(user.id) ?? [], tenant.policies.subscribedSkus.value),
          )
        : tenant.assignedLicences.known
          ? (tenant.policies.subscribedSkus as Fact<never>)
          : tenant.assignedLicences,
    authenticationMethods: own.authenticationMethods,
    addedToRecoveryGroupAt: tenant.recentAdditions.known
      ? known(tenant.recentAdditions.value.get(user.id) ?? null)
      : tenant.recentAdditions,
  };
}

/** The same role rules as the per-user check, from the tenant's grants and the role-assignable groups' members. */
function rolesOf(
  tenant: TenantWideFacts,
  userId: string,
  membership: Fact<GroupMembership>,
): Pick<EligibilityFacts, 'roleTemplateIds' | 'conditionalAccessRoleIds'> {
  const grants = tenant.policies.roleGrants;
  const own = (pick: (g: TenantRoleGrants) => RoleGrant[]): Fact<RoleGrant[]> =>
    grants.known ? known(pick(grants.value).filter((g) => g.principalId === userId)) : grants;
  const groupIds: Fact<string[]> = !tenant.roleGroupIds.known
    ? tenant.roleGroupIds
    : membership.known
      ? known(membership.value.transitiveGroupIds)
      : membership;
  const held = userRoles({
    userId,
    groupIds,
    directActive: own((g) => g.active),
    directEligible: own((g) => g.eligible),
    tenant: grants,
  });
  return { roleTemplateIds: held.privileged, conditionalAccessRoleIds: held.conditionalAccess };
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

/** The groups whose members the rules compare against, besides the recovery groups themselves. */
export function policyGroupIds(policies: TenantPolicies): string[] {
  const ids = new Set<string>();
  if (policies.recoveryScope.known) for (const id of policies.recoveryScope.value.excludeGroupIds) ids.add(id);
  if (policies.tapPolicy.known) {
    for (const target of [
      ...(policies.tapPolicy.value.includeTargets ?? []),
      ...(policies.tapPolicy.value.excludeTargets ?? []),
    ]) {
      if (target.targetType !== 'user' && target.id) ids.add(target.id);
    }
  }
  if (policies.conditionalAccessPolicies.known) {
    for (const policy of policies.conditionalAccessPolicies.value) {
      const registration = policy.conditions?.applications?.includeUserActions?.includes(REGISTER_SECURITY_INFO);
      // Enabled policies on all cloud apps apply to the recovery sign-in too (E7's recovery-flow warnings).
      const allApps =
        policy.state === 'enabled' &&
        policy.conditions?.applications?.includeApplications?.some((app) => app.toLowerCase() === 'all');
      if (policy.state === 'disabled' || !(registration || allApps)) continue;
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

// ─── counting ─────────────────────────────────────────────────────────────────────────────────

export interface ReadinessSummary {
  scanned: number;
  /** Verdict pass or warn: would get through recovery today. */
  ready: number;
  notReady: number;
  verdicts: Record<Status, number>;
  /** Per requirement, how many members got each status. */
  byRequirement: Record<RequirementId, Record<Status, number>>;
  /** Most common problems first, in plain words ("40 never signed in"). */
  topFixes: string[];
  /** The recovery groups scanned, by name, and where the bot learned them. */
  groups: string[];
  scopeSource?: RecoveryScope['source'];
  cancelled: boolean;
  /** Where the bulk facts came from and how they were read (the sign-in plan, the registration snapshot). */
  notes: string[];
}

const emptyStatuses = (): Record<Status, number> => ({ pass: 0, warn: 0, fail: 0, unknown: 0 });

/** Counters only: memory does not grow with the number of members. */
export class ReadinessTally {
  private scanned = 0;
  private readonly verdicts = emptyStatuses();
  private readonly byRequirement = Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, emptyStatuses()])) as Record<
    RequirementId,
    Record<Status, number>
  >;
  /** The first reason seen per requirement that could not be checked, to name it in the summary. */
  private readonly unknownReasons = new Map<RequirementId, string>();

  add(eligibility: Eligibility): void {
    this.scanned += 1;
    this.verdicts[eligibility.verdict] += 1;
    for (const result of eligibility.results) {
      this.byRequirement[result.id][result.status] += 1;
      if (result.status === 'unknown' && !this.unknownReasons.has(result.id))
        this.unknownReasons.set(result.id, result.unknownReason ?? 'not readable');
    }
  }

  get count(): number {
    return this.scanned;
  }

  get readyCount(): number {
    return this.verdicts.pass + this.verdicts.warn;
  }

  summary(
    scope: { groups: string[]; source?: RecoveryScope['source'] },
    cancelled = false,
    notes: string[] = [],
  ): ReadinessSummary {
    return {
      scanned: this.scanned,
      ready: this.readyCount,
      notReady: this.scanned - this.readyCount,
      verdicts: { ...this.verdicts },
      byRequirement: structuredClone(this.byRequirement),
      topFixes: topFixes(this.byRequirement, this.unknownReasons),
      groups: scope.groups,
      ...(scope.source && { scopeSource: scope.source }),
      cancelled,
      notes: [...notes],
    };
  }
}

const users = (n: number) => `${n} ${n === 1 ? 'user' : 'users'}`;

const TOP_FIXES = 6;

function topFixes(
  byRequirement: Record<RequirementId, Record<Status, number>>,
  unknownReasons: Map<RequirementId, string>,
): string[] {
  const lines: { rank: number; count: number; text: string }[] = [];
  for (const id of REQUIREMENT_IDS) {
    const counts = byRequirement[id];
    const { failSummary, warnSummary } = REQUIREMENTS[id];
    if (counts.fail > 0) lines.push({ rank: 0, count: counts.fail, text: failSummary(counts.fail) });
    if (counts.unknown > 0) {
      lines.push({
        rank: 1,
        count: counts.unknown,
        text: `${users(counts.unknown)} could not be checked for ${id} (${unknownReasons.get(id) ?? 'not readable'})`,
      });
    }
    if (counts.warn > 0 && warnSummary) lines.push({ rank: 2, count: counts.warn, text: warnSummary(counts.warn) });
  }
  return lines
    .sort((a, b) => a.rank - b.rank || b.count - a.count)
    .slice(0, TOP_FIXES)
    .map((line) => line.text);
}
