import type * as Graph from '@microsoft/microsoft-graph-types';

/**
 * Everything the eligibility rules need to know about one user, fetched from the directory
 * beforehand. The rules never do I/O: they read this snapshot and nothing else.
 *
 * A fact the bot could not read (missing permission, licence, throttling) is `unknown` with a
 * short reason for the person reading the card, such as "needs AuditLog.Read.All".
 */
export type Fact<T> = { known: true; value: T } | { known: false; reason: string };

export const known = <T>(value: T): Fact<T> => ({ known: true, value });
export const unknownFact = <T = never>(reason: string): Fact<T> => ({ known: false, reason });

/** Where the bot learned which groups and mode SSAR uses. */
export type ScopeSource = 'graph' | 'config';

/** A Verified ID profile a recovery target links, with its own mode. */
export interface RecoveryProfile {
  name: string;
  mode: 'production' | 'evaluation';
  priority?: number;
}

export interface RecoveryScope {
  /** Group ids assigned to account recovery (Verifiable Credentials policy includeTargets, or configuration). */
  includeGroupIds: string[];
  /** Users assigned to account recovery one by one (include targets of type `user`). */
  includeUserIds?: string[];
  /**
   * Include target id (group, user or all_users) -> the recovery profiles it links: each target has
   * its own profiles and each profile its own mode. Absent when the scope comes from configuration.
   */
  targetProfiles?: Record<string, RecoveryProfile[]>;
  /** Group ids excluded from account recovery; exclusions win. */
  excludeGroupIds: string[];
  /** Users excluded one by one (exclude targets of type `user`). */
  excludeUserIds?: string[];
  /** Display names for the groups above, for the agent's card. */
  groupNames: Record<string, string>;
  /** Evaluation mode rehearses verification and recovers nothing. Tenant-wide: production if any target is. */
  mode: 'production' | 'evaluation';
  source: ScopeSource;
}

export interface GroupMembership {
  /** Groups the user is a direct member of (ids). */
  directGroupIds: string[];
  /** Groups the user is a member of directly or through nesting (ids). */
  transitiveGroupIds: string[];
  /** Display names of those groups, for the agent's card. */
  groupNames: Record<string, string>;
}

/** Another user who shares the user's first and last name (accent-folded in the recovery groups, exact tenant-wide). */
export interface NameTwin {
  id: string;
  displayName: string;
  userPrincipalName: string;
  /** Whether they are in a recovery group too; undefined when that could not be told. */
  inRecoveryGroup?: boolean;
}

export interface EligibilityFacts {
  /** When the facts were read; rules compare dates against it, never against the clock. */
  readAt: Date;
  /** The user as read by object id (E1, E4). */
  user: Graph.User;
  /** `signInActivity.lastSuccessfulSignInDateTime`, null when never recorded (E3). */
  lastSuccessfulSignIn: Fact<string | null>;
  /** SSAR groups and mode (E2, E8). */
  recoveryScope: Fact<RecoveryScope>;
  /** The user's group memberships (E2, E6, E7). */
  membership: Fact<GroupMembership>;
  /**
   * Every directory role that makes the user privileged for escalation: assigned to them or to a
   * role-assignable group they are in, active or PIM-eligible, any scope (see roles.ts).
   */
  roleTemplateIds: Fact<string[]>;
  /** Built-in roles actively assigned at tenant scope: what Conditional Access role conditions match (E7). */
  conditionalAccessRoleIds: Fact<string[]>;
  /** Other users with the same first + last name: recovery-group members (accent-folded) and anyone in the tenant (E5). */
  nameTwins: Fact<NameTwin[]>;
  /** The tenant's Temporary Access Pass method configuration (E6). */
  tapPolicy: Fact<Graph.TemporaryAccessPassAuthenticationMethodConfiguration>;
  /**
   * All Conditional Access policies of the tenant (E7); the rules decide which apply. Graph returns
   * `grantControls.authenticationStrength` inline with its `allowedCombinations`.
   */
  conditionalAccessPolicies: Fact<Graph.ConditionalAccessPolicy[]>;
  /** The tenant's Conditional Access named locations, to tell trusted ones (E7). */
  namedLocations: Fact<Graph.NamedLocation[]>;
  /** The tenant's subscribed SKUs (E9). */
  subscribedSkus: Fact<Graph.SubscribedSku[]>;
  /** The user's own licences, direct or through groups (E9). */
  userLicences: Fact<Graph.LicenseDetails[]>;
  /** The user's registered authentication methods (E10). */
  authenticationMethods: Fact<Graph.AuthenticationMethod[]>;
  /**
   * Groups the rules look at (recovery, TAP) that hide their membership and whose members the bot
   * could not list: "not a member" of one of them is unknown, not a fail (needs Member.Read.Hidden).
   */
  hiddenMembershipGroupIds?: string[];
  /** When the user was last added to a recovery group, from the audit log; null if not in the window read (E2 "wait"). */
  addedToRecoveryGroupAt: Fact<string | null>;
}
