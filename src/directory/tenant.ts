import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known, type NameTwin, type RecoveryScope, unknownFact } from '../eligibility/facts.js';
import { nameKey } from '../eligibility/names.js';
import type { RoleGrant, TenantRoleGrants } from '../eligibility/roles.js';
import { batchFact, batchList } from './batch-facts.js';
import type { BatchResult, Graph } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
import { graphPath } from './query.js';
import {
  ALL_USERS_TARGET,
  recoveryScopeFromTenant,
  type VerifiableCredentialsMethodConfiguration,
  type VerifiedIdProfile,
} from './recovery-setup.js';

/** Tenant-wide facts that change rarely: read together in one `$batch` and kept for a short time. */
export interface TenantPolicies {
  tapPolicy: Fact<GraphTypes.TemporaryAccessPassAuthenticationMethodConfiguration>;
  /** Passkeys (FIDO2): "If passkeys aren't enabled in your Authentication Method Policy, enable passkeys so users can recover" (E11). */
  passkeyPolicy: Fact<GraphTypes.Fido2AuthenticationMethodConfiguration>;
  conditionalAccessPolicies: Fact<GraphTypes.ConditionalAccessPolicy[]>;
  namedLocations: Fact<GraphTypes.NamedLocation[]>;
  subscribedSkus: Fact<GraphTypes.SubscribedSku[]>;
  recoveryScope: Fact<RecoveryScope>;
  /** Every role assignment and eligibility in the tenant, for roles held through role-assignable groups. */
  roleGrants: Fact<TenantRoleGrants>;
}

/**
 * Everyone in the tenant, read once and kept like the policies: `byName` gives the users who share a
 * case- and accent-folded first + last name (E5, the same for a check and the readiness report, with
 * no directory read per check); `bySignInName` gives each user's id and names by lower-cased UPN, so
 * a warm check by sign-in name can address every read at once (see readFactsBySignInName).
 */
export interface PeopleIndex {
  /** nameKey -> users with that folded name. */
  byName: Map<string, NameTwin[]>;
  bySignInName: Map<string, SignInNameHint>;
  /** Who is in a recovery group, nested included ('everyone' when recovery is assigned to all users). */
  inRecoveryGroups: Fact<Set<string> | 'everyone'>;
}

/** What the people index knows of a user before their own reads: checked against the user read beside them. */
export interface SignInNameHint {
  id: string;
  givenName?: string | null;
  surname?: string | null;
}

export interface RecoveryFallback {
  groupIds: string[];
  mode: 'production' | 'evaluation';
}

/** How long a people index past its time to live still answers while a fresh one is read. */
const PEOPLE_STALE_FACTOR = 4;
const METHOD_CONFIGURATIONS = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
export const MEMBER_SELECT = 'id,givenName,surname,displayName,userPrincipalName';
export const ROLE_GRANT_SELECT = 'principalId,roleDefinitionId,directoryScopeId';

export class TenantFacts {
  private policies?: { at: number; value: Promise<TenantPolicies> };
  private people?: { at: number; key: string; value: Promise<Fact<PeopleIndex>>; settled?: Fact<PeopleIndex> };
  private readonly groupNameCache = new Map<
    string,
    Cached<{ displayName?: string; visibility?: string } | undefined>
  >();
  /** Hidden-membership group id -> whether its members could be listed. */
  private readonly listableCache = new Map<string, Cached<boolean>>();

  constructor(
    private readonly graph: Graph,
    private readonly fallback: RecoveryFallback,
    private readonly ttlMs = 5 * 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `maxAgeMs: 0` reads afresh: for decisions that take effect now, such as whether a target is privileged. */
  getPolicies(maxAgeMs = this.ttlMs): Promise<TenantPolicies> {
    if (!this.policies || this.clock() - this.policies.at > maxAgeMs) {
      const value = this.readPolicies();
      this.policies = { at: this.clock(), value };
      // A failed read is not cached: the next check tries again.
      value.catch(() => (this.policies = undefined));
    }
    return this.policies.value;
  }

  /**
   * Display names for group ids, for the agent's card, in one `$batch` for those not cached. A name
   * that cannot be read shows as the id: it is never a reason to fail a check.
   */
  async groupNames(ids: string[]): Promise<Record<string, string>> {
    const wanted = this.readGroups(ids);
    const names: Record<string, string> = { [ALL_USERS_TARGET]: 'All users' };
    for (const id of wanted) names[id] = (await this.groupNameCache.get(id)?.value)?.displayName ?? id;
    return names;
  }

  /**
   * Which of these groups hide their membership (`visibility: HiddenMembership`) from the bot: without
   * Member.Read.Hidden Graph lists none of their members, so a hidden group whose first member page
   * comes back empty counts as unreadable (an empty hidden group looks the same, and proves nothing).
   * https://learn.microsoft.com/graph/api/resources/group (visibility),
   * https://learn.microsoft.com/graph/api/group-list-members ("To list members of a hidden group,
   * the Member.Read.Hidden permission is also required").
   */
  async unreadableGroups(ids: string[]): Promise<string[]> {
    const wanted = this.readGroups(ids);
    const hidden: string[] = [];
    for (const id of wanted)
      if ((await this.groupNameCache.get(id)?.value)?.visibility === 'HiddenMembership') hidden.push(id);
    this.refreshStale(
      this.listableCache,
      hidden,
      (id) => `/groups/${encodeURIComponent(id)}/members?$select=id&$top=1`,
      (result) => Boolean(result?.ok && (result.body.value as unknown[] | undefined)?.length),
    );
    const unreadable: string[] = [];
    for (const id of hidden) if (!(await this.listableCache.get(id)?.value)) unreadable.push(id);
    return unreadable;
  }

  /** Starts one `$batch` for the groups not cached; returns the ids wanted. */
  private readGroups(ids: string[]): string[] {
    const wanted = [...new Set(ids)].filter((id) => id !== ALL_USERS_TARGET);
    this.refreshStale(
      this.groupNameCache,
      wanted,
      (id) => `/groups/${encodeURIComponent(id)}?$select=id,displayName,visibility`,
      (result, id) => {
        if (result?.ok)
          return {
            displayName: result.body.displayName as string | undefined,
            visibility: result.body.visibility as string | undefined,
          };
        this.groupNameCache.delete(id);
        return undefined;
      },
    );
    return wanted;
  }

  /** Reads the ids whose cache entry is missing or past its time in one `$batch`, each entry settling from its own answer. */
  private refreshStale<T>(
    cache: Map<string, Cached<T>>,
    ids: string[],
    url: (id: string) => string,
    pick: (result: BatchResult | undefined, id: string) => T,
  ): void {
    const stale = ids.filter((id) => {
      const cached = cache.get(id);
      return !cached || this.clock() - cached.at > this.ttlMs;
    });
    if (stale.length === 0) return;
    const read = this.graph
      .batch(stale.map((id) => ({ id, method: 'GET' as const, url: url(id) })))
      .catch(() => new Map<string, BatchResult>());
    for (const id of stale)
      cache.set(id, { at: this.clock(), value: read.then((results) => pick(results.get(id), id)) });
  }

  /** A user's id and names by sign-in name, from the people index if it is read and fresh; no request. */
  personBySignInName(userPrincipalName: string): SignInNameHint | undefined {
    const people = this.people;
    if (!people?.settled?.known || this.clock() - people.at > this.ttlMs) return undefined;
    return people.settled.value.bySignInName.get(userPrincipalName.toLowerCase());
  }

  /**
   * Everyone in the tenant by folded name and by sign-in name. Past its time to live a read index
   * still answers (up to PEOPLE_STALE_FACTOR times as long) while a fresh one is read, so a large
   * tenant's pages never hold a check up more than once.
   */
  getPeople(scope: Fact<RecoveryScope>): Promise<Fact<PeopleIndex>> {
    const groups = scope.known ? scope.value.includeGroupIds : undefined;
    const key = groups?.join(',') ?? '';
    const cached = this.people;
    const age = cached ? this.clock() - cached.at : Number.POSITIVE_INFINITY;
    if (cached && cached.key === key && age <= this.ttlMs) return cached.value;
    const previous = cached?.key === key && cached.settled?.known ? cached : undefined;
    const entry: NonNullable<typeof this.people> = { at: this.clock(), key, value: this.readPeople(groups) };
    this.people = entry;
    entry.value.then((fact) => {
      entry.settled = fact;
      if (!fact.known && this.people === entry) this.people = previous;
    });
    return previous && age <= this.ttlMs * PEOPLE_STALE_FACTOR ? Promise.resolve(previous.settled!) : entry.value;
  }

  private async readPolicies(): Promise<TenantPolicies> {
    const results = await this.graph.batch([
      { id: 'tap', method: 'GET', url: `${METHOD_CONFIGURATIONS}/TemporaryAccessPass` },
      { id: 'vc', method: 'GET', url: `${METHOD_CONFIGURATIONS}/VerifiableCredentials` },
      // https://learn.microsoft.com/graph/api/fido2authenticationmethodconfiguration-get
      { id: 'fido2', method: 'GET', url: `${METHOD_CONFIGURATIONS}/Fido2` },
      { id: 'profiles', method: 'GET', url: '/identity/verifiedId/profiles' },
      { id: 'ca', method: 'GET', url: '/identity/conditionalAccess/policies' },
      { id: 'locations', method: 'GET', url: '/identity/conditionalAccess/namedLocations' },
      // skuId: users' assignedLicenses name their SKUs by it (https://learn.microsoft.com/graph/api/resources/subscribedsku).
      { id: 'skus', method: 'GET', url: '/subscribedSkus?$select=skuId,skuPartNumber,capabilityStatus,servicePlans' },
      // Role grants of every principal: a group's grants apply to its members. A few hundred in most tenants.
      {
        id: 'roleAssignments',
        method: 'GET',
        url: `/roleManagement/directory/roleAssignments?$select=${ROLE_GRANT_SELECT}`,
      },
      {
        id: 'roleEligibility',
        method: 'GET',
        url: `/roleManagement/directory/roleEligibilityScheduleInstances?$select=${ROLE_GRANT_SELECT}`,
      },
      {
        id: 'customRoles',
        method: 'GET',
        url: '/roleManagement/directory/roleDefinitions?$filter=isBuiltIn eq false&$select=id',
      },
    ]);
    const fact = <T>(id: string, permission: string, pick: (body: any) => T) =>
      batchFact(results.get(id), permission, pick);
    const scope = this.recoveryScope(
      fact<VerifiedIdProfile[]>('profiles', PERMISSIONS.verifiedIdProfiles, (b) => b.value ?? []),
      fact<VerifiableCredentialsMethodConfiguration>('vc', PERMISSIONS.methodPolicies, (b) => b),
    );
    const [active, eligible, custom, namedLocations] = await Promise.all([
      batchList<RoleGrant>(this.graph, results.get('roleAssignments'), PERMISSIONS.roleAssignments),
      batchList<RoleGrant>(this.graph, results.get('roleEligibility'), PERMISSIONS.roleEligibility),
      batchList<{ id?: string }>(this.graph, results.get('customRoles'), PERMISSIONS.roleAssignments),
      batchList<GraphTypes.NamedLocation>(this.graph, results.get('locations'), PERMISSIONS.conditionalAccess),
    ]);
    const roleGrants: Fact<TenantRoleGrants> = !active.known
      ? active
      : !eligible.known
        ? eligible
        : !custom.known
          ? custom
          : known({
              active: active.value,
              eligible: eligible.value,
              customRoleIds: custom.value.flatMap((role) => (role.id ? [role.id] : [])),
            });
    return {
      roleGrants,
      tapPolicy: fact('tap', PERMISSIONS.methodPolicies, (b) => b),
      passkeyPolicy: fact('fido2', PERMISSIONS.methodPolicies, (b) => b),
      conditionalAccessPolicies: fact('ca', PERMISSIONS.conditionalAccess, (b) => b.value ?? []),
      namedLocations,
      subscribedSkus: fact('skus', PERMISSIONS.subscriptions, (b) => b.value ?? []),
      // Group names are read beside the user's own facts (groupNames), not in this wave.
      recoveryScope: scope.known ? known({ ...scope.value, groupNames: { [ALL_USERS_TARGET]: 'All users' } }) : scope,
    };
  }

  /** The tenant's own setup once read (never the configuration then); the bot's configuration only when it could not be read. */
  private recoveryScope(
    profiles: Fact<VerifiedIdProfile[]>,
    policy: Fact<VerifiableCredentialsMethodConfiguration>,
  ): Fact<Omit<RecoveryScope, 'groupNames'>> {
    if (profiles.known && policy.known) return known(recoveryScopeFromTenant(profiles.value, policy.value));
    if (this.fallback.groupIds.length > 0) {
      return known({
        includeGroupIds: this.fallback.groupIds,
        excludeGroupIds: [],
        mode: this.fallback.mode,
        source: 'config',
      });
    }
    const reasons = [profiles, policy].flatMap((f) => (f.known ? [] : [f.reason]));
    return unknownFact(`the recovery setup could not be read (${reasons.join('; ')}) and SSAR_GROUP_IDS is not set`);
  }

  /** Every user (names and sign-in name), and who is in a recovery group (unknown when the scope is). */
  private async readPeople(recoveryGroupIds: string[] | undefined): Promise<Fact<PeopleIndex>> {
    const inRecoveryGroups: Promise<Fact<Set<string> | 'everyone'>> = recoveryGroupIds
      ? this.recoveryMemberIds(recoveryGroupIds).then(
          (ids) => known(ids),
          (error: unknown) => unknownFact(unknownReason(error, PERMISSIONS.groupMembership)),
        )
      : Promise.resolve(unknownFact('the recovery setup could not be read'));
    const byName = new Map<string, NameTwin[]>();
    const bySignInName = new Map<string, SignInNameHint>();
    try {
      const everyone = graphPath('/users', { $select: MEMBER_SELECT, $top: 999 });
      for await (const page of this.graph.pages<GraphTypes.User>(everyone)) {
        for (const user of page) {
          if (!user.id) continue;
          if (user.userPrincipalName)
            bySignInName.set(user.userPrincipalName.toLowerCase(), {
              id: user.id,
              givenName: user.givenName,
              surname: user.surname,
            });
          const key = nameKey(user);
          if (key) byName.set(key, [...(byName.get(key) ?? []), ...toTwins([user])]);
        }
      }
    } catch (error) {
      return unknownFact(unknownReason(error, PERMISSIONS.users));
    }
    return known({ byName, bySignInName, inRecoveryGroups: await inRecoveryGroups });
  }

  /** Ids of the recovery groups' members, nested included; 'everyone' when recovery is assigned to all users. */
  private async recoveryMemberIds(groupIds: string[]): Promise<Set<string> | 'everyone'> {
    if (groupIds.includes(ALL_USERS_TARGET)) return 'everyone';
    const ids = new Set<string>();
    await Promise.all(
      groupIds.map(async (groupId) => {
        const path = graphPath(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, {
          $select: 'id',
          $top: 999,
        });
        for await (const page of this.graph.pages<{ id?: string }>(path)) for (const m of page) if (m.id) ids.add(m.id);
      }),
    );
    return ids;
  }
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

export function toTwins(users: GraphTypes.User[]): NameTwin[] {
  return users.flatMap((u) =>
    u.id ? [{ id: u.id, displayName: u.displayName ?? '', userPrincipalName: u.userPrincipalName ?? '' }] : [],
  );
}
