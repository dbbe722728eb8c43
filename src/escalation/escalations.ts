import { randomUUID } from 'node:crypto';
import type * as GraphTypes from '@microsoft/microsoft-graph-types';
import type { Directory, DirectoryUser } from '../directory/directory.js';
import { GraphRequestError } from '../directory/graph.js';
import { PERMISSIONS } from '../directory/permissions.js';
import { externalUserType } from '../eligibility/external-users.js';
import { tapIssueSettings, tapScopeFor } from '../eligibility/tap-scope.js';
import type { Logger } from '../log.js';
import { updateRetryingOnConflict, type DocumentStore } from '../storage/store.js';
import { auditEntryFor, SYSTEM_ACTOR, type AuditEntry } from './audit.js';
import { checkRateLimit, type RateLimits } from './rate-limit.js';
import {
  approve,
  beginIssuing,
  cancel,
  clockTime,
  createRequest,
  deny,
  expireIfDue,
  isRefusal,
  markFailed,
  markIssued,
  samePerson,
  type EscalationPolicy,
  type EscalationRecord,
  type Person,
  type Refusal,
  type Transition,
  type VerificationMethod,
} from './state-machine.js';

/**
 * Escalation requests with their side effects: the store (one record per request, etag-checked),
 * the audit trail, Graph (approver eligibility, the pass itself) and the people to tell. Identity
 * always arrives as a `Person` the Teams layer took from the authenticated activity.
 */

export const ESCALATIONS = 'escalations';
export const AUDIT_LOG = 'audit';
/** Which request created each pass method (ids only, never the code), so a sweep never deletes another request's pass. */
export const PASS_METHODS = 'pass-methods';
/** A claim older than this with nobody working on it was left behind by a crash or an unanswered Graph call. */
export const STUCK_ISSUING_MS = 2 * 60_000;
/** Graph's clock and ours may differ a little: a pass created this long before our claim still counts as ours. */
const CLOCK_SKEW_MS = 60_000;
const RECENT_LIMIT = 20;

/** The pass as it exists for one moment in memory, on its way to the requester's 1:1 chat. Never stored. */
export interface PassToDeliver {
  code: string;
  startsAt: string;
  expiresAt: string;
  lifetimeInMinutes: number;
  isUsableOnce: boolean;
}

/** How the service reaches people; the Teams layer implements it with proactive messages. */
export interface EscalationNotifier {
  /** Whether the person has a saved 1:1 chat with the bot (they opened the app at least once). */
  hasPersonalChat(tenantId: string, userId: string): Promise<boolean>;
  askApprover(record: EscalationRecord, approver: Person): Promise<void>;
  /** Shows the pass in the requester's 1:1 chat only; throws when it could not be shown. */
  deliverPass(record: EscalationRecord, pass: PassToDeliver): Promise<void>;
  /** A denial, expiry or failure the requester did not see happen. */
  tellRequester(record: EscalationRecord): Promise<void>;
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
>;

export interface EscalationSettings extends EscalationPolicy, RateLimits {}

/** Refused with words for the person; `title` heads the card. */
export interface Problem {
  title: string;
  message: string;
}

export interface AssessedTarget {
  user: DirectoryUser & { displayName: string; userPrincipalName: string };
  privileged: boolean;
}

export interface FiledRequest {
  record: EscalationRecord;
  notified: Person[];
  /** Approvers who have never opened the app, so no card could reach them. */
  unreachable: Person[];
}

/** A request after someone acted on it, with the reason their action did not apply, if it did not. */
export interface ActionOutcome {
  record: EscalationRecord;
  refusal?: string;
}

export interface NewEscalation {
  tenantId: string;
  requester: Person;
  targetId: string;
  reason: string;
  verification: { method: VerificationMethod; detail?: string };
}

/** The lifetime and one-time setting a pass would get now, clamped to the tenant's policy; undefined when unreadable. */
export async function passSettings(directory: Pick<Directory, 'tenant'>): Promise<{ lifetimeInMinutes: number; isUsableOnce: boolean } | undefined> {
  const { tapPolicy, conditionalAccessPolicies } = await directory.tenant.getPolicies();
  return tapPolicy.known ? tapIssueSettings(tapPolicy.value, undefined, conditionalAccessPolicies.known ? conditionalAccessPolicies.value : []) : undefined;
}

const keyOf = (record: { tenantId: string; id: string }) => `${record.tenantId}:${record.id}`;
const problem = (title: string, message: string): Problem => ({ title, message });
export const isProblem = (value: object): value is Problem => 'title' in value && 'message' in value && !('record' in value);

export class EscalationService {
  /** Requests this process is issuing right now; the sweep leaves them alone. */
  private readonly issuing = new Set<string>();

  constructor(
    private readonly store: DocumentStore,
    private readonly directory: EscalationDirectory,
    private readonly notifier: EscalationNotifier,
    private readonly settings: EscalationSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether a pass may be requested for this user at all, and what the approver will need to know. */
  async assessTarget(requester: Person, targetId: string): Promise<AssessedTarget | Problem> {
    const refused = (message: string) => problem('No pass for this person', message);
    if (samePerson(requester, { id: targetId })) return refused('You cannot request a Temporary Access Pass for your own account.');
    const [user] = await this.directory.findUsers({ kind: 'id', id: targetId });
    if (!user) return problem('No such user in this tenant', 'That account does not exist in this tenant (any more).');
    const name = user.displayName ?? user.userPrincipalName ?? 'This person';
    if (user.accountEnabled === false) {
      return refused(`${name}’s account is disabled, so a pass could not be used. Re-enable the account through your usual process first.`);
    }
    if (user.userType === 'Guest' || externalUserType(user) === 'b2bCollaborationMember') {
      return refused(`${name} is a guest from another organisation. Their home organisation has to help them sign in again.`);
    }
    // Fresh, not the 5-minute tenant cache: privilege and the TAP policy decide this request now.
    const facts = await this.directory.eligibilityFacts(user, this.now(), { fresh: true });
    if (!facts.tapPolicy.known) return refused(`I could not read the tenant’s Temporary Access Pass policy (${facts.tapPolicy.reason}), so no pass can be requested.`);
    const scope = tapScopeFor(facts.tapPolicy.value, user.id, facts.membership);
    switch (scope.kind) {
      case 'disabled':
        return refused('The Temporary Access Pass method is turned off in this tenant, so a pass could not be used.');
      case 'excluded':
      case 'notIncluded':
        return refused(
          `${name} is outside the tenant’s Temporary Access Pass policy (${scope.kind === 'excluded' ? 'excluded through a group' : 'not included'}). ` +
            'Graph would create the pass, but it could not be used to sign in. Ask an administrator to add them to the policy first.',
        );
      case 'unknown':
        return refused(`I could not confirm that ${name} is inside the Temporary Access Pass policy (${scope.reason}), so no pass can be requested.`);
      case 'included':
        break;
    }
    if (!facts.roleTemplateIds.known) {
      return refused(`I could not read whether ${name} holds a directory role (${facts.roleTemplateIds.reason}), so no pass can be requested.`);
    }
    const privileged = facts.roleTemplateIds.value.length > 0;
    if (privileged && !this.settings.allowPrivilegedWithTwoApprovers) {
      return refused(
        `${name} holds a directory role (directly, through a group, or eligible to activate it in PIM). Passes for administrators are not issued through this bot; use your organisation’s process for privileged accounts.`,
      );
    }
    return { user: { ...user, displayName: name, userPrincipalName: user.userPrincipalName ?? '' }, privileged };
  }

  async file(input: NewEscalation): Promise<FiledRequest | Problem> {
    const assessed = await this.assessTarget(input.requester, input.targetId);
    if (isProblem(assessed)) return assessed;
    const { user } = assessed;
    if (!(await this.notifier.hasPersonalChat(input.tenantId, input.requester.id))) {
      return problem(
        'Open a 1:1 chat with me first',
        'The pass can only be shown to you in your own 1:1 chat with the SSAR Helpdesk app, and you have not opened it yet. Open it, then file the request again.',
      );
    }
    const approvers = (await this.approversFor(user.id)).filter((a) => !samePerson(a, input.requester));
    if (approvers.length === 0) {
      return problem('Nobody can approve this', `${user.displayName} has no manager and the approver group is empty, so nobody could approve a pass.`);
    }

    const now = this.now();
    const recent = (await this.store.list<EscalationRecord>(ESCALATIONS, { prefix: `${input.tenantId}:` })).map((s) => s.value);
    const limit = checkRateLimit(recent, { requesterId: input.requester.id, targetId: user.id }, now, this.settings);
    if (isRefusal(limit)) return problem('Too many requests', limit.message);

    const created = createRequest(
      {
        id: randomUUID(),
        tenantId: input.tenantId,
        requester: input.requester,
        target: { id: user.id, name: user.displayName, userPrincipalName: user.userPrincipalName },
        reason: input.reason,
        verification: input.verification,
        privileged: assessed.privileged,
      },
      now,
      this.settings,
    );
    if (isRefusal(created)) return problem('The request was not filed', created.message);
    const stored = await this.store.create(ESCALATIONS, keyOf(created), created);
    try {
      await this.audit(auditEntryFor(undefined, created, input.requester, now));
    } catch (error) {
      // A request nobody can see in the trail must not exist either: take it back, then report the failure.
      await this.store.delete(ESCALATIONS, keyOf(created), stored.etag).catch(() => undefined);
      throw error;
    }

    const notified: Person[] = [];
    const unreachable: Person[] = [];
    for (const approver of approvers) {
      const reachable = await this.notifier.hasPersonalChat(created.tenantId, approver.id);
      if (reachable) {
        try {
          await this.notifier.askApprover(created, approver);
          notified.push(approver);
          continue;
        } catch (error) {
          this.log.warn({ requestId: created.id, approverId: approver.id, err: (error as Error).name }, 'approval card not delivered');
        }
      }
      unreachable.push(approver);
    }
    return { record: created, notified, unreachable };
  }

  /** The request as it stands now (expired first if its time is up); undefined when this tenant has no such request. */
  open(tenantId: string, requestId: string): Promise<EscalationRecord | undefined> {
    return this.expire(`${tenantId}:${requestId}`);
  }

  /** Decided from Graph at this moment: the target's manager or a member of the approver group, and not requester or target. */
  async canDecide(record: EscalationRecord, personId: string): Promise<boolean> {
    const person = { id: personId };
    if (record.state !== 'requested' || samePerson(person, record.requester) || samePerson(person, record.target)) return false;
    if (record.approvals.some((a) => samePerson(a.approver, person))) return false;
    return this.isApprover(record, personId);
  }

  async decide(tenantId: string, requestId: string, actor: Person, decision: 'approve' | 'deny', reason?: string): Promise<ActionOutcome | undefined> {
    const key = `${tenantId}:${requestId}`;
    const current = await this.expire(key);
    if (!current) return undefined;
    const eligible = current.state === 'requested' && (await this.isApprover(current, actor.id));
    if (decision === 'approve' && eligible && !(await this.notifier.hasPersonalChat(tenantId, current.requester.id))) {
      return {
        record: current,
        refusal: `${current.requester.name} has no 1:1 chat with the SSAR Helpdesk app, so the pass could not be shown to them. Nothing was approved; ask them to open the app, then approve again.`,
      };
    }
    const decider = { id: actor.id, name: actor.name, eligible };
    const outcome = await this.transition(key, actor, (record) =>
      decision === 'approve' ? approve(record, decider, this.now()) : deny(record, decider, this.now(), reason),
    );
    if (!outcome || outcome.refusal || !outcome.changed) return outcome;
    if (outcome.record.state === 'approved') return { record: (await this.issue(key, actor)) ?? outcome.record };
    if (outcome.record.state === 'denied') await this.tell(outcome.record);
    return outcome;
  }

  async cancel(tenantId: string, requestId: string, actor: Person): Promise<ActionOutcome | undefined> {
    const key = `${tenantId}:${requestId}`;
    if (!(await this.expire(key))) return undefined;
    return this.transition(key, actor, (record) => cancel(record, actor, this.now()));
  }

  /** The tenant's newest requests first. */
  async recent(tenantId: string, limit = RECENT_LIMIT): Promise<EscalationRecord[]> {
    const all = await this.store.list<EscalationRecord>(ESCALATIONS, { prefix: `${tenantId}:` });
    const newest = all.map((s) => s.value).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
    return Promise.all(newest.map(async (record) => (await this.expire(keyOf(record))) ?? record));
  }

  /**
   * Expires what is due, issues requests left 'approved' (a crash between approval and issuing) and
   * resolves claims stuck in 'issuing'. Safe to run anywhere at any time: every step is a claim.
   */
  async sweep(): Promise<void> {
    for (const { value } of await this.store.list<EscalationRecord>(ESCALATIONS)) {
      const key = keyOf(value);
      try {
        const record = await this.expire(key);
        if (record?.state === 'approved') await this.issue(key, SYSTEM_ACTOR);
        else if (record?.state === 'issuing' && !this.issuing.has(key) && this.now().getTime() - Date.parse(record.updatedAt) > STUCK_ISSUING_MS) {
          await this.resolveUncertainIssue(record, SYSTEM_ACTOR, 'The bot stopped while the pass was being issued.');
        }
      } catch (error) {
        this.log.warn({ requestId: value.id, err: (error as Error).name, message: (error as Error).message }, 'escalation sweep step failed');
      }
    }
  }

  /**
   * Exactly one pass per approved request: only the caller whose claim ('approved' -> 'issuing')
   * is written calls Graph. Returns the request as it ends up.
   */
  private async issue(key: string, actor: Person): Promise<EscalationRecord | undefined> {
    if (this.issuing.has(key)) return undefined;
    this.issuing.add(key);
    try {
      const claim = await this.transition(key, actor, (record) => beginIssuing(record, this.now()));
      if (!claim?.changed) return claim?.record;
      const record = claim.record;
      const fail = (reason: string) => this.finish(key, actor, (r) => markFailed(r, this.now(), reason));

      if (!(await this.notifier.hasPersonalChat(record.tenantId, record.requester.id))) {
        return fail(`${record.requester.name} has no 1:1 chat with the app to show the pass in, so no pass was created. File a new request after opening the app.`);
      }
      const settings = await passSettings(this.directory);
      if (!settings) return fail('The tenant’s Temporary Access Pass policy could not be read, so no pass was created. It is safe to file a new request.');

      let created: GraphTypes.TemporaryAccessPassAuthenticationMethod;
      try {
        created = await this.directory.createTemporaryAccessPass(record.target.id, settings);
      } catch (error) {
        if (error instanceof GraphRequestError && (error.status === 0 || error.status >= 500)) {
          this.log.warn({ requestId: record.id, status: error.status, code: error.code }, 'pass creation outcome unknown');
          return this.resolveUncertainIssue(record, actor, `Microsoft Graph did not confirm the pass (${error.status === 0 ? 'no answer' : `error ${error.status}`}).`);
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
            (deleted ? 'deleted and not handed over.' : 'not handed over; deleting it failed, so delete it in the Entra admin center.'),
        );
      }

      if (created.id) {
        await this.store
          .create(PASS_METHODS, `${record.tenantId}:${created.id}`, { requestId: record.id, targetId: record.target.id, createdAt: created.createdDateTime })
          .catch((error) => this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not record which request created the pass'));
      }
      const code = created.temporaryAccessPass;
      const startsAt = new Date(created.startDateTime ?? this.now()).toISOString();
      const lifetimeInMinutes = created.lifetimeInMinutes ?? settings.lifetimeInMinutes;
      const expiresAt = new Date(Date.parse(startsAt) + lifetimeInMinutes * 60_000).toISOString();
      try {
        if (!code) throw new Error('Graph returned no pass');
        await this.notifier.deliverPass(record, { code, startsAt, expiresAt, lifetimeInMinutes, isUsableOnce: created.isUsableOnce ?? settings.isUsableOnce });
      } catch (error) {
        this.log.warn({ requestId: record.id, err: (error as Error).name }, 'pass could not be delivered');
        const deleted = await this.deletePass(record, created.id);
        return fail(
          `The pass could not be shown to ${record.requester.name} in their 1:1 chat, so it was ` +
            (deleted ? 'deleted again. It is safe to file a new request.' : 'created but not delivered, and deleting it failed: delete it in the Entra admin center.'),
        );
      }
      return this.finish(key, actor, (r) => markIssued(r, this.now(), expiresAt));
    } finally {
      this.issuing.delete(key);
    }
  }

  /**
   * After a timeout, a 5xx or a crash it is unknown whether Graph created the pass. Never create
   * another: look. A pass created since the claim has a code nobody can read again, so delete it.
   */
  private async resolveUncertainIssue(record: EscalationRecord, actor: Person, what: string): Promise<EscalationRecord | undefined> {
    const key = keyOf(record);
    let methods: GraphTypes.TemporaryAccessPassAuthenticationMethod[];
    try {
      methods = await this.directory.temporaryAccessPassMethods(record.target.id);
    } catch (error) {
      // Left 'issuing': the sweep looks again once the claim is stale.
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not read pass methods after an uncertain creation');
      return record;
    }
    const claimedAt = Date.parse(record.updatedAt);
    const ours: GraphTypes.TemporaryAccessPassAuthenticationMethod[] = [];
    for (const method of methods) {
      if (!(Date.parse(method.createdDateTime ?? '') >= claimedAt - CLOCK_SKEW_MS)) continue;
      const owner = method.id ? await this.store.get<{ requestId: string }>(PASS_METHODS, `${record.tenantId}:${method.id}`) : undefined;
      // A later request's pass, already handed over: not ours to delete.
      if (owner === undefined || owner.value.requestId === record.id) ours.push(method);
    }
    if (ours.length === 0) {
      return this.finish(key, actor, (r) => markFailed(r, this.now(), `${what} No pass was created. It is safe to file a new request.`));
    }
    const deleted = (await Promise.all(ours.map((m) => this.deletePass(record, m.id)))).every(Boolean);
    const createdAt = clockTime(ours[0]!.createdDateTime!);
    return this.finish(key, actor, (r) =>
      markFailed(
        r,
        this.now(),
        `${what} A pass was created at ${createdAt}, but its code can never be read again, so ` +
          (deleted ? 'it was deleted. File a new request to issue a fresh pass.' : 'it is unusable; deleting it failed, so delete it in the Entra admin center.'),
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
  private async finish(key: string, actor: Person, step: (record: EscalationRecord) => Transition): Promise<EscalationRecord | undefined> {
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

  /** One etag-checked step, audited, refusals included (a refused approval is worth a line in the trail). */
  private async transition(
    key: string,
    actor: Person,
    step: (record: EscalationRecord) => Transition,
  ): Promise<(ActionOutcome & { changed: boolean }) | undefined> {
    const outcome = await updateRetryingOnConflict<EscalationRecord, Refusal>(this.store, ESCALATIONS, key, step);
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
        return { record: outcome.after.value, changed: true };
    }
  }

  /** The target's manager or an approver-group member (whether or not they may still act). */
  async isApprover(record: EscalationRecord, personId: string): Promise<boolean> {
    return (await this.approversFor(record.target.id)).some((a) => samePerson(a, { id: personId }));
  }

  /** The target's manager and the approver group's members, never the target. */
  private async approversFor(targetId: string): Promise<Person[]> {
    const [manager, members] = await Promise.all([this.directory.manager(targetId), this.directory.approverGroupMembers()]);
    const people: Person[] = [];
    for (const user of [...(manager ? [manager] : []), ...members]) {
      if (samePerson(user, { id: targetId }) || people.some((p) => samePerson(p, user))) continue;
      people.push({ id: user.id, name: user.displayName ?? user.userPrincipalName ?? user.id });
    }
    return people;
  }

  private async tell(record: EscalationRecord): Promise<void> {
    try {
      await this.notifier.tellRequester(record);
    } catch (error) {
      this.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not tell the requester');
    }
  }

  private audit(entry: AuditEntry): Promise<void> {
    return this.store.append(AUDIT_LOG, entry);
  }
}
