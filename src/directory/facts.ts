import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import {
  type EligibilityFacts,
  type Fact,
  type GroupMembership,
  known,
  type NameTwin,
  type UserFacts,
  unknownFact,
} from '../eligibility/facts.js';
import { licenceDetailsFrom } from '../eligibility/licences.js';
import { nameKey } from '../eligibility/names.js';
import { type RoleGrant, type TenantRoleGrants, userRoles } from '../eligibility/roles.js';
import { ALL_USERS } from '../eligibility/tap-scope.js';
import { additionsToGroups, batchFact, batchList } from './batch-facts.js';
import type { BatchRequest, BatchResult, Graph } from './graph.js';
import { PERMISSIONS } from './permissions.js';
import { graphPath, userPath } from './query.js';
import type { PeopleIndex, TenantFacts, TenantPolicies } from './tenant.js';

/*
 * THE eligibility fact source. A user's EligibilityFacts are always `assemble(tenantWide, own)`:
 * the facts that are the same for every user (read once: cached for a check, once per scan for the
 * readiness report) and the user's own reads (one `$batch` for a check; bulk pages for a report).
 * Hidden groups, licences, roles and nested membership are decided here, once, for both.
 * New tenant-wide facts go into TenantWideFacts (or TenantPolicies, which it carries); new per-user
 * reads into OwnReads; both reach the rules only through `assemble`.
 */

export const USER_SELECT =
  'id,accountEnabled,userType,externalUserState,creationType,givenName,surname,displayName,userPrincipalName,mail,jobTitle,assignedLicenses,onPremisesSyncEnabled';
/** How far back the audit log is read for group additions and recovery attempts. */
export const AUDIT_WINDOW_DAYS = 7;

/** What is the same for every user of the tenant. */
export interface TenantWideFacts {
  /** Policies, SKUs, role grants and the recovery scope (with its groups' names). */
  policies: TenantPolicies;
  /** Everyone in the tenant by case- and accent-folded first + last name, and who is in a recovery group (E5). */
  people: Fact<PeopleIndex>;
  /**
   * Groups the rules look at that hide their membership from the bot (no Member.Read.Hidden): being
   * in one is not counted, and "not in it" is unknown with the permission named (E2, E5, E6).
   */
  unreadableGroupIds: string[];
}

/** What is read about one user. */
export interface OwnReads {
  readAt: Date;
  /** As read by object id or UPN, with USER_SELECT's properties (its `assignedLicenses` give E9). */
  user: GraphTypes.User & { id: string };
  lastSuccessfulSignIn: Fact<string | null>;
  /** Group memberships, direct and transitive (with the groups' names). */
  membership: Fact<GroupMembership>;
  /** The groups that decide roles held through role-assignable groups, when not the transitive membership. */
  roleGroupIds?: Fact<string[]>;
  authenticationMethods: Fact<GraphTypes.AuthenticationMethod[]>;
  /** When the user was last added to a recovery group, within the audit window (E2). */
  addedToRecoveryGroupAt: Fact<string | null>;
}

/** The one function that turns tenant-wide facts and a user's own reads into what the rules read. */
export function assemble(tenant: TenantWideFacts, own: OwnReads): EligibilityFacts {
  const { policies } = tenant;
  const scope = policies.recoveryScope;
  const recoveryGroups = new Set(scope.known ? scope.value.includeGroupIds : []);
  // A group the bot cannot list counts the same for every user: a recovery group listed by the user's
  // memberOf still proves membership (E2), any other is left out, so its rule says unknown.
  const unreadable = tenant.unreadableGroupIds.filter((id) => !recoveryGroups.has(id));
  const membership = own.membership.known ? known(withoutGroups(own.membership.value, unreadable)) : own.membership;
  const key = nameKey(own.user);
  return {
    readAt: own.readAt,
    user: own.user,
    lastSuccessfulSignIn: own.lastSuccessfulSignIn,
    recoveryScope: scope,
    membership,
    ...rolesOf(policies.roleGrants, own, membership),
    nameTwins: key ? twinsOf(tenant, key, own.user.id) : known([]),
    tapPolicy: policies.tapPolicy,
    passkeyPolicy: policies.passkeyPolicy,
    conditionalAccessPolicies: policies.conditionalAccessPolicies,
    namedLocations: policies.namedLocations,
    subscribedSkus: policies.subscribedSkus,
    userLicences: licencesOf(own.user, policies.subscribedSkus),
    authenticationMethods: own.authenticationMethods,
    ...(tenant.unreadableGroupIds.length > 0 && { hiddenMembershipGroupIds: tenant.unreadableGroupIds }),
    addedToRecoveryGroupAt: own.addedToRecoveryGroupAt,
  };
}

/** E9 reads the user's `assignedLicenses` (direct and group-based) against the tenant's SKUs. */
function licencesOf(user: GraphTypes.User, skus: Fact<GraphTypes.SubscribedSku[]>): Fact<GraphTypes.LicenseDetails[]> {
  if (!user.assignedLicenses) return unknownFact("the directory did not return the user's assignedLicenses");
  return skus.known ? known(licenceDetailsFrom(user.assignedLicenses, skus.value)) : skus;
}

/** Roles from the tenant's grants (cached with the policies): the user's own and their groups'. */
function rolesOf(
  grants: Fact<TenantRoleGrants>,
  own: OwnReads,
  membership: Fact<GroupMembership>,
): Pick<EligibilityFacts, 'roleTemplateIds' | 'conditionalAccessRoleIds'> {
  const mine = (pick: (g: TenantRoleGrants) => RoleGrant[]): Fact<RoleGrant[]> =>
    grants.known ? known(pick(grants.value).filter((g) => g.principalId === own.user.id)) : grants;
  const groupIds = own.roleGroupIds ?? (membership.known ? known(membership.value.transitiveGroupIds) : membership);
  const held = userRoles({
    userId: own.user.id,
    groupIds,
    directActive: mine((g) => g.active),
    directEligible: mine((g) => g.eligible),
    tenant: grants,
  });
  return { roleTemplateIds: held.privileged, conditionalAccessRoleIds: held.conditionalAccess };
}

/**
 * The other users with the same folded first + last name, anywhere in the tenant, each saying whether
 * they are in a recovery group (undefined where a recovery group hides its members from the bot).
 */
function twinsOf(tenant: TenantWideFacts, key: string, userId: string): Fact<NameTwin[]> {
  if (!tenant.people.known) return tenant.people;
  const { byName, inRecoveryGroups } = tenant.people.value;
  const scope = tenant.policies.recoveryScope;
  const hiddenRecoveryGroup =
    scope.known && scope.value.includeGroupIds.some((id) => tenant.unreadableGroupIds.includes(id));
  const inRecoveryGroup = (id: string): boolean | undefined => {
    if (!inRecoveryGroups.known) return undefined;
    if (inRecoveryGroups.value === 'everyone' || inRecoveryGroups.value.has(id)) return true;
    return hiddenRecoveryGroup ? undefined : false;
  };
  return known(
    (byName.get(key) ?? [])
      .filter((twin) => twin.id !== userId)
      .map((twin) => ({ ...twin, inRecoveryGroup: inRecoveryGroup(twin.id) })),
  );
}

function withoutGroups(membership: GroupMembership, groupIds: string[]): GroupMembership {
  if (groupIds.length === 0) return membership;
  const drop = new Set(groupIds);
  return {
    ...membership,
    directGroupIds: membership.directGroupIds.filter((id) => !drop.has(id)),
    transitiveGroupIds: membership.transitiveGroupIds.filter((id) => !drop.has(id)),
  };
}

/** The groups whose membership the rules look at: recovery (include and exclude), TAP, passkeys and Conditional Access. */
export function ruleGroupIds(policies: TenantPolicies): string[] {
  const scope = policies.recoveryScope;
  const ids = new Set(scope.known ? [...scope.value.includeGroupIds, ...scope.value.excludeGroupIds] : []);
  for (const policy of [policies.tapPolicy, policies.passkeyPolicy]) {
    if (!policy.known) continue;
    for (const target of [...(policy.value.includeTargets ?? []), ...(policy.value.excludeTargets ?? [])])
      if (target.targetType !== 'user' && target.id) ids.add(target.id);
  }
  ids.delete(ALL_USERS);
  return [...ids];
}

export interface ReadOptions {
  /** Read the tenant-wide facts afresh, for a decision that takes effect now (escalation). */
  fresh?: boolean;
}

/** The tenant-wide facts for a check: each cached by TenantFacts, so a warm check reads none of them. */
export async function readTenantWide(tenant: TenantFacts, options: ReadOptions = {}): Promise<TenantWideFacts> {
  const policies = await (options.fresh ? tenant.getPolicies(0) : tenant.getPolicies());
  const scope = policies.recoveryScope;
  const [people, groupNames, unreadableGroupIds] = await Promise.all([
    tenant.getPeople(scope),
    tenant.groupNames(scope.known ? [...scope.value.includeGroupIds, ...scope.value.excludeGroupIds] : []),
    tenant.unreadableGroups(ruleGroupIds(policies)),
  ]);
  return {
    policies: scope.known
      ? {
          ...policies,
          recoveryScope: known({ ...scope.value, groupNames: { ...scope.value.groupNames, ...groupNames } }),
        }
      : policies,
    people,
    unreadableGroupIds,
  };
}

/**
 * Everything the eligibility rules need about one user: the tenant-wide facts (cached; the caller
 * starts them beside the user lookup), then the user's own reads in one `$batch`. The request count
 * does not grow with policies or groups.
 */
export async function readEligibilityFacts(
  graph: Graph,
  tenant: TenantFacts,
  user: GraphTypes.User & { id: string },
  now = new Date(),
  options: ReadOptions = {},
): Promise<UserFacts> {
  const tenantWide = readTenantWide(tenant, options);
  const own = await readOwn(graph, user, now);
  return assembleUser(await tenantWide, { ...own.reads, user }, own.audits);
}

/**
 * A check by sign-in name in ONE Graph round trip, when the tenant-wide facts are warm and the people
 * index knows the UPN: the user read by UPN rides in the same `$batch` as their own reads, addressed
 * by the id the index holds. Undefined (read the usual way: user, then facts) when the index does not
 * know the UPN (an account created since it was read) or the user read disagrees with it.
 */
export async function readFactsBySignInName(
  graph: Graph,
  tenant: TenantFacts,
  userPrincipalName: string,
  now = new Date(),
): Promise<{ user: GraphTypes.User & { id: string }; facts: UserFacts } | undefined> {
  const hint = tenant.personBySignInName(userPrincipalName);
  if (!hint) return undefined;
  const tenantWide = readTenantWide(tenant);
  const own = await readOwn(graph, hint, now, {
    id: 'user',
    method: 'GET',
    url: graphPath(userPath(userPrincipalName), { $select: USER_SELECT }),
  });
  const read = own.user;
  // A renamed, re-created or missing account: the index is stale for it, so the usual path decides.
  if (!read?.ok) return undefined;
  const user = read.body as GraphTypes.User & { id: string };
  if (user.id !== hint.id || nameKey(user) !== nameKey(hint)) return undefined;
  return { user, facts: assembleUser(await tenantWide, { ...own.reads, user }, own.audits) };
}

function assembleUser(
  wide: TenantWideFacts,
  reads: Omit<OwnReads, 'addedToRecoveryGroupAt'>,
  audits: Fact<GraphTypes.DirectoryAudit[]>,
): UserFacts {
  const scope = wide.policies.recoveryScope;
  const recoveryGroups = new Set(scope.known ? scope.value.includeGroupIds : []);
  const addedToRecoveryGroupAt = audits.known
    ? known(additionsToGroups(audits.value, recoveryGroups).get(reads.user.id) ?? null)
    : audits;
  return { ...assemble(wide, { ...reads, addedToRecoveryGroupAt }), auditEvents: audits };
}

/** One user's own reads in one `$batch` (the audit events are kept for diagnosis too), with any extra request beside them. */
async function readOwn(
  graph: Graph,
  user: { id: string },
  now: Date,
  extra?: BatchRequest,
): Promise<{
  reads: Omit<OwnReads, 'addedToRecoveryGroupAt' | 'user'>;
  audits: Fact<GraphTypes.DirectoryAudit[]>;
  user?: BatchResult;
}> {
  const id = encodeURIComponent(user.id);
  const since = new Date(now.getTime() - AUDIT_WINDOW_DAYS * 86_400_000).toISOString();
  const results = await graph.batch([
    ...(extra ? [extra] : []),
    // signInActivity by object id: some tenants reject it when the user is addressed by UPN.
    { id: 'signIn', method: 'GET', url: `/users/${id}?$select=id,signInActivity` },
    { id: 'direct', method: 'GET', url: `/users/${id}/memberOf/microsoft.graph.group?$select=id,displayName&$top=999` },
    {
      id: 'transitive',
      method: 'GET',
      url: `/users/${id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`,
    },
    { id: 'methods', method: 'GET', url: `/users/${id}/authentication/methods` },
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
  ]);
  const list = <T>(resultId: string, permission: string) => batchList<T>(graph, results.get(resultId), permission);
  const [direct, transitive, methods, auditsOnUser, auditsByUser] = await Promise.all([
    list<GraphTypes.Group>('direct', PERMISSIONS.groupMembership),
    list<GraphTypes.Group>('transitive', PERMISSIONS.groupMembership),
    list<GraphTypes.AuthenticationMethod>('methods', PERMISSIONS.authenticationMethods),
    list<GraphTypes.DirectoryAudit>('audits', PERMISSIONS.auditLogs),
    list<GraphTypes.DirectoryAudit>('auditsByUser', PERMISSIONS.auditLogs),
  ]);
  return {
    reads: {
      readAt: now,
      lastSuccessfulSignIn: batchFact(
        results.get('signIn'),
        PERMISSIONS.signInActivity,
        (b) => b.signInActivity?.lastSuccessfulSignInDateTime ?? null,
      ),
      membership:
        direct.known && transitive.known
          ? known({
              directGroupIds: ids(direct.value),
              transitiveGroupIds: ids(transitive.value),
              groupNames: Object.fromEntries(transitive.value.map((g) => [g.id ?? '', g.displayName ?? g.id ?? ''])),
            })
          : unknownFact(direct.known ? (transitive as { reason: string }).reason : direct.reason),
      authenticationMethods: methods,
    },
    audits: mergeAudits(auditsOnUser, auditsByUser),
    user: results.get('user'),
  };
}

function ids(objects: Array<{ id?: string }>): string[] {
  return objects.map((o) => o.id).filter((id): id is string => Boolean(id));
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
