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

/** How a profile compares the ID's names with First name and Last name (claimBinding.matchConfidenceLevel). */
export type MatchLevel = 'exact' | 'relaxed';

/**
 * An identity verification profile as Graph v1.0 shows it (verifiedIdProfile), reduced to what can
 * change a verdict. https://learn.microsoft.com/graph/api/resources/verifiedidprofile
 */
export interface RecoveryProfile {
  id?: string;
  name: string;
  /** `state`: a disabled profile serves no one. Absent for profiles from the bot's configuration. */
  state?: string;
  /** `verifiedIdUsageConfigurations[].purpose`: only `recovery` and `all` serve account recovery. */
  purposes?: string[];
  /** `isEnabledForTestOnly` of its recovery usage: Evaluation rehearses and recovers nothing. */
  mode: 'production' | 'evaluation';
  /** "Defines profile processing priority": the first matching profile applies (account recovery FAQ). */
  priority?: number;
  /** The bindings' `matchConfidenceLevel`; undefined when they do not say, or disagree. */
  matchLevel?: MatchLevel;
  /** `claimValidation`: a custom authentication extension validates the claims too. */
  claimValidation?: { enabled: boolean; extensionId?: string };
  verifierDid?: string;
  acceptedIssuer?: string;
  /** `verifiedIdProfileConfiguration.type`, the Verified ID type. */
  credentialType?: string;
  /** `sourceAttribute` <- `verifiedIdClaim`, e.g. "First name" <- "vc.credentialSubject.firstName". */
  claimBindings?: { sourceAttribute: string; verifiedIdClaim: string; matchConfidenceLevel?: string }[];
  faceCheckEnabled?: boolean;
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
  /**
   * Every include target (group, user or all_users) with every profile it links, whatever their
   * state or purpose, so the card can say "your group's profile is disabled". Tenant scopes only.
   */
  linkedProfiles?: Record<string, RecoveryProfile[]>;
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
  /** The tenant's passkey (FIDO2) method configuration: recovered users register a passkey (E11). */
  passkeyPolicy: Fact<Graph.Fido2AuthenticationMethodConfiguration>;
  /**
   * Groups the rules look at (recovery, TAP) that hide their membership and whose members the bot
   * could not list: "not a member" of one of them is unknown, not a fail (needs Member.Read.Hidden).
   */
  hiddenMembershipGroupIds?: string[];
  /** When the user was last added to a recovery group, from the audit log; null if not in the window read (E2 "wait"). */
  addedToRecoveryGroupAt: Fact<string | null>;
}

/** A user's facts as a check reads them, with the audit events diagnosis reads too. */
export type UserFacts = EligibilityFacts & { auditEvents: Fact<Graph.DirectoryAudit[]> };
