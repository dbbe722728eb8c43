import { randomUUID } from 'node:crypto';
import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { Directory, DirectoryUser, UserQuery } from '../directory/directory.js';
import { GraphRequestError } from '../directory/graph.js';
import { PERMISSIONS } from '../directory/permissions.js';
import { externalUserType } from '../eligibility/external-users.js';
import type { Fact } from '../eligibility/facts.js';
import { tapIssueSettings, tapScopeFor } from '../eligibility/tap-scope.js';
import { type AuditEntry, auditEntryFor, SYSTEM_ACTOR } from '../escalation/audit.js';
import { checkRateLimit, type Filing, RATE_WINDOW_MS, type RateLimits } from '../escalation/rate-limit.js';
import {
  approve,
  beginIssuing,
  type Refusal as CoreRefusal,
  cancel,
  clockTime,
  createRequest,
  deny,
  type EscalationPolicy,
  type EscalationRecord,
  type EscalationState,
  expireIfDue,
  markFailed,
  markIssued,
  type Person,
  refusePrivileged,
  reopenForApprovals,
  samePerson,
  type Transition,
  type VerificationMethod,
} from '../escalation/state-machine.js';
import type { Logger } from '../log.js';
import { AUDIT_LOG, COLLECTIONS, keys } from '../storage/collections.js';
import { ConflictError, type DocumentStore, updateRetryingOnConflict } from '../storage/store.js';
import { correlationId, metric } from '../telemetry/telemetry.js';
import type { CallerVerificationView } from '../verification/sessions.js';
import type { Actor } from './actor.js';
import type { OutcomeNotices } from './notify-outcome.js';
import { type Action, type ActorFacts, decide as policy } from './policy.js';
import { isRefusal, NO_SUCH_REQUEST, type Refusal, refusal } from './refusal.js';

/**
 * The escalation use cases: file, view, decide, cancel, hand over and list requests for a
 * human-approved Temporary Access Pass. Each takes the actor the Teams layer decided once from the
 * authenticated activity, asks the policy (src/app/policy.ts) on facts read at that moment, lets the
 * pure state machine change the record, and does the I/O: the store (one record per request,
 * etag-checked), the audit trail, Graph, and the people to tell.
 */

/** One agent's counter is contended by every filing of theirs at once: each lost race re-reads and tries again. */
const COUNTER_ATTEMPTS = 50;
const OPEN_INDEX_MIGRATION = 'escalations-open-index';
/** A target claim younger than this whose request is not stored yet belongs to a filing still under way. */
const FILING_IN_FLIGHT_MS = 30_000;
/** A claim older than this with nobody working on it was left behind by a crash or an unanswered Graph call. */
export const STUCK_ISSUING_MS = 2 * 60_000;
/** Graph's clock and ours may differ a little: a pass created this long before our claim still counts as ours. */
const CLOCK_SKEW_MS = 60_000;
const RECENT_LIMIT = 20;
const CLOSED: ReadonlySet<EscalationState> = new Set(['issued', 'denied', 'expired', 'cancelled', 'failed']);

/** The pass as it exists for one moment in memory, on its way to the requester's 1:1 chat. Never stored. */
export interface PassToDeliver {
  code: string;
  startsAt: string;
  expiresAt: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

export interface PassSettings {
  lifetimeInMinutes: number;
  isUsableOnce: true;
  /** Why this lifetime: the bot's setting, or the TAP policy's bound when the setting lies outside it. */
  lifetimeSource: 'configured' | 'policy-minimum' | 'policy-maximum';
}

/** How the use cases reach people; the Teams layer implements it with proactive messages. Each send throws when it did not arrive. */
export interface EscalationNotifier {
  /** Whether the person has a saved 1:1 chat with the bot (they opened the app at least once). */
  hasPersonalChat(tenantId: string, userId: string): Promise<boolean>;
  askApprover(record: EscalationRecord, approver: Person, passSettings: PassSettings | undefined): Promise<void>;
  /** Shows the pass in the requester's 1:1 chat only. */
  deliverPass(record: EscalationRecord, pass: PassToDeliver): Promise<void>;
  /** A denial, expiry or failure the requester did not see happen. */
  tellRequester(record: EscalationRecord, facts?: LiveViewFacts): Promise<void>;
  /** Every card already showing the request (the requester's, each approver's) shows it as it stands now. */
  refreshCards(record: EscalationRecord, facts: LiveViewFacts): Promise<void>;
}

/** What every live card of a request is drawn with besides the record, read once per change. */
export interface LiveViewFacts {
  verification?: CallerVerificationView;
  passSettings?: PassSettings;
}

export type EscalationDirectory = Pick<
  Directory,
  | 'findUsers'
  | 'eligibilityFacts'
  | 'manager'
  | 'approverGroupMembers'
  | 'createTemporaryAccessPass'
  | 'temporaryAccessPassMethods'
  | 'deleteTemporaryAccessPass'
  | 'tenant'
  | 'standingNow'
  | 'tapPolicyNow'
>;

export interface EscalationSettings extends EscalationPolicy, RateLimits {
  /** The lifetime asked for each pass before the policy clamps it. */
  tapLifetimeMinutes: number;
  /** No other process uses this store (the embedded store refuses a second one), so an unfinished claim is always orphaned. */
  exclusiveStore?: boolean;
}

/** What the request form shows before anything is filed. */
export interface RequestForm {
  target: DirectoryUser & { displayName: string; userPrincipalName: string };
  privileged: boolean;
  passSettings: PassSettings | undefined;
}

/** A request as one person may see it now: whether they may decide, and what their action did. */
export interface RequestView {
  record: EscalationRecord;
  canDecide: boolean;
  /** Whether Approve is offered: false while a required caller verification has not passed. Absent means as canDecide. */
  canApprove?: boolean;
  /** The pass a decision would create, for those who may decide. */
  passSettings?: PassSettings;
  /** Why the person's action did not apply, when it did not. */
  notice?: string;
  /** Caller verification with Verified ID, when configured: its evidence is shown to everyone who may see the request. */
  verification?: CallerVerificationView;
}

/** Caller verification (src/verification/sessions.ts), as the escalation use cases consult it. */
export interface CallerVerificationPort {
  factsFor(record: EscalationRecord): Promise<CallerVerificationView>;
}

export interface FiledRequest extends RequestView {
  notified: Person[];
  /** Approvers who have never opened the app, so no card could reach them. */
  unreachable: Person[];
}

export interface NewEscalation {
  /** The card instance the form was sent from (the invoke's replyToId), so sending the same form twice files once. */
  formId?: string;
  targetId: string;
  reason: string;
  verification: { method: VerificationMethod; detail?: string };
}

interface TargetClaim {
  requestId: string;
  formKey?: string;
  at: string;
}

interface OpenEntry {
  key: string;
  createdAt: string;
}

type TapPolicy = GraphTypes.TemporaryAccessPassAuthenticationMethodConfiguration;

const keyOf = (record: { tenantId: string; id: string }) => keys.request(record.tenantId, record.id);
const notEligible = (message: string) => refusal('target-not-eligible', message, 'No pass for this person');

export class EscalationService {
  /** Requests this process is issuing right now; the sweep leaves them alone. */
  private readonly issuing = new Set<string>();
  /** Whether this store's open requests are known to all have their open entry. */
  private openIndexReady = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly directory: EscalationDirectory,
    private readonly notifier: EscalationNotifier,
    private readonly settings: EscalationSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Who else hears how a request ended (src/app/notify-outcome.ts); none in tests that do not need it. */
    private readonly outcomes?: OutcomeNotices,
    private readonly callerVerification?: CallerVerificationPort,
  ) {}

  /** The lifetime and one-time setting a pass would get now, clamped to the tenant's policy; undefined when unreadable. */
  async passSettings(): Promise<PassSettings | undefined> {
    const { tapPolicy } = await this.directory.tenant.getPolicies();
    return tapPolicy.known ? this.issueSettings(tapPolicy.value) : undefined;
  }

  /**
   * The shortest lifetime the policy allows at or above the configured one, and always one-time use:
   * a policy with isUsableOnce true makes every pass one-time, one with false lets the creator choose
   * (https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethodconfiguration).
   * A pass read out over a call should not work twice.
   */
  private issueSettings(policy: TapPolicy): PassSettings {
    const wanted = this.settings.tapLifetimeMinutes;
    const { lifetimeInMinutes } = tapIssueSettings(policy, wanted);
    const lifetimeSource =
      lifetimeInMinutes > wanted ? 'policy-minimum' : lifetimeInMinutes < wanted ? 'policy-maximum' : 'configured';
    return { lifetimeInMinutes, isUsableOnce: true, lifetimeSource };
  }

  /**
   * The form for a new request: whether this actor may ask for a pass for this person, and what the
   * approver will see. A name that matches several people returns them to choose from.
   */
  async startRequest(
    actor: Actor,
    query: UserQuery | { problem: string },
  ): Promise<RequestForm | { several: DirectoryUser[] } | { unclear: string } | Refusal> {
    const mayFile = policy('file', this.factsFor(actor, false), {
      tenantId: actor.tenantId,
      target: { id: 'kind' in query && query.kind === 'id' ? query.id : '' },
    });
    if (isRefusal(mayFile)) return mayFile;
    if ('problem' in query) return { unclear: query.problem };
    const users = await this.directory.findUsers(query);
    const [only, ...others] = users;
    if (!only)
      return refusal(
        'no-such-user',
        'I found nobody matching that. Use their email address.',
        'No such user in this tenant',
      );
    if (others.length > 0) return { several: users };
    return this.formFor(actor, only.id);
  }

  private async formFor(actor: Actor, targetId: string): Promise<RequestForm | Refusal> {
    const allowed = policy('file', this.factsFor(actor, false), { tenantId: actor.tenantId, target: { id: targetId } });
    if (isRefusal(allowed)) return allowed;
    const assessed = await this.assessTarget(targetId);
    if (isRefusal(assessed)) return assessed;
    return { ...assessed, passSettings: await this.passSettings() };
  }

  async file(actor: Actor, input: NewEscalation): Promise<FiledRequest | Refusal> {
    const allowed = policy('file', this.factsFor(actor, false), {
      tenantId: actor.tenantId,
      target: { id: input.targetId },
    });
    if (isRefusal(allowed)) return allowed;
    const assessed = await this.assessTarget(input.targetId);
    if (isRefusal(assessed)) return assessed;
    const { target: user } = assessed;
    if (!(await this.notifier.hasPersonalChat(actor.tenantId, actor.id))) {
      return refusal(
        'no-personal-chat',
        'The pass can only be shown to you in your own 1:1 chat with the SSAR Helpdesk app, and you have not opened it yet. Open it, then file the request again.',
        'Open a 1:1 chat with me first',
      );
    }
    const approvers = (await this.approversFor(user.id)).filter((a) => !samePerson(a, actor));
    if (approvers.length === 0) {
      return refusal(
        'no-approver',
        `${user.displayName} has no manager and the approver group is empty, so nobody could approve a pass.`,
        'Nobody can approve this',
      );
    }
    const needed = assessed.privileged ? 2 : 1;
    if (approvers.length < needed) {
      const who = approvers.map((a) => a.name).join(' and ');
      return refusal(
        'not-enough-deciders',
        `${user.displayName} holds a directory role, so two different people must approve, but only ${who} can decide on a request for them ` +
          `(their manager and the approver group, other than you). Add someone to the approver group first; nothing was filed.`,
        'Not enough approvers',
      );
    }

    const now = this.now();
    const requester = { id: actor.id, name: actor.name };
    const created = createRequest(
      {
        id: randomUUID(),
        tenantId: actor.tenantId,
        requester,
        target: { id: user.id, name: user.displayName, userPrincipalName: user.userPrincipalName },
        reason: input.reason,
        verification: input.verification,
        privileged: assessed.privileged,
      },
      now,
      this.settings,
    );
    if (isRefusal(created)) return { ...created, title: 'The request was not filed' };
    const formKey = input.formId ? keys.filingForm(actor.id, input.formId) : undefined;
    const claim = await this.claimTarget(created, formKey);
    if (claim !== 'claimed') return claim;
    const limited = await this.reserveFiling(created, now);
    if (limited) {
      await this.releaseTarget(created);
      return limited;
    }

    const stored = await this.store.create(COLLECTIONS.requests, keyOf(created), created).catch(async (error) => {
      await Promise.all([this.releaseFiling(created), this.releaseTarget(created)]);
      throw error;
    });
    try {
      await this.store.create<OpenEntry>(COLLECTIONS.openRequests, keyOf(created), {
        key: keyOf(created),
        createdAt: created.createdAt,
      });
      await this.audit(auditEntryFor(undefined, created, requester, now));
    } catch (error) {
      // A request nobody can see in the trail must not exist either: take it back, then report the failure.
      await this.store.delete(COLLECTIONS.requests, keyOf(created), stored.etag).catch(() => undefined);
      await this.store.delete(COLLECTIONS.openRequests, keyOf(created)).catch(() => undefined);
      await Promise.all([this.releaseFiling(created), this.releaseTarget(created)]);
      throw error;
    }

    const passSettings = await this.passSettings();
    const notified: Person[] = [];
    const unreachable: Person[] = [];
    for (const approver of approvers) {
      const reachable = await this.notifier.hasPersonalChat(created.tenantId, approver.id);
      if (reachable) {
        try {
          await this.notifier.askApprover(created, approver, passSettings);
          notified.push(approver);
          continue;
        } catch (error) {
          this.log.warn(
            { requestId: created.id, approverId: approver.id, err: (error as Error).name },
            'approval card not delivered',
          );
        }
      }
      unreachable.push(approver);
    }
    const verification = await this.callerVerification?.factsFor(created);
    return { record: created, canDecide: false, notified, unreachable, ...(verification ? { verification } : {}) };
  }

  async view(actor: Actor, requestId: string): Promise<RequestView | Refusal> {
    const record = await this.open(actor.tenantId, requestId);
    if (!record) return NO_SUCH_REQUEST;
    const facts = await this.freshFactsFor(actor, record);
    const allowed = policy('view', facts, record);
    if (isRefusal(allowed)) return allowed;
    return this.viewFor(facts, record);
  }

  async decide(
    actor: Actor,
    requestId: string,
    decision: 'approve' | 'deny',
    reason?: string,
  ): Promise<RequestView | Refusal> {
    const key = keys.request(actor.tenantId, requestId);
    const current = await this.expire(key);
    if (!current) return NO_SUCH_REQUEST;
    const facts = await this.freshFactsFor(actor, current);
    const refused = await this.authorize(decision, actor, facts, current);
    if (refused) return refused;
    if (
      decision === 'approve' &&
      current.state === 'requested' &&
      !(await this.notifier.hasPersonalChat(actor.tenantId, current.requester.id))
    ) {
      return this.viewFor(facts, current, {
        notice: `${current.requester.name} has no 1:1 chat with the SSAR Helpdesk app, so the pass could not be shown to them. Nothing was approved; ask them to open the app, then approve again.`,
      });
    }
    const decider = { id: actor.id, name: actor.name, eligible: true };
    const outcome = await this.transition(key, actor, (record) =>
      decision === 'approve' ? approve(record, decider, this.now()) : deny(record, decider, this.now(), reason),
    );
    if (!outcome) return NO_SUCH_REQUEST;
    let record = outcome.record;
    if (outcome.changed && record.state === 'approved') {
      // Direct delivery: the pass is created when the verified caller's page asks for it, never for the agent.
      if ((await this.callerVerification?.factsFor(record))?.directDelivery) await this.tell(record);
      else record = (await this.issue(key, actor)) ?? record;
    } else if (outcome.changed && record.state === 'denied') await this.tell(record);
    return this.viewFor(facts, record, outcome.refusal ? { notice: outcome.refusal } : {});
  }

  async cancel(actor: Actor, requestId: string): Promise<RequestView | Refusal> {
    const key = keys.request(actor.tenantId, requestId);
    const current = await this.expire(key);
    if (!current) return NO_SUCH_REQUEST;
    const facts = await this.freshFactsFor(actor, current);
    const refused = await this.authorize('cancel', actor, facts, current);
    if (refused) return refused;
    const outcome = await this.transition(key, actor, (record) => cancel(record, actor, this.now()));
    if (!outcome) return NO_SUCH_REQUEST;
    return this.viewFor(facts, outcome.record, outcome.refusal ? { notice: outcome.refusal } : {});
  }

  /** The agent has handed the pass over: only they may replace the card that showed it. */
  async handOver(actor: Actor, requestId: string): Promise<EscalationRecord | Refusal> {
    const record = await this.open(actor.tenantId, requestId);
    if (!record) return NO_SUCH_REQUEST;
    const allowed = policy('hand-over', this.factsFor(actor, false), record);
    if (isRefusal(allowed)) return allowed;
    await this.outcomes?.handedOver(record, actor);
    return record;
  }

  /** The tenant's newest requests this person may see: the helpdesk and approvers see all, a manager those of their reports. */
  async list(actor: Actor): Promise<EscalationRecord[] | Refusal> {
    const recent = await this.recent(actor.tenantId);
    if (actor.isHelpdeskAgent) return recent;
    const approverGroup = await this.directory.approverGroupMembers();
    const inGroup = approverGroup.some((member) => samePerson(member, actor));
    // Read fresh, once per target: whether this person manages them.
    const targets = inGroup ? [] : [...new Set(recent.map((record) => record.target.id.toLowerCase()))];
    const manages = new Map(
      await Promise.all(
        targets.map(
          async (id) => [id, await this.directory.manager(id).then((m) => (m ? samePerson(m, actor) : false))] as const,
        ),
      ),
    );
    const visible = recent.filter(
      (record) =>
        !isRefusal(
          policy('view', this.factsFor(actor, inGroup || manages.get(record.target.id.toLowerCase()) === true), record),
        ),
    );
    if (visible.length === 0 && !inGroup && !actor.isApprover) {
      return refusal(
        'not-an-approver',
        'The list of pass requests is for helpdesk agents, approvers and the managers of the people they are for.',
        'Only for the helpdesk and approvers',
      );
    }
    return visible;
  }

  /** The request as it stands now (expired first if its time is up); undefined when this tenant has no such request. */
  open(tenantId: string, requestId: string): Promise<EscalationRecord | undefined> {
    return this.expire(keys.request(tenantId, requestId));
  }

  /** The tenant's newest requests first. */
  async recent(tenantId: string, limit = RECENT_LIMIT): Promise<EscalationRecord[]> {
    const all = await this.store.list<EscalationRecord>(COLLECTIONS.requests, { prefix: keys.requestsOf(tenantId) });
    const newest = all
      .map((s) => s.value)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit);
    return Promise.all(newest.map(async (record) => (await this.expire(keyOf(record))) ?? record));
  }

  /**
   * Expires what is due, issues requests left 'approved' (a crash between approval and issuing) and
   * resolves claims stuck in 'issuing'. Reads only the open requests. Safe to run anywhere at any
   * time: every step is a claim.
   */
  async sweep(): Promise<void> {
    if (!this.openIndexReady) await this.backfillOpenIndex();
    const keys = (await this.store.list<OpenEntry>(COLLECTIONS.openRequests)).map((entry) => entry.value.key);
    for (const key of keys) {
      try {
        const record = await this.expire(key);
        if (!record || CLOSED.has(record.state)) {
          // Left behind by a crash between closing the request and tidying up after it.
          await this.store.delete(COLLECTIONS.openRequests, key);
          if (record) await this.releaseTarget(record);
        }
        // A pass for the verified caller is created only when their page asks for it.
        else if (record.state === 'approved' && !(await this.callerVerification?.factsFor(record))?.directDelivery)
          await this.issue(key, SYSTEM_ACTOR);
        else if (record.state === 'issuing' && !this.issuing.has(key) && this.isAbandoned(record)) {
          await this.resolveUncertainIssue(record, SYSTEM_ACTOR, 'The bot stopped while the pass was being issued.');
        }
      } catch (error) {
        this.log.warn(
          { requestKey: key, err: (error as Error).name, message: (error as Error).message },
          'escalation sweep step failed',
        );
      }
    }
  }

  /**
   * Requests filed before open ones were kept apart have no open entry: read the history once, ever
   * (a marker document says it was done), and give each request still open its entry and its claim
   * on the target.
   */
  private async backfillOpenIndex(): Promise<void> {
    if (!(await this.store.get(COLLECTIONS.migrations, OPEN_INDEX_MIGRATION))) {
      for (const { value: record } of await this.store.list<EscalationRecord>(COLLECTIONS.requests)) {
        if (CLOSED.has(record.state)) continue;
        await this.createIfAbsent(COLLECTIONS.openRequests, keyOf(record), {
          key: keyOf(record),
          createdAt: record.createdAt,
        } satisfies OpenEntry);
        await this.createIfAbsent(COLLECTIONS.openTargets, keys.openTarget(record.tenantId, record.target.id), {
          requestId: record.id,
          at: record.createdAt,
        } satisfies TargetClaim);
      }
      await this.createIfAbsent(COLLECTIONS.migrations, OPEN_INDEX_MIGRATION, { at: this.now().toISOString() });
    }
    this.openIndexReady = true;
  }

  private async createIfAbsent(collection: string, key: string, value: object): Promise<void> {
    try {
      await this.store.create(collection, key, value);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /**
   * A claim in 'issuing' nobody works on. With a store this process has to itself (the embedded
   * store's lock), every claim not in flight here was left by a process that stopped: resolved at
   * the first sweep after a restart. With a shared store another instance may still be at it, so
   * only a claim older than STUCK_ISSUING_MS counts.
   */
  private isAbandoned(record: EscalationRecord): boolean {
    return (
      this.settings.exclusiveStore === true || this.now().getTime() - Date.parse(record.updatedAt) > STUCK_ISSUING_MS
    );
  }

  /**
   * Whether a pass may be requested for this user at all, and whether they hold a directory role.
   * `tapPolicy` read fresh replaces the tenant cache's copy at the moment of issuing.
   */
  private async assessTarget(
    targetId: string,
    tapPolicy?: Fact<TapPolicy>,
  ): Promise<Omit<RequestForm, 'passSettings'> | Refusal> {
    const [user] = await this.directory.findUsers({ kind: 'id', id: targetId });
    if (!user)
      return refusal(
        'no-such-user',
        'That account does not exist in this tenant (any more).',
        'No such user in this tenant',
      );
    const name = user.displayName ?? user.userPrincipalName ?? 'This person';
    if (user.accountEnabled === false) {
      return notEligible(
        `${name}’s account is disabled, so a pass could not be used. Re-enable the account through your usual process first.`,
      );
    }
    if (user.userType === 'Guest' || externalUserType(user) === 'b2bCollaborationMember') {
      return notEligible(
        `${name} is a guest from another organisation. Their home organisation has to help them sign in again.`,
      );
    }
    // Fresh, not the 5-minute tenant cache: privilege decides this request now.
    const read = await this.directory.eligibilityFacts(user, this.now(), { fresh: true });
    const facts = tapPolicy ? { ...read, tapPolicy } : read;
    if (!facts.tapPolicy.known)
      return notEligible(
        `I could not read the tenant’s Temporary Access Pass policy (${facts.tapPolicy.reason}), so no pass can be requested.`,
      );
    const scope = tapScopeFor(facts.tapPolicy.value, user.id, facts.membership);
    switch (scope.kind) {
      case 'disabled':
        return notEligible(
          'The Temporary Access Pass method is turned off in this tenant, so a pass could not be used.',
        );
      case 'excluded':
      case 'notIncluded':
        return notEligible(
          `${name} is outside the tenant’s Temporary Access Pass policy (${scope.kind === 'excluded' ? 'excluded through a group' : 'not included'}). ` +
            'Graph would create the pass, but it could not be used to sign in. Ask an administrator to add them to the policy first.',
        );
      case 'unknown':
        return notEligible(
          `I could not confirm that ${name} is inside the Temporary Access Pass policy (${scope.reason}), so no pass can be requested.`,
        );
      case 'included':
        break;
    }
    if (!facts.roleTemplateIds.known) {
      return notEligible(
        `I could not read whether ${name} holds a directory role (${facts.roleTemplateIds.reason}), so no pass can be requested.`,
      );
    }
    const privileged = facts.roleTemplateIds.value.length > 0;
    const refused = refusePrivileged(name, privileged, this.settings);
    if (refused) return { ...refused, title: 'No pass for this person' };
    return { target: { ...user, displayName: name, userPrincipalName: user.userPrincipalName ?? '' }, privileged };
  }

  /**
   * One open request per target, claimed with a create-if-absent document so two instances cannot
   * both file. The same form sent again (same agent, target and card) gets the request it filed;
   * another request while one is open is refused, showing the open one.
   */
  private async claimTarget(
    record: EscalationRecord,
    formKey: string | undefined,
  ): Promise<'claimed' | FiledRequest | Refusal> {
    const key = keys.openTarget(record.tenantId, record.target.id);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.store.create<TargetClaim>(COLLECTIONS.openTargets, key, {
          requestId: record.id,
          formKey,
          at: record.createdAt,
        });
        return 'claimed';
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
      const claim = await this.store.get<TargetClaim>(COLLECTIONS.openTargets, key);
      if (!claim) continue;
      const open = await this.expire(keys.request(record.tenantId, claim.value.requestId));
      if (!open && this.now().getTime() - Date.parse(claim.value.at) < FILING_IN_FLIGHT_MS) {
        return refusal(
          'already-open',
          `A request for ${record.target.name} is being filed right now; open it with "requests" in a moment.`,
          'Already being filed',
        );
      }
      if (!open || CLOSED.has(open.state)) {
        // Left behind by a crash after the request closed: clear it and claim again.
        await this.store.delete(COLLECTIONS.openTargets, key, claim.etag).catch(() => undefined);
        continue;
      }
      const sameForm = formKey !== undefined && claim.value.formKey === formKey;
      return {
        record: open,
        canDecide: false,
        notified: [],
        unreachable: [],
        notice: sameForm
          ? 'This form was already sent: this is the request it filed. Nothing new was filed and no approver was asked twice.'
          : `A request for ${open.target.name} is already open, so no second one was filed. This is the open one: cancel it first to file a new one.`,
      };
    }
    throw new ConflictError(`Could not claim ${key}`);
  }

  private async releaseTarget(record: EscalationRecord): Promise<void> {
    const key = keys.openTarget(record.tenantId, record.target.id);
    const claim = await this.store.get<TargetClaim>(COLLECTIONS.openTargets, key).catch(() => undefined);
    if (claim?.value.requestId !== record.id) return;
    await this.store
      .delete(COLLECTIONS.openTargets, key, claim.etag)
      .catch((error) =>
        this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not release the target'),
      );
  }

  /** Reserves one filing in the requester's and the target's counters, atomically per counter across instances; a refusal when over a limit. */
  private async reserveFiling(record: EscalationRecord, now: Date): Promise<Refusal | undefined> {
    const filing: Filing = {
      id: record.id,
      requester: { id: record.requester.id },
      target: { id: record.target.id, name: record.target.name },
      createdAt: record.createdAt,
    };
    const who = { requesterId: record.requester.id, targetId: record.target.id };
    const byRequester = await this.addToCounter(
      keys.filingsByRequester(record.tenantId, record.requester.id),
      filing,
      now,
      (filings) => checkRateLimit(filings, who, now, { ...this.settings, perTargetPerHour: Number.POSITIVE_INFINITY }),
    );
    if (byRequester) return byRequester;
    const forTarget = await this.addToCounter(
      keys.filingsForTarget(record.tenantId, record.target.id),
      filing,
      now,
      (filings) =>
        checkRateLimit(filings, who, now, { ...this.settings, perRequesterPerHour: Number.POSITIVE_INFINITY }),
    );
    if (forTarget)
      await this.removeFromCounter(keys.filingsByRequester(record.tenantId, record.requester.id), record.id);
    return forTarget;
  }

  private async addToCounter(
    key: string,
    filing: Filing,
    now: Date,
    check: (filings: Filing[]) => { ok: true } | CoreRefusal,
  ): Promise<Refusal | undefined> {
    for (;;) {
      const outcome = await updateRetryingOnConflict<{ filings: Filing[] }, Refusal>(
        this.store,
        COLLECTIONS.filingCounters,
        key,
        (counter) => {
          const inWindow = counter.filings.filter((f) => Date.parse(f.createdAt) > now.getTime() - RATE_WINDOW_MS);
          const limited = check(inWindow);
          return isRefusal(limited) ? { ...limited, title: 'Too many requests' } : { filings: [...inWindow, filing] };
        },
        COUNTER_ATTEMPTS,
      );
      if (outcome.outcome === 'refused') return outcome.refusal;
      if (outcome.outcome === 'updated') return undefined;
      try {
        await this.store.create(COLLECTIONS.filingCounters, key, { filings: [] });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  private async releaseFiling(record: EscalationRecord): Promise<void> {
    await Promise.all([
      this.removeFromCounter(keys.filingsByRequester(record.tenantId, record.requester.id), record.id),
      this.removeFromCounter(keys.filingsForTarget(record.tenantId, record.target.id), record.id),
    ]).catch((error) =>
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not release a rate-limit reservation'),
    );
  }

  private async removeFromCounter(key: string, requestId: string): Promise<void> {
    await updateRetryingOnConflict<{ filings: Filing[] }>(
      this.store,
      COLLECTIONS.filingCounters,
      key,
      (counter) =>
        counter.filings.some((f) => f.id === requestId)
          ? { filings: counter.filings.filter((f) => f.id !== requestId) }
          : counter,
      COUNTER_ATTEMPTS,
    );
  }

  /** Policy facts without the fresh approver reading: for actions that do not depend on it. */
  private factsFor(actor: Actor, isApproverForTarget: boolean): ActorFacts {
    return { id: actor.id, tenantId: actor.tenantId, isHelpdeskAgent: actor.isHelpdeskAgent, isApproverForTarget };
  }

  /** The policy's facts about this actor for this request, read now (for use cases beside these, such as caller verification). */
  factsAbout(actor: Actor, record: EscalationRecord): Promise<ActorFacts> {
    return this.freshFactsFor(actor, record);
  }

  /** The one answer to "is this person an approver for this request", read from Graph now. */
  private async freshFactsFor(actor: Actor, record: EscalationRecord): Promise<ActorFacts> {
    if (actor.tenantId !== record.tenantId) return this.factsFor(actor, false);
    const approvers = await this.approversFor(record.target.id);
    return this.factsFor(
      actor,
      approvers.some((a) => samePerson(a, actor)),
    );
  }

  /**
   * Undefined when the policy allows the action; otherwise what to answer. Refusals are audited;
   * someone who may see the request gets it back with the reason as a notice, anyone else only
   * "no such request".
   */
  private async authorize(
    action: Action,
    actor: Actor,
    facts: ActorFacts,
    record: EscalationRecord,
  ): Promise<RequestView | Refusal | undefined> {
    const verification = action === 'approve' ? await this.callerVerification?.factsFor(record) : undefined;
    const allowed = policy(action, facts, record, verification);
    if (!isRefusal(allowed)) return undefined;
    await this.audit(auditEntryFor(record, allowed, actor, this.now()));
    if (isRefusal(policy('view', facts, record))) return allowed;
    return this.viewFor(facts, record, { notice: allowed.message });
  }

  private async viewFor(
    facts: ActorFacts,
    record: EscalationRecord,
    extra: { notice?: string } = {},
  ): Promise<RequestView> {
    const verification = await this.callerVerification?.factsFor(record);
    const canDecide =
      record.state === 'requested' &&
      !isRefusal(policy('approve', facts, record)) &&
      !record.approvals.some((a) => samePerson(a.approver, facts));
    // Deny stays possible; Approve waits for caller verification when the policy requires it.
    const canApprove = canDecide && !isRefusal(policy('approve', facts, record, verification));
    return {
      record,
      canDecide,
      canApprove,
      ...(canDecide ? { passSettings: await this.passSettings() } : {}),
      ...(verification ? { verification } : {}),
      ...extra,
    };
  }

  /**
   * The pass for an approved request whose caller passed verification, created now and handed to
   * `deliver` (the caller's own page), never to the agent. Exactly once, like every issue.
   */
  async issueToVerifiedPerson(
    tenantId: string,
    requestId: string,
    deliver: (pass: PassToDeliver) => Promise<void>,
  ): Promise<EscalationRecord | undefined> {
    const key = keys.request(tenantId, requestId);
    const record = await this.expire(key);
    if (!record || record.state !== 'approved' || !(await this.callerVerification?.factsFor(record))?.directDelivery)
      return record;
    const caller = { id: record.target.id, name: `${record.target.name} (verified caller)` };
    const issued = await this.issue(key, caller, (r, pass) => deliver(pass));
    if (issued?.state === 'issued') await this.tell(issued);
    return issued;
  }

  /**
   * Exactly one pass per approved request: only the caller whose claim ('approved' -> 'issuing')
   * is written calls Graph. Returns the request as it ends up.
   */
  private async issue(
    key: string,
    actor: Person,
    deliver: (record: EscalationRecord, pass: PassToDeliver) => Promise<void> = (record, pass) =>
      this.notifier.deliverPass(record, pass),
  ): Promise<EscalationRecord | undefined> {
    if (this.issuing.has(key)) return undefined;
    this.issuing.add(key);
    try {
      const claim = await this.transition(key, actor, (record) => beginIssuing(record, this.now()));
      if (!claim?.changed) return claim?.record;
      const record = claim.record;
      const fail = (reason: string) => this.finish(key, actor, (r) => markFailed(r, this.now(), reason));

      if (!(await this.notifier.hasPersonalChat(record.tenantId, record.requester.id))) {
        return fail(
          `${record.requester.name} has no 1:1 chat with the app to show the pass in, so no pass was created. File a new request after opening the app.`,
        );
      }
      // Time of use: the facts the approval rested on are read again, fresh from Graph, right before the pass exists.
      let recheck: Awaited<ReturnType<EscalationService['recheckBeforeIssuing']>>;
      try {
        recheck = await this.recheckBeforeIssuing(record);
      } catch (error) {
        this.log.warn(
          { requestId: record.id, err: (error as Error).name },
          'could not re-read the facts before issuing',
        );
        return fail(
          'I could not read the directory again just before creating the pass, so no pass was created. It is safe to file a new request.',
        );
      }
      if ('refusal' in recheck) return fail(recheck.refusal);
      if ('reopen' in recheck) return this.reopen(key, actor, recheck.reopen);
      const { settings } = recheck;

      let created: GraphTypes.TemporaryAccessPassAuthenticationMethod;
      try {
        created = await this.directory.createTemporaryAccessPass(record.target.id, settings);
      } catch (error) {
        if (error instanceof GraphRequestError && (error.status === 0 || error.status >= 500)) {
          this.log.warn(
            { requestId: record.id, status: error.status, code: error.code },
            'pass creation outcome unknown',
          );
          return this.resolveUncertainIssue(
            record,
            actor,
            `Microsoft Graph did not confirm the pass (${error.status === 0 ? 'no answer' : `error ${error.status}`}).`,
          );
        }
        const why = !(error instanceof GraphRequestError)
          ? 'an unexpected error'
          : error.isPermissionDenied
            ? `the bot needs the ${PERMISSIONS.createTemporaryAccessPass} permission, which is not granted`
            : `Microsoft Graph refused it (${error.status} ${error.code})`;
        this.log.warn({ requestId: record.id, err: (error as Error).name }, 'pass creation failed');
        return fail(`The pass could not be created: ${why}. No pass was created.`);
      }

      // Graph creates a pass even when its policy would refuse it at sign-in, and says so in the answer.
      // https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethod
      if (created.isUsable === false) {
        const reason = created.methodUsabilityReason ?? 'no reason given';
        this.log.warn({ requestId: record.id, methodUsabilityReason: reason }, 'created pass is not usable');
        const deleted = await this.deletePass(record, created.id);
        return fail(
          `Microsoft Graph created the pass but says it cannot be used to sign in (${reason}${reason === 'DisabledByPolicy' ? ': the Temporary Access Pass policy no longer covers this person' : ''}), so it was ` +
            (deleted
              ? 'deleted and not handed over.'
              : 'not handed over; deleting it failed, so delete it in the Entra admin center.'),
        );
      }

      if (created.id) {
        await this.store
          .create(COLLECTIONS.passMethods, keys.passMethod(record.tenantId, created.id), {
            requestId: record.id,
            targetId: record.target.id,
            createdAt: created.createdDateTime,
          })
          .catch((error) =>
            this.log.warn(
              { requestId: record.id, err: (error as Error).name },
              'could not record which request created the pass',
            ),
          );
      }
      const code = created.temporaryAccessPass;
      const startsAt = new Date(created.startDateTime ?? this.now()).toISOString();
      const lifetimeInMinutes = created.lifetimeInMinutes ?? settings.lifetimeInMinutes;
      const expiresAt = new Date(Date.parse(startsAt) + lifetimeInMinutes * 60_000).toISOString();
      try {
        if (!code) throw new Error('Graph returned no pass');
        await deliver(record, {
          code,
          startsAt,
          expiresAt,
          lifetimeInMinutes,
          isUsableOnce: created.isUsableOnce ?? settings.isUsableOnce,
        });
      } catch (error) {
        this.log.warn(
          { requestId: record.id, err: (error as Error).name, message: (error as Error).message },
          'pass could not be delivered',
        );
        const deleted = await this.deletePass(record, created.id);
        const why = error instanceof Error && error.name === 'ProactiveSendFailed' ? ` (${error.message})` : '';
        return fail(
          `The pass could not be shown to ${record.requester.name} in their 1:1 chat${why}, so it was ` +
            (deleted
              ? 'deleted again. It is safe to file a new request.'
              : 'created but not delivered, and deleting it failed: delete it in the Entra admin center.'),
        );
      }
      return this.finish(key, actor, (r) => markIssued(r, this.now(), expiresAt));
    } finally {
      this.issuing.delete(key);
    }
  }

  /**
   * What must still hold when the pass is created, read fresh: the requester is still on the helpdesk
   * (not the cached standing), and the target still qualifies under the TAP policy as it is now,
   * with the approvals their roles now require.
   */
  private async recheckBeforeIssuing(
    record: EscalationRecord,
  ): Promise<{ settings: PassSettings } | { refusal: string } | { reopen: string }> {
    const standing = await this.directory.standingNow(record.requester.id);
    if (!standing.isHelpdeskAgent) {
      return {
        refusal:
          `${record.requester.name} is no longer a member of the helpdesk group, so no pass was created for them to hand over. ` +
          'Someone on the helpdesk can file a new request.',
      };
    }
    const tapPolicy = await this.directory.tapPolicyNow();
    const assessed = await this.assessTarget(record.target.id, tapPolicy);
    if (isRefusal(assessed))
      return {
        refusal: `Just before creating the pass I read the account again: ${assessed.message} No pass was created.`,
      };
    if (assessed.privileged && record.approvalsRequired < 2)
      return { reopen: `${record.target.name} now holds a directory role` };
    if (!tapPolicy.known)
      return {
        refusal:
          'The tenant’s Temporary Access Pass policy could not be read, so no pass was created. It is safe to file a new request.',
      };
    return { settings: this.issueSettings(tapPolicy.value) };
  }

  /** Back to waiting, for the further approval the current facts require; the approvers who have not approved are asked again. */
  private async reopen(key: string, actor: Person, why: string): Promise<EscalationRecord | undefined> {
    const outcome = await this.transition(key, actor, (r) => reopenForApprovals(r, this.now(), 2, why));
    if (!outcome?.changed) return outcome?.record;
    const record = outcome.record;
    const approvers = (await this.approversFor(record.target.id)).filter(
      (a) => !samePerson(a, record.requester) && !record.approvals.some((approval) => samePerson(approval.approver, a)),
    );
    const passSettings = await this.passSettings();
    for (const approver of approvers) {
      if (!(await this.notifier.hasPersonalChat(record.tenantId, approver.id))) continue;
      await this.notifier
        .askApprover(record, approver, passSettings)
        .catch((error) =>
          this.log.warn(
            { requestId: record.id, approverId: approver.id, err: (error as Error).name },
            'approval card not delivered',
          ),
        );
    }
    return record;
  }

  /**
   * After a timeout, a 5xx or a crash it is unknown whether Graph created the pass. Never create
   * another: look. A pass created since the claim has a code nobody can read again, so delete it.
   */
  private async resolveUncertainIssue(
    record: EscalationRecord,
    actor: Person,
    what: string,
  ): Promise<EscalationRecord | undefined> {
    const key = keyOf(record);
    let methods: GraphTypes.TemporaryAccessPassAuthenticationMethod[];
    try {
      methods = await this.directory.temporaryAccessPassMethods(record.target.id);
    } catch (error) {
      // Left 'issuing': the sweep looks again once the claim is stale.
      this.log.warn(
        { requestId: record.id, err: (error as Error).name },
        'could not read pass methods after an uncertain creation',
      );
      return record;
    }
    const claimedAt = Date.parse(record.updatedAt);
    const ours: GraphTypes.TemporaryAccessPassAuthenticationMethod[] = [];
    for (const method of methods) {
      if (!(Date.parse(method.createdDateTime ?? '') >= claimedAt - CLOCK_SKEW_MS)) continue;
      const owner = method.id
        ? await this.store.get<{ requestId: string }>(
            COLLECTIONS.passMethods,
            keys.passMethod(record.tenantId, method.id),
          )
        : undefined;
      // A later request's pass, already handed over: not ours to delete.
      if (owner === undefined || owner.value.requestId === record.id) ours.push(method);
    }
    if (ours.length === 0) {
      return this.finish(key, actor, (r) =>
        markFailed(r, this.now(), `${what} No pass was created. It is safe to file a new request.`),
      );
    }
    const deleted = (await Promise.all(ours.map((m) => this.deletePass(record, m.id)))).every(Boolean);
    const createdAt = clockTime(ours[0]!.createdDateTime!);
    return this.finish(key, actor, (r) =>
      markFailed(
        r,
        this.now(),
        `${what} A pass was created at ${createdAt}, but its code can never be read again, so ` +
          (deleted
            ? 'it was deleted. File a new request to issue a fresh pass.'
            : 'it is unusable; deleting it failed, so delete it in the Entra admin center.'),
      ),
    );
  }

  private async deletePass(record: EscalationRecord, methodId: string | undefined): Promise<boolean> {
    if (!methodId) return false;
    try {
      await this.directory.deleteTemporaryAccessPass(record.target.id, methodId);
      return true;
    } catch (error) {
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not delete an undelivered pass');
      return false;
    }
  }

  /** markIssued / markFailed, audited, and the requester told about a failure. */
  private async finish(
    key: string,
    actor: Person,
    step: (record: EscalationRecord) => Transition,
  ): Promise<EscalationRecord | undefined> {
    const outcome = await this.transition(key, actor, step);
    if (outcome?.changed && outcome.record.state === 'failed') await this.tell(outcome.record);
    return outcome?.record;
  }

  /** Expires the request if its time is up (telling the requester); undefined when there is no such request. */
  private async expire(key: string): Promise<EscalationRecord | undefined> {
    const outcome = await this.transition(key, SYSTEM_ACTOR, (record) => expireIfDue(record, this.now()));
    if (outcome?.changed) await this.tell(outcome.record);
    return outcome?.record;
  }

  /** One etag-checked step, audited, refusals included (a refused approval is worth a line in the trail). A closed request leaves the open set. */
  private async transition(
    key: string,
    actor: Person,
    step: (record: EscalationRecord) => Transition,
  ): Promise<{ record: EscalationRecord; refusal?: string; changed: boolean } | undefined> {
    const outcome = await updateRetryingOnConflict<EscalationRecord, CoreRefusal>(
      this.store,
      COLLECTIONS.requests,
      key,
      step,
    );
    const now = this.now();
    switch (outcome.outcome) {
      case 'not-found':
        return undefined;
      case 'unchanged':
        return { record: outcome.current.value, changed: false };
      case 'refused':
        if (actor !== SYSTEM_ACTOR) await this.audit(auditEntryFor(outcome.current.value, outcome.refusal, actor, now));
        return { record: outcome.current.value, refusal: outcome.refusal.message, changed: false };
      case 'updated':
        await this.audit(auditEntryFor(outcome.before, outcome.after.value, actor, now));
        await this.refreshLiveCards(outcome.after.value);
        if (CLOSED.has(outcome.after.value.state)) {
          // Left behind by a crash here, the sweep finds the record closed and removes the entry then.
          await this.store
            .delete(COLLECTIONS.openRequests, key)
            .catch((error) =>
              this.log.warn({ requestKey: key, err: (error as Error).name }, 'could not close the open entry'),
            );
          // Only the one write that closed it gets here, on whichever instance: everyone is told once.
          await this.outcomes?.closed(outcome.after.value);
          await this.releaseTarget(outcome.after.value);
        }
        return { record: outcome.after.value, changed: true };
    }
  }

  /** The target's manager and the approver group's members, never the target: read fresh, since it decides. */
  private async approversFor(targetId: string): Promise<Person[]> {
    const [manager, members] = await Promise.all([
      this.directory.manager(targetId),
      this.directory.approverGroupMembers(),
    ]);
    const people: Person[] = [];
    for (const user of [...(manager ? [manager] : []), ...members]) {
      if (samePerson(user, { id: targetId }) || people.some((p) => samePerson(p, user))) continue;
      people.push({ id: user.id, name: user.displayName ?? user.userPrincipalName ?? user.id });
    }
    return people;
  }

  /**
   * Every live card of the request replaced by the request as it stands now: after each change
   * here, and by whoever else changes what the cards show (caller verification started, passed or
   * failed). Never throws: a card that could not be replaced is logged.
   */
  async refreshLiveCards(record: EscalationRecord): Promise<void> {
    try {
      // "Issuing" lasts a moment, and so does "approved" unless the pass waits for the verified
      // caller: the cards move on when the pass is issued or the issue fails.
      if (record.state === 'issuing') return;
      const verification = await this.callerVerification?.factsFor(record);
      if (record.state === 'approved' && !verification?.directDelivery) return;
      const passSettings = record.state === 'requested' ? await this.passSettings() : undefined;
      await this.notifier.refreshCards(record, { verification, passSettings });
    } catch (error) {
      this.log.warn({ requestId: record.id, err: (error as Error).message }, 'live cards not refreshed');
    }
  }

  private async tell(record: EscalationRecord): Promise<void> {
    try {
      await this.notifier.tellRequester(record);
    } catch (error) {
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not tell the requester');
    }
  }

  /** Every state change is audited here, so here it is also counted, with the turn's trace id to follow it back. */
  private async audit(entry: AuditEntry): Promise<void> {
    const traceId = correlationId();
    await this.store.append(AUDIT_LOG, traceId ? { ...entry, traceId } : entry);
    metric.escalationTransition(entry.action);
    if (entry.action === 'issued') metric.passIssued();
  }
}
