import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { PresentationRequest, PresentationResponse } from '../caller-verification/api.js';
import type { VerificationAudit } from '../caller-verification/audit.js';
import type { IdentityProfile } from '../caller-verification/identity.js';
import type { VerificationSubject } from '../caller-verification/rules.js';
import type { CallerVerificationView, VerificationSession } from '../caller-verification/session.js';
import type { Fact, UserFacts } from '../eligibility/facts.js';
import type { DirectoryUser, UserQuery } from '../eligibility/user-query.js';
import type { AuditEntry } from '../escalation/audit.js';
import type { PassSettings, PassToDeliver, TapPolicy } from '../escalation/pass-settings.js';
import type { RateLimits } from '../escalation/rate-limit.js';
import type { Refusal } from '../escalation/refusal.js';
import type { EscalationRecord, Person, Transition } from '../escalation/state-machine.js';
import type { TargetFacts, TargetUser } from '../escalation/target.js';

export type { CallerVerificationView, UserQuery };

/**
 * What the use cases need from the world, named by what they ask. Adapters implement them
 * (src/directory/, src/storage/, src/teams/, src/verification/); src/compose.ts connects the two.
 */

/** A stored value and the etag to change it with. */
export interface Stored<T> {
  value: T;
  etag: string;
}

/** One etag-checked change: `unchanged` when the step returned what it was given. */
export type UpdateOutcome<T = EscalationRecord> =
  | { outcome: 'updated'; before: T; after: Stored<T> }
  | { outcome: 'unchanged'; current: Stored<T> }
  | { outcome: 'refused'; refusal: Refusal; current: Stored<T> }
  | { outcome: 'not-found' };

export interface TargetClaim {
  requestId: string;
  formKey?: string;
  at: string;
}

/** Requests as they are kept (src/storage/requests.ts). */
export interface Requests {
  /** The key a request is kept under. */
  keyOf(tenantId: string, requestId: string): string;
  /** The key of the form a request was filed from (the agent and the card instance). */
  formKeyOf(agentId: string, formId: string): string;
  get(key: string): Promise<Stored<EscalationRecord> | undefined>;
  update(key: string, step: (record: EscalationRecord) => Transition): Promise<UpdateOutcome>;
  create(record: EscalationRecord): Promise<string>;
  addOpenEntry(record: EscalationRecord): Promise<void>;
  takeBack(record: EscalationRecord, etag: string): Promise<void>;
  removeOpenEntry(key: string): Promise<void>;
  ofTenant(tenantId: string): Promise<EscalationRecord[]>;
  openKeys(now: Date): Promise<string[]>;
  claimTarget(
    record: EscalationRecord,
    formKey: string | undefined,
  ): Promise<'claimed' | Stored<TargetClaim> | undefined>;
  clearClaim(record: EscalationRecord, claim: Stored<TargetClaim>): Promise<void>;
  releaseTarget(record: EscalationRecord): Promise<void>;
  reserveFiling(record: EscalationRecord, now: Date, limits: RateLimits): Promise<Refusal | undefined>;
  releaseFiling(record: EscalationRecord): Promise<void>;
  /** True for exactly one caller across every instance: the reminder or the widening of a waiting request is theirs to send. */
  claimNudge(record: EscalationRecord, step: 'remind' | 'widen', at: Date): Promise<boolean>;
  recordPassMethod(record: EscalationRecord, methodId: string, createdAt: string | null | undefined): Promise<void>;
  passMethodOwner(tenantId: string, methodId: string): Promise<string | undefined>;
  /** The one audit trail: a request's steps and its caller verification's events alike. */
  appendAudit(entry: (AuditEntry & { traceId?: string }) | VerificationAudit): Promise<void>;
}

/** The directory as escalation reads and changes it (src/directory/directory.ts). */
export interface EscalationDirectory {
  findUsers(query: UserQuery): Promise<TargetUser[]>;
  /** Only what deciding on a pass for this person needs, read fresh. */
  targetFacts(userId: string): Promise<{ user: TargetUser | undefined } & TargetFacts>;
  /** The TAP policy as cached for a few minutes: for showing what a pass would be like, never for creating one. */
  tenant: { getPolicies(): Promise<{ tapPolicy: Fact<TapPolicy> }> };
  standingNow(userId: string): Promise<{ isHelpdeskAgent: boolean; isApprover: boolean }>;
  manager(userId: string): Promise<TargetUser | undefined>;
  approverGroupMembers(): Promise<TargetUser[]>;
  /** The pass, or why not in words; `uncertain` when Graph may have created it without saying so. */
  createTemporaryAccessPass(
    userId: string,
    settings: { lifetimeInMinutes: number; isUsableOnce: boolean },
  ): Promise<
    | { created: GraphTypes.TemporaryAccessPassAuthenticationMethod }
    | { failed: string }
    | { uncertain: string; status: number; code: string }
  >;
  temporaryAccessPassMethods(userId: string): Promise<GraphTypes.TemporaryAccessPassAuthenticationMethod[]>;
  deleteTemporaryAccessPass(userId: string, methodId: string): Promise<void>;
}

/** How the use cases reach people; the Teams layer implements it with proactive messages. Each send throws when it did not arrive. */
export interface EscalationNotifier {
  /** Whether the person has a saved 1:1 chat with the bot (they opened the app at least once). */
  hasPersonalChat(tenantId: string, userId: string): Promise<boolean>;
  /**
   * Makes sure the bot can write to the person first, installing the app for them when the
   * deployment allows it: undefined when it can, '' when they never opened the app, else why the
   * app could not be installed for them, in words.
   */
  reachPersonalChat(tenantId: string, userId: string): Promise<string | undefined>;
  askApprover(record: EscalationRecord, approver: Person, passSettings: PassSettings | undefined): Promise<void>;
  /** Shows the pass in the requester's 1:1 chat only. */
  deliverPass(record: EscalationRecord, pass: PassToDeliver): Promise<void>;
  /** A denial, expiry or failure the requester did not see happen. */
  notifyRequester(record: EscalationRecord, facts?: LiveViewFacts): Promise<void>;
  /** Every card already showing the request (the requester's, each approver's) shows it as it stands now. */
  refreshCards(record: EscalationRecord, facts: LiveViewFacts): Promise<void>;
  /**
   * Whether the requester's 1:1 chat takes messages right now (their live card is replaced as a
   * probe): undefined when it does, '' when they have no chat, else what Teams answered, in words.
   */
  whyPassCannotReach(record: EscalationRecord): Promise<string | undefined>;
  /** The ids of everyone who has been sent the approval card. */
  askedApprovers(record: EscalationRecord): Promise<string[]>;
  /** A reminder, as a new message, to each approver who has the card and has not acted on it. */
  remindApprovers(record: EscalationRecord, waitedMinutes: number): Promise<void>;
}

/** What every live card of a request is drawn with besides the record, read once per change. */
export interface LiveViewFacts {
  verification?: CallerVerificationView;
  passSettings?: PassSettings;
  /** The bot's clock, for how long the request has waited. */
  at?: Date;
}

/** Caller verification with Verified ID (src/verification/sessions.ts), as the escalation use cases consult it. */
export interface CallerVerificationPort {
  factsFor(record: EscalationRecord): Promise<CallerVerificationView>;
}

/** Who else hears how a request ended (src/app/notify-outcome.ts). Never throws. */
export interface OutcomeNotices {
  closed(record: EscalationRecord): Promise<void>;
  handedOver(record: EscalationRecord, by: Person): Promise<void>;
}

// ── Looking people up and checking them (check, diagnose, guide, people search) ─────────────────

/** Finding the person asked about: by object id, any address Graph knows them by, or name (src/directory/users.ts). */
export interface PeopleFinder {
  findUsers(query: UserQuery): Promise<DirectoryUser[]>;
}

/** A user's eligibility facts, from the one fact source (src/directory/facts.ts). */
export interface EligibilityReader extends PeopleFinder {
  /** Starts reading the tenant-wide facts, so a check that follows does not wait for them. */
  prefetchTenantFacts(): void;
  eligibilityFacts(user: DirectoryUser, now?: Date, options?: { fresh?: boolean }): Promise<UserFacts>;
  /** A warm check by sign-in name in one round trip, or undefined to read the usual way. */
  eligibilityFactsBySignInName(
    userPrincipalName: string,
    now?: Date,
  ): Promise<{ user: DirectoryUser; facts: UserFacts } | undefined>;
}

// ── Asking the helpdesk for someone ────────────────────────────────────────────────────────────

/** The helpdesk agents, besides finding people (src/directory/directory.ts). */
export interface HelpdeskDirectory extends PeopleFinder {
  helpdeskGroupMembers(): Promise<DirectoryUser[]>;
}

/** When a colleague last asked the helpdesk about someone (src/storage/helpdesk-asks.ts). */
export interface HelpdeskAsks {
  last(tenantId: string, askerId: string, targetId: string): Promise<Stored<{ at: string }> | undefined>;
  /** Records an ask (replacing the one read with `etag`); false when another was recorded meanwhile. */
  record(tenantId: string, askerId: string, targetId: string, at: string, etag?: string): Promise<boolean>;
  forget(tenantId: string, askerId: string, targetId: string): Promise<void>;
}

// ── Verifying the caller with Verified ID (src/app/verify-caller.ts) ───────────────────────────

/** Verification sessions as they are kept (src/verification/sessions.ts). */
export interface VerificationSessionStore extends CallerVerificationPort {
  /** The session behind a link id, or undefined (also for an id that cannot be one). */
  get(id: string): Promise<VerificationSession | undefined>;
  /** Stores a new session and makes it the request's latest. */
  create(session: VerificationSession): Promise<void>;
  /** One etag-checked change; the step may refuse, or return the session as it is to change nothing. */
  update(
    id: string,
    step: (session: VerificationSession) => VerificationSession | Refusal,
  ): Promise<UpdateOutcome<VerificationSession>>;
  latestFor(tenantId: string, requestId: string): Promise<VerificationSession | undefined>;
}

/** The Verified ID Request Service (src/verification/request-service.ts); throws when it refuses or cannot be reached. */
export interface PresentationRequests {
  createPresentationRequest(request: PresentationRequest): Promise<PresentationResponse>;
}

/** The directory as caller verification reads it, at the moment it is needed (src/directory/directory.ts). */
export interface VerificationDirectory {
  /** The person a credential must name: names, creation date, earlier sign-in names; undefined when gone. */
  verificationSubject(userId: string): Promise<VerificationSubject | undefined>;
  /** How many other users have the same folded first and last name, tenant-wide. */
  namesakesOf(user: { id: string; givenName?: string | null; surname?: string | null }): Promise<Fact<number>>;
  /** The tenant's Verified ID profiles: the identity credential's type, issuer and claim names. */
  identityProfiles(): Promise<Fact<IdentityProfile[]>>;
}

/** Checks presented claims against the organisation's record for one sign-in name: pass, or the failed claim names and why (never values). */
export interface OrganisationRecords {
  check(
    upn: string,
    presented: { claims: Record<string, unknown> },
  ): Promise<{ pass: true } | { pass: false; failedClaims: string[]; reason: string }>;
}

/** Who hears that a session moved: the request's cards are updated in place, the agent is told a result (src/teams/verification.ts). */
export interface VerificationNews {
  changed(
    session: VerificationSession,
    event: 'started' | 'opened' | 'retrieved' | 'verified' | 'failed' | 'pass-shown',
  ): Promise<void>;
}
