import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { DirectoryUser, UserQuery } from '../eligibility/user-query.js';
import type { Standing } from '../escalation/person.js';
import { type ReadOptions, readEligibilityFacts, readFactsBySignInName } from './facts.js';
import type { Graph } from './graph.js';
import { GraphRequestError } from './graph.js';
import { graphTrouble } from './graph-trouble.js';
import { readNamesakes } from './namesakes.js';
import { PERMISSIONS } from './permissions.js';
import { readTargetFacts } from './target-facts.js';
import type { TenantFacts } from './tenant.js';
import { findUsers } from './users.js';
import { readIdentityProfiles, readVerificationSubject, type VerificationSubject } from './verification-subject.js';

export interface DirectoryGroups {
  helpdeskGroupId?: string;
  approverGroupId?: string;
}

/**
 * The directory as the Teams layer sees it: one method per question, each answered with as few
 * Graph round trips as it can. Handlers never build Graph URLs.
 */
export class Directory {
  private readonly standings = new Map<string, { at: number; value: Promise<Standing> }>();

  constructor(
    readonly graph: Graph,
    readonly tenant: TenantFacts,
    private readonly groups: DirectoryGroups,
    private readonly standingTtlMs = 2 * 60_000,
  ) {}

  findUsers(query: UserQuery): Promise<DirectoryUser[]> {
    return findUsers(this.graph, query);
  }

  /** The person a credential must name, read now: names, creation date, earlier sign-in names. */
  verificationSubject(userId: string): Promise<VerificationSubject | undefined> {
    return readVerificationSubject(this.graph, userId);
  }

  /** Other users with the same folded first and last name, tenant-wide. */
  namesakesOf(user: { id: string; givenName?: string | null; surname?: string | null }) {
    return readNamesakes(this.graph, this.tenant, user);
  }

  /** The tenant's Verified ID profiles: the identity credential's type, issuer and claim names. */
  identityProfiles() {
    return readIdentityProfiles(this.graph);
  }

  /** Starts reading the tenant-wide facts (cached) so a check that follows does not wait for them. */
  prefetchTenantFacts(): void {
    this.tenant.getPolicies().catch(() => undefined);
  }

  eligibilityFacts(user: DirectoryUser, now = new Date(), options: ReadOptions = {}) {
    return readEligibilityFacts(this.graph, this.tenant, user, now, options);
  }

  /** A warm check by sign-in name in one round trip, or undefined to read the usual way (see readFactsBySignInName). */
  eligibilityFactsBySignInName(userPrincipalName: string, now = new Date()) {
    return readFactsBySignInName(this.graph, this.tenant, userPrincipalName, now);
  }

  /** Only what deciding on a pass for this person needs, read fresh in one round trip. */
  targetFacts(userId: string) {
    return readTargetFacts(this.graph, userId);
  }

  /** Helpdesk and approver group membership (transitive), cached briefly per person. */
  standing(userId: string): Promise<Standing> {
    const cached = this.standings.get(userId);
    if (cached && Date.now() - cached.at < this.standingTtlMs) return cached.value;
    const value = this.readStanding(userId);
    this.standings.set(userId, { at: Date.now(), value });
    value.catch(() => this.standings.delete(userId));
    return value;
  }

  /**
   * Helpdesk and approver group membership read from Graph now, past the cache: for decisions that
   * take effect at once, such as creating a pass for the person who asked for it.
   */
  standingNow(userId: string): Promise<Standing> {
    return this.readStanding(userId);
  }

  /** The user's manager, or undefined when none is set. */
  async manager(userId: string): Promise<DirectoryUser | undefined> {
    try {
      return await this.graph.get<DirectoryUser>(
        `/users/${encodeURIComponent(userId)}/manager?$select=id,displayName,userPrincipalName`,
      );
    } catch (error) {
      if (error instanceof GraphRequestError && error.isNotFound) return undefined;
      throw error;
    }
  }

  /** Members of the approver group, including nested groups; read fresh, never cached, since it decides approvals. */
  async approverGroupMembers(): Promise<DirectoryUser[]> {
    return this.groupMembers(this.groups.approverGroupId);
  }

  /** Members of the helpdesk group, including nested groups: who a colleague's "ask the helpdesk" reaches. */
  async helpdeskGroupMembers(): Promise<DirectoryUser[]> {
    return this.groupMembers(this.groups.helpdeskGroupId);
  }

  private async groupMembers(groupId: string | undefined): Promise<DirectoryUser[]> {
    if (!groupId) return [];
    return this.graph.all<DirectoryUser>(
      `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id,displayName,userPrincipalName&$top=999`,
    );
  }

  /**
   * Creates a pass, replacing any the user holds. The response is the only place the code ever
   * appears. A failure says whether Graph may have created it anyway (no answer, or a 5xx).
   */
  async createTemporaryAccessPass(
    userId: string,
    settings: { lifetimeInMinutes: number; isUsableOnce: boolean; startDateTime?: string },
  ): Promise<PassCreation> {
    try {
      const method = await this.graph.postChange<GraphTypes.TemporaryAccessPassAuthenticationMethod>(
        `/users/${encodeURIComponent(userId)}/authentication/temporaryAccessPassMethods`,
        settings,
      );
      return { created: method };
    } catch (error) {
      if (error instanceof GraphRequestError && (error.status === 0 || error.status >= 500))
        return {
          uncertain: `Microsoft Graph did not confirm the pass (${error.status === 0 ? 'no answer' : `error ${error.status}`}).`,
          status: error.status,
          code: error.code,
        };
      return { failed: graphTrouble(error, PERMISSIONS.createTemporaryAccessPass).reason };
    }
  }

  async temporaryAccessPassMethods(userId: string): Promise<GraphTypes.TemporaryAccessPassAuthenticationMethod[]> {
    return this.graph.all(`/users/${encodeURIComponent(userId)}/authentication/temporaryAccessPassMethods`);
  }

  deleteTemporaryAccessPass(userId: string, methodId: string): Promise<void> {
    return this.graph.delete(
      `/users/${encodeURIComponent(userId)}/authentication/temporaryAccessPassMethods/${encodeURIComponent(methodId)}`,
    );
  }

  private async readStanding(userId: string): Promise<Standing> {
    const groupIds = [this.groups.helpdeskGroupId, this.groups.approverGroupId].filter((id): id is string =>
      Boolean(id),
    );
    if (groupIds.length === 0) return { isHelpdeskAgent: false, isApprover: false };
    let value: string[];
    try {
      ({ value } = await this.graph.postRead<{ value: string[] }>(
        `/users/${encodeURIComponent(userId)}/checkMemberGroups`,
        { groupIds },
      ));
    } catch (error) {
      // Someone this directory does not know (a user from another tenant) holds no role here.
      if (error instanceof GraphRequestError && error.isNotFound) return { isHelpdeskAgent: false, isApprover: false };
      throw error;
    }
    return {
      isHelpdeskAgent: Boolean(this.groups.helpdeskGroupId && value.includes(this.groups.helpdeskGroupId)),
      isApprover: Boolean(this.groups.approverGroupId && value.includes(this.groups.approverGroupId)),
    };
  }
}

/** What came of asking Graph for a pass: the method, a refusal in words, or no way to know whether it exists. */
export type PassCreation =
  | { created: GraphTypes.TemporaryAccessPassAuthenticationMethod }
  | { failed: string }
  | { uncertain: string; status: number; code: string };

export type { DirectoryUser, GraphTypes, UserQuery };
