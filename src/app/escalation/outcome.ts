import { type AuditEntry, auditEntryFor, SYSTEM_ACTOR } from '../../escalation/audit.js';
import type { Refusal } from '../../escalation/refusal.js';
import {
  type EscalationRecord,
  expireIfDue,
  isClosed,
  type Person,
  type Transition,
} from '../../escalation/state-machine.js';
import { correlationId, metric } from '../../telemetry/telemetry.js';
import { currentPassSettings, type Escalation } from './context.js';

export interface Outcome {
  record: EscalationRecord;
  /** Why the step did not apply, when the state machine refused it. */
  refusal?: Refusal;
  changed: boolean;
}

/**
 * One etag-checked step, audited, refusals included (a refused approval is worth a line in the
 * trail). A step that closes the request takes it out of the open set, frees its target and tells
 * everyone who hears about outcomes, once. Undefined when there is no such request.
 */
export async function transition(
  escalation: Escalation,
  key: string,
  actor: Person,
  step: (record: EscalationRecord) => Transition,
): Promise<Outcome | undefined> {
  const outcome = await escalation.requests.update(key, step);
  const now = escalation.now();
  switch (outcome.outcome) {
    case 'not-found':
      return undefined;
    case 'unchanged':
      return { record: outcome.current.value, changed: false };
    case 'refused':
      if (actor !== SYSTEM_ACTOR)
        await audit(escalation, auditEntryFor(outcome.current.value, outcome.refusal, actor, now));
      return { record: outcome.current.value, refusal: outcome.refusal, changed: false };
    case 'updated': {
      const record = outcome.after.value;
      await audit(escalation, auditEntryFor(outcome.before, record, actor, now));
      await refreshLiveCards(escalation, record);
      if (isClosed(record)) {
        // Left behind by a crash here, the sweep finds the record closed and removes the entry then.
        await escalation.requests
          .removeOpenEntry(key)
          .catch((error) =>
            escalation.log.warn({ requestKey: key, err: (error as Error).name }, 'could not close the open entry'),
          );
        // Only the one write that closed it gets here, on whichever instance: everyone is told once.
        await escalation.outcomes?.closed(record);
        await escalation.requests.releaseTarget(record);
      }
      return { record, changed: true };
    }
  }
}

/**
 * Every live card of the request replaced by the request as it stands now: after each change
 * here, and by whoever else changes what the cards show (caller verification started, passed or
 * failed). Never throws: a card that could not be replaced is logged.
 */
export async function refreshLiveCards(escalation: Escalation, record: EscalationRecord): Promise<void> {
  try {
    // "Issuing" lasts a moment, and so does "approved" unless the pass waits for the verified
    // caller: the cards move on when the pass is issued or the issue fails.
    if (record.state === 'issuing') return;
    const verification = await escalation.callerVerification?.factsFor(record);
    if (record.state === 'approved' && !verification?.directDelivery) return;
    const passSettings = record.state === 'requested' ? await currentPassSettings(escalation) : undefined;
    await escalation.notifier.refreshCards(record, { verification, passSettings, at: escalation.now() });
  } catch (error) {
    escalation.log.warn({ requestId: record.id, err: (error as Error).message }, 'live cards not refreshed');
  }
}

/** markIssued / markFailed, audited, and the requester told about a failure. */
export async function finish(
  escalation: Escalation,
  key: string,
  actor: Person,
  step: (record: EscalationRecord) => Transition,
): Promise<EscalationRecord | undefined> {
  const outcome = await transition(escalation, key, actor, step);
  if (outcome?.changed && outcome.record.state === 'failed') await notifyRequester(escalation, outcome.record);
  return outcome?.record;
}

/** The request as it stands now, expired first if its time is up (telling the requester); undefined when there is none. */
export async function current(escalation: Escalation, key: string): Promise<EscalationRecord | undefined> {
  const outcome = await transition(escalation, key, SYSTEM_ACTOR, (record) => expireIfDue(record, escalation.now()));
  if (outcome?.changed) await notifyRequester(escalation, outcome.record);
  return outcome?.record;
}

/** A denial, expiry or failure the requester did not see happen. Never throws. */
export async function notifyRequester(escalation: Escalation, record: EscalationRecord): Promise<void> {
  try {
    await escalation.notifier.notifyRequester(record);
  } catch (error) {
    escalation.log.warn({ requestId: record.id, err: (error as Error).name }, 'could not tell the requester');
  }
}

/** Every state change is audited here, so here it is also counted, with the turn's trace id to follow it back. */
export async function audit(escalation: Escalation, entry: AuditEntry): Promise<void> {
  const traceId = correlationId();
  await escalation.requests.appendAudit(traceId ? { ...entry, traceId } : entry);
  metric.escalationTransition(entry.action);
  if (entry.action === 'issued') metric.passIssued();
}
