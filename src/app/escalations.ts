import type { PassSettings, PassToDeliver } from '../escalation/pass-settings.js';
import type { ActorFacts, UnverifiedApproval } from '../escalation/policy.js';
import type { Refusal } from '../escalation/refusal.js';
import type { EscalationRecord } from '../escalation/state-machine.js';
import type { Logger } from '../log.js';
import type { Actor } from './actor.js';
import {
  currentPassSettings,
  type Escalation,
  type EscalationSettings,
  type FiledRequest,
  freshActorFacts,
  type NewEscalation,
  type RequestForm,
  type RequestView,
} from './escalation/context.js';
import { cancelRequest, decide, handOver, list, recent, view } from './escalation/decide.js';
import { file, startRequest } from './escalation/file.js';
import { issueToVerifiedPerson } from './escalation/issue.js';
import { current, refreshLiveCards } from './escalation/outcome.js';
import { sweep } from './escalation/sweep.js';
import type {
  CallerVerificationPort,
  EscalationDirectory,
  EscalationNotifier,
  OutcomeNotices,
  Requests,
  UserQuery,
} from './ports.js';

export type { LiveViewFacts } from './ports.js';
export type {
  EscalationNotifier,
  EscalationSettings,
  FiledRequest,
  NewEscalation,
  PassSettings,
  PassToDeliver,
  RequestForm,
  RequestView,
};

/**
 * The escalation use cases for a human-approved Temporary Access Pass, one module each under
 * src/app/escalation/: file (the form and filing), decide (view, approve, deny, cancel, hand over,
 * list), issue (the pass, exactly once), sweep (expiry and recovery after a crash), outcome (each
 * audited step). Each takes the actor the Teams layer decided once from the authenticated activity
 * and asks the policy (src/escalation/policy.ts) on facts read at that moment.
 */
export class EscalationService {
  private readonly escalation: Escalation;

  constructor(dependencies: {
    requests: Requests;
    directory: EscalationDirectory;
    notifier: EscalationNotifier;
    settings: EscalationSettings;
    log: Logger;
    now?: () => Date;
    outcomes?: OutcomeNotices;
    callerVerification?: CallerVerificationPort;
  }) {
    this.escalation = { ...dependencies, now: dependencies.now ?? (() => new Date()), issuing: new Set() };
  }

  passSettings(): Promise<PassSettings | undefined> {
    return currentPassSettings(this.escalation);
  }

  startRequest(actor: Actor, query: UserQuery | { problem: string }) {
    return startRequest(this.escalation, actor, query);
  }

  file(actor: Actor, input: NewEscalation): Promise<FiledRequest | Refusal> {
    return file(this.escalation, actor, input);
  }

  view(actor: Actor, requestId: string): Promise<RequestView | Refusal> {
    return view(this.escalation, actor, requestId);
  }

  decide(
    actor: Actor,
    requestId: string,
    decision: 'approve' | 'deny',
    reason?: string,
    accepted?: UnverifiedApproval,
  ) {
    return decide(this.escalation, actor, requestId, decision, reason, accepted);
  }

  cancel(actor: Actor, requestId: string): Promise<RequestView | Refusal> {
    return cancelRequest(this.escalation, actor, requestId);
  }

  handOver(actor: Actor, requestId: string): Promise<EscalationRecord | Refusal> {
    return handOver(this.escalation, actor, requestId);
  }

  list(actor: Actor): Promise<EscalationRecord[] | Refusal> {
    return list(this.escalation, actor);
  }

  /** The request as it stands now (expired first if its time is up); undefined when this tenant has no such request. */
  current(tenantId: string, requestId: string): Promise<EscalationRecord | undefined> {
    return current(this.escalation, this.escalation.requests.keyOf(tenantId, requestId));
  }

  /** The tenant's newest requests first. */
  recent(tenantId: string, limit?: number): Promise<EscalationRecord[]> {
    return recent(this.escalation, tenantId, limit);
  }

  /** Every live card of the request shows it as it stands now (after a change made beside these use cases). */
  refreshLiveCards(record: EscalationRecord): Promise<void> {
    return refreshLiveCards(this.escalation, record);
  }

  sweep(): Promise<void> {
    return sweep(this.escalation);
  }

  /** The policy's facts about this actor for this request, read now (for use cases beside these, such as caller verification). */
  factsAbout(actor: Actor, record: EscalationRecord): Promise<ActorFacts> {
    return freshActorFacts(this.escalation, actor, record);
  }

  issueToVerifiedPerson(tenantId: string, requestId: string, deliver: (pass: PassToDeliver) => Promise<void>) {
    return issueToVerifiedPerson(this.escalation, tenantId, requestId, deliver);
  }
}
