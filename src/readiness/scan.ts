import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { known, unknownFact, type Fact, type NameTwin, type RecoveryScope } from '../eligibility/facts.js';
import { checkEligibility, type Eligibility } from '../eligibility/rules.js';
import { additionsToGroups, batchFact, batchList } from '../directory/batch-facts.js';
import { AUDIT_WINDOW_DAYS } from '../directory/eligibility-facts.js';
import type { BatchRequest, Graph } from '../directory/graph.js';
import { PERMISSIONS, unknownReason } from '../directory/permissions.js';
import { ALL_USERS_TARGET } from '../directory/recovery-setup.js';
import { MEMBER_SELECT, type TenantFacts, type TenantPolicies } from '../directory/tenant-facts.js';
import { toTwins } from '../directory/eligibility-facts.js';
import { namesakeKey } from '../eligibility/names.js';
import {
  memberFacts,
  policyGroupIds,
  ReadinessTally,
  type GroupSets,
  type MemberReads,
  type ReadinessSummary,
  type TenantWideFacts,
} from './report.js';

/*
 * The Graph half of the readiness report. Request plan for a recovery group of N members:
 *   tenant-wide, once:  1 `$batch` of policies (+1 for group names; cached in TenantFacts),
 *                       ceil(N/999) pages for the name index (cached in TenantFacts),
 *                       1 `$batch` of names for the policy groups, role assignments and audit
 *                       additions (usually 1 page each), and for each group the rules look at
 *                       (TAP and Conditional Access groups, recovery exclusions) its member ids at
 *                       999 a page; for each recovery group its direct member ids at 999 a page;
 *   the scan:           ceil(N/999) pages of transitive members with only the properties E1/E4 need;
 *   per member:         2 reads (signInActivity by id, authentication methods) in `$batch`es of 20,
 *                       so ceil(N/10) batches, 4 in flight.
 * signInActivity is read per member because transitiveMembers does not return it and `/users` with
 * it is limited to 500 a page and lists the whole tenant, not the group; authentication methods
 * have no tenant-wide list that keeps their types and usability.
 */

export const MEMBER_PAGE_SIZE = 999;
/** Reads per member in a batch; a `$batch` holds 20. */
const READS_PER_MEMBER = 2;
const MEMBERS_PER_BATCH = 20 / READS_PER_MEMBER;
export const SCAN_SELECT = 'id,accountEnabled,userType,externalUserState,creationType,givenName,surname,displayName,userPrincipalName';

export interface ReadinessProgress {
  scanned: number;
  ready: number;
  notReady: number;
}

export interface ScanOptions {
  /** Called for every member in scan order, e.g. to write a CSV row; the user is not kept after. */
  onMember?: (user: GraphTypes.User & { id: string }, eligibility: Eligibility) => void | Promise<void>;
  onProgress?: (progress: ReadinessProgress) => void;
  signal?: AbortSignal;
  /** `$batch`es in flight at once. */
  concurrency?: number;
  now?: Date;
}

/** Scans every member of the recovery groups (transitively) and applies the eligibility rules to each. */
export async function scanReadiness(graph: Graph, tenantFacts: TenantFacts, options: ScanOptions = {}): Promise<ReadinessSummary> {
  const concurrency = options.concurrency ?? 4;
  const tenant = await readTenantWide(graph, tenantFacts, options.now ?? new Date());
  const scope = tenant.policies.recoveryScope;
  const tally = new ReadinessTally();
  const describe = (cancelled: boolean) => tally.summary(scopeLabel(scope), cancelled);
  if (!scope.known) throw new ReadinessUnavailable(`the recovery groups are unknown: ${scope.reason}`);

  const inFlight: Promise<Array<[GraphTypes.User & { id: string }, Eligibility]>>[] = [];
  const emit = async (rows: Array<[GraphTypes.User & { id: string }, Eligibility]>) => {
    for (const [user, eligibility] of rows) {
      tally.add(eligibility);
      await options.onMember?.(user, eligibility);
    }
    options.onProgress?.({ scanned: tally.count, ready: tally.readyCount, notReady: tally.count - tally.readyCount });
  };
  const cancelled = () => options.signal?.aborted === true;
  // With several recovery groups a member may be listed by more than one; with one, no set is needed.
  const seen = scope.value.includeGroupIds.length > 1 ? new Set<string>() : undefined;

  try {
    for (const groupId of scope.value.includeGroupIds) {
      for await (const page of graph.pages<GraphTypes.User & { id: string }>(membersPath(groupId))) {
        if (cancelled()) return describe(true);
        const fresh = seen ? page.filter((user) => !seen.has(user.id) && seen.add(user.id)) : page;
        for (let i = 0; i < fresh.length; i += MEMBERS_PER_BATCH) {
          if (inFlight.length >= concurrency) await emit(await inFlight.shift()!);
          if (cancelled()) return describe(true);
          inFlight.push(evaluateChunk(graph, tenant, groupId, fresh.slice(i, i + MEMBERS_PER_BATCH)));
        }
      }
    }
    while (inFlight.length > 0) {
      if (cancelled()) return describe(true);
      await emit(await inFlight.shift()!);
    }
    return describe(false);
  } finally {
    // Work already sent finishes quietly: its results are dropped, its errors too.
    for (const pending of inFlight) pending.catch(() => undefined);
  }
}

/** The report cannot run at all (no recovery group known); the message says why. */
export class ReadinessUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadinessUnavailable';
  }
}

function membersPath(groupId: string): string {
  const select = `$select=${SCAN_SELECT}&$top=${MEMBER_PAGE_SIZE}`;
  return groupId === ALL_USERS_TARGET ? `/users?${select}` : `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?${select}`;
}

function scopeLabel(scope: Fact<RecoveryScope>): { groups: string[]; source?: RecoveryScope['source'] } {
  if (!scope.known) return { groups: [] };
  return { groups: scope.value.includeGroupIds.map((id) => scope.value.groupNames[id] ?? id), source: scope.value.source };
}

async function evaluateChunk(graph: Graph, tenant: TenantWideFacts, scannedFrom: string, users: Array<GraphTypes.User & { id: string }>) {
  const requests: BatchRequest[] = users.flatMap((user, index) => {
    const id = encodeURIComponent(user.id);
    return [
      { id: `s${index}`, method: 'GET' as const, url: `/users/${id}?$select=id,signInActivity` },
      { id: `m${index}`, method: 'GET' as const, url: `/users/${id}/authentication/methods` },
    ];
  });
  const results = await graph.batch(requests);
  return Promise.all(
    users.map(async (user, index): Promise<[GraphTypes.User & { id: string }, Eligibility]> => {
      const own: MemberReads = {
        lastSuccessfulSignIn: batchFact(results.get(`s${index}`), PERMISSIONS.signInActivity, (body) => body.signInActivity?.lastSuccessfulSignInDateTime ?? null),
        authenticationMethods: await batchList<GraphTypes.AuthenticationMethod>(graph, results.get(`m${index}`), PERMISSIONS.authenticationMethods),
      };
      return [user, checkEligibility(memberFacts(tenant, user, scannedFrom, own))];
    }),
  );
}

/** Reads everything that is the same for every member, with as few requests as Graph allows. */
export async function readTenantWide(graph: Graph, tenantFacts: TenantFacts, readAt: Date): Promise<TenantWideFacts> {
  const policies = await tenantFacts.getPolicies();
  const scope = policies.recoveryScope;
  const includeGroups = scope.known ? scope.value.includeGroupIds.filter((id) => id !== ALL_USERS_TARGET) : [];
  const since = new Date(readAt.getTime() - AUDIT_WINDOW_DAYS * 86_400_000).toISOString();
  // Role grants come with the tenant policies; members of role-assignable groups hold those groups' roles,
  // so those groups' members are read like the policy groups'.
  const roleGroupsRead = collect<GraphTypes.Group>(graph, '/groups?$filter=isAssignableToRole eq true&$select=id&$top=999', PERMISSIONS.groupMembership);
  const [names, everyone, groups, roleGroups, additions] = await Promise.all([
    tenantFacts.getNameIndex(scope),
    // One pass over the directory instead of a read per member: E5's tenant-wide namesakes and E9's per-user licences.
    collect<GraphTypes.User>(graph, `/users?$select=${MEMBER_SELECT},assignedLicenses&$top=${MEMBER_PAGE_SIZE}`, PERMISSIONS.users),
    roleGroupsRead.then((read) => readGroupSets(graph, tenantFacts, policies, includeGroups, read.known ? idsOf(read.value) : [])),
    roleGroupsRead,
    collect<GraphTypes.DirectoryAudit>(
      graph,
      `/auditLogs/directoryAudits?$filter=activityDateTime ge ${since} and activityDisplayName eq 'Add member to group'&$top=1000`,
      PERMISSIONS.auditLogs,
    ),
  ]);
  // The card and the CSV name the recovery groups, not their ids.
  const named =
    scope.known && groups.known
      ? { ...policies, recoveryScope: known({ ...scope.value, groupNames: { ...scope.value.groupNames, ...groups.value.groupNames } }) }
      : policies;
  return {
    readAt,
    policies: named,
    names,
    namesakes: everyone.known ? known(indexByNamesake(everyone.value)) : everyone,
    assignedLicences: everyone.known ? known(new Map(everyone.value.map((u) => [u.id ?? '', u.assignedLicenses ?? []]))) : everyone,
    groups,
    roleGroupIds: roleGroups.known ? known(idsOf(roleGroups.value)) : roleGroups,
    recentAdditions: additions.known ? known(additionsToGroups(additions.value, new Set(includeGroups))) : additions,
  };
}

function idsOf(objects: Array<{ id?: string }>): string[] {
  return objects.flatMap((o) => (o.id ? [o.id] : []));
}

function indexByNamesake(users: GraphTypes.User[]): Map<string, NameTwin[]> {
  const index = new Map<string, NameTwin[]>();
  for (const user of users) {
    const key = namesakeKey(user);
    if (key) index.set(key, [...(index.get(key) ?? []), ...toTwins([user])]);
  }
  return index;
}

async function collect<T>(graph: Graph, path: string, permission: string): Promise<Fact<T[]>> {
  try {
    return known(await graph.all<T>(path));
  } catch (error) {
    return unknownFact(unknownReason(error, permission));
  }
}

/** Member ids of the groups the rules look at: transitive for policy groups, direct for recovery groups. */
async function readGroupSets(graph: Graph, tenantFacts: TenantFacts, policies: TenantPolicies, includeGroups: string[], roleGroups: string[]): Promise<Fact<GroupSets>> {
  // The one recovery group being scanned proves its own membership; with several, each needs its set.
  const policyGroups = [...new Set([...policyGroupIds(policies), ...roleGroups])].filter((id) => includeGroups.length > 1 || !includeGroups.includes(id));
  const transitiveGroups = [...new Set([...policyGroups, ...(includeGroups.length > 1 ? includeGroups : [])])];
  const ids = (path: string) => graph.all<{ id?: string }>(path).then((members) => new Set(members.flatMap((m) => (m.id ? [m.id] : []))));
  const members = (groupId: string, relation: 'members' | 'transitiveMembers') =>
    ids(`/groups/${encodeURIComponent(groupId)}/${relation}/microsoft.graph.user?$select=id&$top=${MEMBER_PAGE_SIZE}`);
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
