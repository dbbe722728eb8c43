import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import { type Fact, known, type NameTwin, type RecoveryScope, unknownFact } from '../eligibility/facts.js';
import { nameKey } from '../eligibility/names.js';
import type { RoleGrant, TenantRoleGrants } from '../eligibility/roles.js';
import { batchFact, batchList } from './batch-facts.js';
import type { BatchResult, Graph } from './graph.js';
import { PERMISSIONS, unknownReason } from './permissions.js';
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
 * Members of the recovery groups by normalised first + last name, for the duplicate-name check;
 * `bySignInName` gives each member's id and names by lower-cased UPN, so a warm check by sign-in
 * name can address every read at once (see readFactsBySignInName).
 */
export type NameIndex = Map<string, NameTwin[]> & { bySignInName?: Map<string, SignInNameHint> };

/** What the name index knows of a member before their own reads: checked against the user read beside them. */
export interface SignInNameHint {
  id: string;
  givenName?: string | null;
  surname?: string | null;
}

export interface RecoveryFallback {
  groupIds: string[];
  mode: 'production' | 'evaluation';
}

const NAMESAKE_TTL_MS = 2 * 60_000;
const NAMESAKE_CACHE_SIZE = 1_000;
const METHOD_CONFIGURATIONS = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations';
export const MEMBER_SELECT = 'id,givenName,surname,displayName,userPrincipalName';
export const ROLE_GRANT_SELECT = 'principalId,roleDefinitionId,directoryScopeId';

export class TenantFacts {
  private policies?: { at: number; value: Promise<TenantPolicies> };
  private names?: { at: number; key: string; value: Promise<Fact<NameIndex>>; settled?: Fact<NameIndex> };
  private readonly groupNameCache = new Map<
    string,
    { at: number; value: Promise<{ displayName?: string; visibility?: string } | undefined> }
  >();
  private readonly namesakeCache = new Map<string, { at: number; value: NameTwin[] }>();
  /** Hidden-membership group id -> whether its members could be listed. */
  private readonly listableCache = new Map<string, { at: number; value: Promise<boolean> }>();

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
    const stale = hidden.filter((id) => {
      const cached = this.listableCache.get(id);
      return !cached || this.clock() - cached.at > this.ttlMs;
    });
    if (stale.length > 0) {
      const read = this.graph
        .batch(
          stale.map((id) => ({
            id,
            method: 'GET' as const,
            url: `/groups/${encodeURIComponent(id)}/members?$select=id&$top=1`,
          })),
        )
        .catch(() => new Map<string, BatchResult>());
      for (const id of stale) {
        const value = read.then((results) => {
          const result = results.get(id);
          return Boolean(result?.ok && (result.body.value as unknown[] | undefined)?.length);
        });
        this.listableCache.set(id, { at: this.clock(), value });
      }
    }
    const unreadable: string[] = [];
    for (const id of hidden) if (!(await this.listableCache.get(id)?.value)) unreadable.push(id);
    return unreadable;
  }

  /** Starts one `$batch` for the groups not cached; returns the ids wanted. */
  private readGroups(ids: string[]): string[] {
    const wanted = [...new Set(ids)].filter((id) => id !== ALL_USERS_TARGET);
    const stale = wanted.filter((id) => {
      const cached = this.groupNameCache.get(id);
      return !cached || this.clock() - cached.at > this.ttlMs;
    });
    if (stale.length > 0) {
      const read = this.graph
        .batch(
          stale.map((id) => ({
            id,
            method: 'GET' as const,
            url: `/groups/${encodeURIComponent(id)}?$select=id,displayName,visibility`,
          })),
        )
        .catch(() => new Map<string, BatchResult>());
      for (const id of stale) {
        const value = read.then((results) => {
          const result = results.get(id);
          if (result?.ok)
            return {
              displayName: result.body.displayName as string | undefined,
              visibility: result.body.visibility as string | undefined,
            };
          this.groupNameCache.delete(id);
          return undefined;
        });
        this.groupNameCache.set(id, { at: this.clock(), value });
      }
    }
    return wanted;
  }

  /** Users anywhere in the tenant with exactly these names, if read in the last two minutes. */
  cachedNamesakes(key: string): NameTwin[] | undefined {
    const cached = this.namesakeCache.get(key);
    return cached && this.clock() - cached.at <= NAMESAKE_TTL_MS ? cached.value : undefined;
  }

  rememberNamesakes(key: string, twins: NameTwin[]): void {
    if (this.namesakeCache.size >= NAMESAKE_CACHE_SIZE)
      this.namesakeCache.delete(this.namesakeCache.keys().next().value!);
    this.namesakeCache.set(key, { at: this.clock(), value: twins });
  }

  /** A recovery-group member's id and names by sign-in name, from the name index if it is read and fresh; no request. */
  memberBySignInName(userPrincipalName: string): SignInNameHint | undefined {
    const names = this.names;
    if (!names?.settled?.known || this.clock() - names.at > this.ttlMs) return undefined;
    return names.settled.value.bySignInName?.get(userPrincipalName.toLowerCase());
  }

  getNameIndex(scope: Fact<RecoveryScope>): Promise<Fact<NameIndex>> {
    if (!scope.known) return Promise.resolve(unknownFact(scope.reason));
    const groups = scope.value.includeGroupIds;
    if (groups.includes(ALL_USERS_TARGET)) {
      return Promise.resolve(unknownFact('recovery is assigned to all users; the duplicate check needs a group'));
    }
    const key = groups.join(',');
    if (!this.names || this.names.key !== key || this.clock() - this.names.at > this.ttlMs) {
      const value = this.readNameIndex(groups);
      const entry: NonNullable<typeof this.names> = { at: this.clock(), key, value };
      this.names = entry;
      value.then((fact) => {
        entry.settled = fact;
        if (!fact.known && this.names === entry) this.names = undefined;
      });
    }
    return this.names.value;
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

  private async readNameIndex(groupIds: string[]): Promise<Fact<NameIndex>> {
    const index: NameIndex = new Map();
    const bySignInName = new Map<string, SignInNameHint>();
    index.bySignInName = bySignInName;
    const seen = new Set<string>();
    try {
      await Promise.all(
        groupIds.map(async (groupId) => {
          const path = `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=${MEMBER_SELECT}&$top=999`;
          for await (const page of this.graph.pages<GraphTypes.User>(path)) {
            for (const member of page) {
              if (member.id && member.userPrincipalName)
                bySignInName.set(member.userPrincipalName.toLowerCase(), {
                  id: member.id,
                  givenName: member.givenName,
                  surname: member.surname,
                });
              const key = nameKey(member);
              if (!key || !member.id || seen.has(member.id)) continue;
              seen.add(member.id);
              const twin = {
                id: member.id,
                displayName: member.displayName ?? '',
                userPrincipalName: member.userPrincipalName ?? '',
              };
              index.set(key, [...(index.get(key) ?? []), twin]);
            }
          }
        }),
      );
      return known(index);
    } catch (error) {
      return unknownFact(unknownReason(error, PERMISSIONS.groupMembership));
    }
  }
}
