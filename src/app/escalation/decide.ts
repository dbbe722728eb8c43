import { auditEntryFor } from '../../escalation/audit.js';
import {
  type Action,
  type ActorFacts,
  acceptanceNeeded,
  decide as mayActor,
  type UnverifiedApproval,
} from '../../escalation/policy.js';
import { isRefusal, NO_SUCH_REQUEST, type Refusal, refusal } from '../../escalation/refusal.js';
import { type Sentence, say } from '../../escalation/sentence.js';
import { approve, cancel, deny, type EscalationRecord, samePerson } from '../../escalation/state-machine.js';
import type { Actor } from '../actor.js';
import { actorFacts, currentPassSettings, type Escalation, freshActorFacts, type RequestView } from './context.js';
import { issue } from './issue.js';
import { audit, current, notifyRequester, transition } from './outcome.js';

const RECENT_LIMIT = 20;

/** A request as this person may see it now. */
export async function view(escalation: Escalation, actor: Actor, requestId: string): Promise<RequestView | Refusal> {
  const record = await current(escalation, escalation.requests.keyOf(actor.tenantId, requestId));
  if (!record) return NO_SUCH_REQUEST;
  const facts = await freshActorFacts(escalation, actor, record);
  const allowed = mayActor('view', facts, record);
  if (isRefusal(allowed)) return allowed;
  return viewFor(escalation, facts, record);
}

/** Approve or deny, on facts read now; the approval that completes a request issues its pass. */
export async function decide(
  escalation: Escalation,
  actor: Actor,
  requestId: string,
  decision: 'approve' | 'deny',
  reason?: string,
  /** The approver's second click on an unverified request: what they said they accept. */
  accepted?: UnverifiedApproval,
): Promise<RequestView | Refusal> {
  const key = escalation.requests.keyOf(actor.tenantId, requestId);
  const record = await current(escalation, key);
  if (!record) return NO_SUCH_REQUEST;
  const facts = await freshActorFacts(escalation, actor, record);
  const refused = await authorize(escalation, decision, actor, facts, record, accepted);
  if (refused) return refused;
  if (
    decision === 'approve' &&
    record.state === 'requested' &&
    !(await escalation.notifier.hasPersonalChat(actor.tenantId, record.requester.id))
  ) {
    return viewFor(escalation, facts, record, {
      notice: say(
        '${name} has no 1:1 chat with the SSAR Helpdesk app, so the pass could not be shown to them. Nothing was approved; ask them to open the app, then approve again.',
        { name: record.requester.name },
      ),
    });
  }
  const acceptedWords = decision === 'approve' ? await acceptedWordsFor(escalation, record, accepted) : undefined;
  const decider = {
    id: actor.id,
    name: actor.name,
    eligible: true,
    ...(acceptedWords ? { accepted: acceptedWords } : {}),
  };
  const outcome = await transition(escalation, key, actor, (r) =>
    decision === 'approve' ? approve(r, decider, escalation.now()) : deny(r, decider, escalation.now(), reason),
  );
  if (!outcome) return NO_SUCH_REQUEST;
  let decided = outcome.record;
  if (outcome.changed && decided.state === 'approved') {
    // Direct delivery: the pass is created when the verified caller's page asks for it, never for the agent.
    if ((await escalation.callerVerification?.factsFor(decided))?.directDelivery)
      await notifyRequester(escalation, decided);
    else decided = (await issue(escalation, key, actor)) ?? decided;
  } else if (outcome.changed && decided.state === 'denied') await notifyRequester(escalation, decided);
  return viewFor(escalation, facts, decided, outcome.refusal ? { notice: outcome.refusal.said } : {});
}

/** The requester withdraws their request. */
export async function cancelRequest(
  escalation: Escalation,
  actor: Actor,
  requestId: string,
): Promise<RequestView | Refusal> {
  const key = escalation.requests.keyOf(actor.tenantId, requestId);
  const record = await current(escalation, key);
  if (!record) return NO_SUCH_REQUEST;
  const facts = await freshActorFacts(escalation, actor, record);
  const refused = await authorize(escalation, 'cancel', actor, facts, record);
  if (refused) return refused;
  const outcome = await transition(escalation, key, actor, (r) => cancel(r, actor, escalation.now()));
  if (!outcome) return NO_SUCH_REQUEST;
  return viewFor(escalation, facts, outcome.record, outcome.refusal ? { notice: outcome.refusal.said } : {});
}

/** The agent has handed the pass over: only they may replace the card that showed it. */
export async function handOver(
  escalation: Escalation,
  actor: Actor,
  requestId: string,
): Promise<EscalationRecord | Refusal> {
  const record = await current(escalation, escalation.requests.keyOf(actor.tenantId, requestId));
  if (!record) return NO_SUCH_REQUEST;
  const allowed = mayActor('hand-over', actorFacts(actor, false), record);
  if (isRefusal(allowed)) return allowed;
  await escalation.outcomes?.handedOver(record, actor);
  return record;
}

/** The tenant's newest requests first, each as it stands now. */
export async function recent(
  escalation: Escalation,
  tenantId: string,
  limit = RECENT_LIMIT,
): Promise<EscalationRecord[]> {
  const newest = (await escalation.requests.ofTenant(tenantId))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, limit);
  return Promise.all(
    newest.map(
      async (record) => (await current(escalation, escalation.requests.keyOf(record.tenantId, record.id))) ?? record,
    ),
  );
}

/** The tenant's newest requests this person may see: the helpdesk and approvers see all, a manager those of their reports. */
export async function list(escalation: Escalation, actor: Actor): Promise<EscalationRecord[] | Refusal> {
  const records = await recent(escalation, actor.tenantId);
  if (actor.isHelpdeskAgent) return records;
  const approverGroup = await escalation.directory.approverGroupMembers();
  const inGroup = approverGroup.some((member) => samePerson(member, actor));
  // Read fresh, once per target: whether this person manages them.
  const targets = inGroup ? [] : [...new Set(records.map((record) => record.target.id.toLowerCase()))];
  const manages = new Map(
    await Promise.all(
      targets.map(
        async (id) =>
          [id, await escalation.directory.manager(id).then((m) => (m ? samePerson(m, actor) : false))] as const,
      ),
    ),
  );
  const visible = records.filter(
    (record) =>
      !isRefusal(
        mayActor('view', actorFacts(actor, inGroup || manages.get(record.target.id.toLowerCase()) === true), record),
      ),
  );
  if (visible.length === 0 && !inGroup && !actor.isApprover) {
    return refusal(
      'not-an-approver',
      say('The list of pass requests is for helpdesk agents, approvers and the managers of the people they are for.'),
      say('Only for the helpdesk and approvers'),
    );
  }
  return visible;
}

/**
 * Undefined when the policy allows the action; otherwise what to answer. Refusals are audited;
 * someone who may see the request gets it back with the reason as a notice, anyone else only
 * "no such request".
 */
async function authorize(
  escalation: Escalation,
  action: Action,
  actor: Actor,
  facts: ActorFacts,
  record: EscalationRecord,
  accepted?: UnverifiedApproval,
): Promise<RequestView | Refusal | undefined> {
  const verification = action === 'approve' ? await escalation.callerVerification?.factsFor(record) : undefined;
  const allowed = mayActor(action, facts, record, verification && { ...verification, accepted });
  if (!isRefusal(allowed)) return undefined;
  await audit(escalation, auditEntryFor(record, allowed, actor, escalation.now()));
  if (isRefusal(mayActor('view', facts, record))) return allowed;
  return viewFor(escalation, facts, record, { notice: allowed.said });
}

async function viewFor(
  escalation: Escalation,
  facts: ActorFacts,
  record: EscalationRecord,
  extra: { notice?: Sentence } = {},
): Promise<RequestView> {
  const verification = await escalation.callerVerification?.factsFor(record);
  const canDecide =
    record.state === 'requested' &&
    !isRefusal(mayActor('approve', facts, record)) &&
    !record.approvals.some((a) => samePerson(a.approver, facts));
  // Deny stays possible; Approve waits for caller verification when the policy requires it, and
  // without a pass under `optional` it is offered as a second click that says what is accepted.
  const canApprove =
    canDecide &&
    !isRefusal(
      mayActor('approve', facts, record, verification && { ...verification, accepted: acceptanceNeeded(verification) }),
    );
  return {
    record,
    canDecide,
    canApprove,
    ...(canDecide ? { passSettings: await currentPassSettings(escalation) } : {}),
    ...(verification ? { verification } : {}),
    ...extra,
  };
}

/** What an approval of an unverified request accepts, in the words the audit trail and the cards keep. */
async function acceptedWordsFor(
  escalation: Escalation,
  record: EscalationRecord,
  accepted: UnverifiedApproval | undefined,
): Promise<string | undefined> {
  if (!accepted) return undefined;
  const verification = await escalation.callerVerification?.factsFor(record);
  if (acceptanceNeeded(verification) !== accepted) return undefined;
  return accepted === 'failed'
    ? `a failed caller verification (${verification?.failure ?? 'the presentation failed'})`
    : 'a caller not verified with Verified ID and Face Check';
}
