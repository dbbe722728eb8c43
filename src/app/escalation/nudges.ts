import { type EscalationRecord, samePerson } from '../../escalation/state-machine.js';
import { approversFor, type Escalation } from './context.js';
import { askApprovers } from './file.js';
import { refreshLiveCards } from './outcome.js';

/** APPROVAL_REMIND_MINUTES and APPROVAL_WIDEN_MINUTES when the settings leave them out. */
export const DEFAULT_REMIND_MINUTES = 10;
export const DEFAULT_WIDEN_MINUTES = 20;

/**
 * Approvals that never stall: a request still waiting after `remindMinutes` reminds the approvers
 * who have it; after `widenMinutes` it also goes to every approver who has not had it yet (the
 * approver group's members who could not be reached when it was filed, and any added since).
 * Several instances sweep at once: each step is claimed in the store (create-if-absent), so the
 * store decides which instance does it, and it is done once. Called by the sweep for each
 * request still waiting for approval.
 */
export async function nudgeIfDue(escalation: Escalation, record: EscalationRecord): Promise<void> {
  if (record.state !== 'requested') return;
  const { settings, requests, notifier } = escalation;
  const now = escalation.now();
  const waitedMinutes = Math.floor((now.getTime() - Date.parse(record.createdAt)) / 60_000);
  let changed = false;
  if (
    waitedMinutes >= (settings.widenMinutes ?? DEFAULT_WIDEN_MINUTES) &&
    (await requests.claimNudge(record, 'widen', now))
  ) {
    await widen(escalation, record);
    changed = true;
  }
  if (
    waitedMinutes >= (settings.remindMinutes ?? DEFAULT_REMIND_MINUTES) &&
    (await requests.claimNudge(record, 'remind', now))
  ) {
    await notifier.remindApprovers(record, waitedMinutes);
    changed = true;
  }
  // The agent's card says how long it has waited and who has it now.
  if (changed) await refreshLiveCards(escalation, record);
}

/** The approval card to every approver, read fresh, who has not had it yet and is not the requester. */
async function widen(escalation: Escalation, record: EscalationRecord): Promise<void> {
  const asked = await escalation.notifier.askedApprovers(record);
  const fresh = (await approversFor(escalation, record.target.id)).filter(
    (approver) => !samePerson(approver, record.requester) && !asked.some((id) => samePerson(approver, { id })),
  );
  await askApprovers(escalation, record, fresh);
}
