import { SYSTEM_ACTOR } from '../../escalation/audit.js';
import { type EscalationRecord, isClosed } from '../../escalation/state-machine.js';
import type { Escalation } from './context.js';
import { issue } from './issue.js';
import { nudgeIfDue } from './nudges.js';
import { current } from './outcome.js';
import { resolveUncertainIssue } from './uncertain-pass.js';

/** A claim older than this with nobody working on it was left behind by a crash or an unanswered Graph call. */
export const STUCK_ISSUING_MS = 2 * 60_000;

/**
 * Expires what is due, reminds and widens requests that wait (src/app/escalation/nudges.ts), issues requests left 'approved' (a crash between approval and issuing) and
 * resolves claims stuck in 'issuing'. Reads only the open requests. Safe to run anywhere at any
 * time: every step is a claim.
 */
export async function sweep(escalation: Escalation): Promise<void> {
  for (const key of await escalation.requests.openKeys(escalation.now())) {
    try {
      const record = await current(escalation, key);
      if (!record || isClosed(record)) {
        // Left behind by a crash between closing the request and tidying up after it.
        await escalation.requests.removeOpenEntry(key);
        if (record) await escalation.requests.releaseTarget(record);
      }
      // A pass for the verified caller is created only when their page asks for it.
      else if (record.state === 'approved' && !(await escalation.callerVerification?.factsFor(record))?.directDelivery)
        await issue(escalation, key, SYSTEM_ACTOR);
      else if (record.state === 'requested') await nudgeIfDue(escalation, record);
      else if (record.state === 'issuing' && !escalation.issuing.has(key) && isAbandoned(escalation, record)) {
        await resolveUncertainIssue(
          escalation,
          record,
          SYSTEM_ACTOR,
          'The bot stopped while the pass was being issued.',
        );
      }
    } catch (error) {
      escalation.log.warn(
        { requestKey: key, err: (error as Error).name, message: (error as Error).message },
        'escalation sweep step failed',
      );
    }
  }
}

/**
 * A claim in 'issuing' nobody works on. With a store this process has to itself (the embedded
 * store's lock), every claim not in flight here was left by a process that stopped: resolved at
 * the first sweep after a restart. With a shared store another instance may still be at it, so
 * only a claim older than STUCK_ISSUING_MS counts.
 */
function isAbandoned(escalation: Escalation, record: EscalationRecord): boolean {
  return (
    escalation.settings.exclusiveStore === true ||
    escalation.now().getTime() - Date.parse(record.updatedAt) > STUCK_ISSUING_MS
  );
}
