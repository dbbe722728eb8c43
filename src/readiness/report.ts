import type * as Graph from '@microsoft/microsoft-graph-types';
import { known, type EligibilityFacts, type Fact, type GroupMembership, type RecoveryScope } from '../eligibility/facts.js';
import { REGISTER_SECURITY_INFO } from '../eligibility/conditional-access.js';
import { nameKey } from '../eligibility/names.js';
import { ALL_USERS } from '../eligibility/tap-scope.js';
import type { Eligibility, RequirementId } from '../eligibility/rules.js';
import type { Status } from '../eligibility/status.js';
import type { NameIndex, TenantPolicies } from '../directory/tenant-facts.js';

/*
 * The pure half of the readiness report: turning tenant-wide reads plus one member's own reads into
 * the same EligibilityFacts the per-user check uses, and counting the results. No I/O here.
 */

export const REQUIREMENT_IDS: RequirementId[] = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10'];

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
  groups: Fact<GroupSets>;
  /** principalId -> role template ids held directly. */
  roles: Fact<Map<string, string[]>>;
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
export function memberFacts(tenant: TenantWideFacts, user: Graph.User & { id: string }, scannedFrom: string, own: MemberReads): EligibilityFacts {
  const key = nameKey(user);
  return {
    readAt: tenant.readAt,
    user,
    lastSuccessfulSignIn: own.lastSuccessfulSignIn,
    recoveryScope: tenant.policies.recoveryScope,
    membership: membershipOf(tenant.groups, user.id, scannedFrom),
    roleTemplateIds: tenant.roles.known ? known(tenant.roles.value.get(user.id) ?? []) : tenant.roles,
    nameTwins: tenant.names.known ? known(key ? (tenant.names.value.get(key) ?? []).filter((twin) => twin.id !== user.id) : []) : tenant.names,
    tapPolicy: tenant.policies.tapPolicy,
    conditionalAccessPolicies: tenant.policies.conditionalAccessPolicies,
    subscribedSkus: tenant.policies.subscribedSkus,
    authenticationMethods: own.authenticationMethods,
    addedToRecoveryGroupAt: tenant.recentAdditions.known ? known(tenant.recentAdditions.value.get(user.id) ?? null) : tenant.recentAdditions,
  };
}

function membershipOf(groups: Fact<GroupSets>, userId: string, scannedFrom: string): Fact<GroupMembership> {
  if (!groups.known) return groups;
  const { transitive, direct, groupNames } = groups.value;
  const transitiveGroupIds = [scannedFrom];
  for (const [groupId, members] of transitive) if (groupId !== scannedFrom && members.has(userId)) transitiveGroupIds.push(groupId);
  const directGroupIds: string[] = [];
  for (const [groupId, members] of direct) if (members.has(userId)) directGroupIds.push(groupId);
  return known({ directGroupIds, transitiveGroupIds, groupNames });
}

/** The groups whose members the rules compare against, besides the recovery groups themselves. */
export function policyGroupIds(policies: TenantPolicies): string[] {
  const ids = new Set<string>();
  if (policies.recoveryScope.known) for (const id of policies.recoveryScope.value.excludeGroupIds) ids.add(id);
  if (policies.tapPolicy.known) {
    for (const target of [...(policies.tapPolicy.value.includeTargets ?? []), ...(policies.tapPolicy.value.excludeTargets ?? [])]) {
      if (target.targetType !== 'user' && target.id) ids.add(target.id);
    }
  }
  if (policies.conditionalAccessPolicies.known) {
    for (const policy of policies.conditionalAccessPolicies.value) {
      if (policy.state === 'disabled' || !policy.conditions?.applications?.includeUserActions?.includes(REGISTER_SECURITY_INFO)) continue;
      for (const id of [...(policy.conditions?.users?.includeGroups ?? []), ...(policy.conditions?.users?.excludeGroups ?? [])]) ids.add(id);
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
  private readonly byRequirement = Object.fromEntries(REQUIREMENT_IDS.map((id) => [id, emptyStatuses()])) as Record<RequirementId, Record<Status, number>>;
  /** The first reason seen per requirement that could not be checked, to name it in the summary. */
  private readonly unknownReasons = new Map<RequirementId, string>();

  add(eligibility: Eligibility): void {
    this.scanned += 1;
    this.verdicts[eligibility.verdict] += 1;
    for (const result of eligibility.results) {
      this.byRequirement[result.id][result.status] += 1;
      if (result.status === 'unknown' && !this.unknownReasons.has(result.id)) this.unknownReasons.set(result.id, result.unknownReason ?? 'not readable');
    }
  }

  get count(): number {
    return this.scanned;
  }

  get readyCount(): number {
    return this.verdicts.pass + this.verdicts.warn;
  }

  summary(scope: { groups: string[]; source?: RecoveryScope['source'] }, cancelled = false, notes: string[] = []): ReadinessSummary {
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
const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** How each requirement's failures read in one line, with what to do. */
const FAIL_WORDING: Record<RequirementId, (n: number) => string> = {
  E1: (n) => `${users(n)} ${verb(n, 'is', 'are')} disabled or a guest: an admin re-enables members; guests recover at home`,
  E2: (n) => `${users(n)} ${verb(n, 'is', 'are')} excluded from account recovery`,
  E3: (n) => `${n} never signed in: SSAR is not offered to them; escalate for a human-approved TAP`,
  E4: (n) => `${users(n)} ${verb(n, 'has', 'have')} an empty first or last name: an admin sets both as on the ID`,
  E5: (n) => `${users(n)} share a first and last name with someone in the group: rename or move one of each pair out`,
  E6: (n) => `${n} outside the TAP policy: add them to it, or take them out of the excluded group`,
  E7: (n) => `${n} blocked by Conditional Access from registering security info with a TAP`,
  E8: (n) => `Recovery is in Evaluation mode, so none of ${verb(n, 'this', 'these')} ${users(n)} can recover yet: switch to Production`,
  E9: (n) => `No active Entra ID P1/P2 licence: SSAR is unavailable for all ${users(n)}`,
  E10: (n) => `${n} still ${verb(n, 'has', 'have')} a sign-in method`,
};

const WARN_WORDING: Partial<Record<RequirementId, (n: number) => string>> = {
  E2: (n) => `${users(n)} ${verb(n, 'is', 'are')} in the recovery group only through a nested group: add them directly to be sure`,
  E4: (n) => `${users(n)} ${verb(n, 'has', 'have')} a name worth comparing with the ID (initials, titles, short forms)`,
  E7: (n) => `${users(n)} may be stopped by a Conditional Access policy on registering security info`,
  E10: (n) => `${n} still ${verb(n, 'has', 'have')} a sign-in method: SSPR or normal sign-in is quicker for them`,
};

const TOP_FIXES = 6;

function topFixes(byRequirement: Record<RequirementId, Record<Status, number>>, unknownReasons: Map<RequirementId, string>): string[] {
  const lines: { rank: number; count: number; text: string }[] = [];
  for (const id of REQUIREMENT_IDS) {
    const counts = byRequirement[id];
    if (counts.fail > 0) lines.push({ rank: 0, count: counts.fail, text: FAIL_WORDING[id](counts.fail) });
    if (counts.unknown > 0) {
      lines.push({ rank: 1, count: counts.unknown, text: `${users(counts.unknown)} could not be checked for ${id} (${unknownReasons.get(id) ?? 'not readable'})` });
    }
    const warn = WARN_WORDING[id];
    if (counts.warn > 0 && warn) lines.push({ rank: 2, count: counts.warn, text: warn(counts.warn) });
  }
  return lines
    .sort((a, b) => a.rank - b.rank || b.count - a.count)
    .slice(0, TOP_FIXES)
    .map((line) => line.text);
}
