import type { PassSettings, PassToDeliver } from '../../escalation/pass-settings.js';
import { isRefusal } from '../../escalation/refusal.js';
import {
  beginIssuing,
  type EscalationRecord,
  markFailed,
  markIssued,
  type Person,
  reopenForApprovals,
  samePerson,
} from '../../escalation/state-machine.js';
import { approversFor, assessTargetNow, type Escalation } from './context.js';
import { askApprovers } from './file.js';
import { current, finish, notifyRequester, transition } from './outcome.js';
import { deletePass, resolveUncertainIssue } from './uncertain-pass.js';

type Deliver = (record: EscalationRecord, pass: PassToDeliver) => Promise<void>;

/**
 * Exactly one pass per approved request: only the caller whose claim ('approved' -> 'issuing')
 * is written calls Graph. Returns the request as it ends up.
 */
export async function issue(
  escalation: Escalation,
  key: string,
  actor: Person,
  /** Where the pass goes; the requester's 1:1 chat when not given. */
  deliver?: Deliver,
): Promise<EscalationRecord | undefined> {
  if (escalation.issuing.has(key)) return undefined;
  escalation.issuing.add(key);
  try {
    const claim = await transition(escalation, key, actor, (record) => beginIssuing(record, escalation.now()));
    if (!claim?.changed) return claim?.record;
    return await issueClaimed(escalation, claim.record, actor, deliver);
  } finally {
    escalation.issuing.delete(key);
  }
}

async function issueClaimed(
  escalation: Escalation,
  record: EscalationRecord,
  actor: Person,
  deliverElsewhere: Deliver | undefined,
): Promise<EscalationRecord | undefined> {
  const { directory, log } = escalation;
  const key = escalation.requests.keyOf(record.tenantId, record.id);
  const fail = (reason: string) => finish(escalation, key, actor, (r) => markFailed(r, escalation.now(), reason));
  const deliver: Deliver = deliverElsewhere ?? ((r, pass) => escalation.notifier.deliverPass(r, pass));
  // Before a pass exists (a new one replaces any the target holds), the chat it goes to must take it;
  // a pass for the verified caller goes to their page, which is waiting for it.
  let unreachable: string | undefined;
  if (!deliverElsewhere) unreachable = await escalation.notifier.whyPassCannotReach(record);
  else if (!(await escalation.notifier.hasPersonalChat(record.tenantId, record.requester.id))) unreachable = '';
  if (unreachable !== undefined) {
    return fail(
      unreachable
        ? `${record.requester.name} cannot be shown the pass in Teams (${unreachable}), so no pass was created and any pass ${record.target.name} holds still works. File a new request once the app works for them again.`
        : `${record.requester.name} has no 1:1 chat with the app to show the pass in, so no pass was created. File a new request after opening the app.`,
    );
  }
  // Time of use: the facts the approval rested on are read again, fresh from Graph, right before the pass exists.
  let recheck: Awaited<ReturnType<typeof recheckBeforeIssuing>>;
  try {
    recheck = await recheckBeforeIssuing(escalation, record);
  } catch (error) {
    log.warn({ requestId: record.id, err: (error as Error).name }, 'could not re-read the facts before issuing');
    return fail(
      'I could not read the directory again just before creating the pass, so no pass was created. It is safe to file a new request.',
    );
  }
  if ('refusal' in recheck) return fail(recheck.refusal);
  if ('reopen' in recheck) return reopen(escalation, key, actor, recheck.reopen);
  const { settings } = recheck;

  const creation = await directory.createTemporaryAccessPass(record.target.id, settings);
  if ('uncertain' in creation) {
    log.warn({ requestId: record.id, status: creation.status, code: creation.code }, 'pass creation outcome unknown');
    return resolveUncertainIssue(escalation, record, actor, creation.uncertain);
  }
  if ('failed' in creation) {
    log.warn({ requestId: record.id }, 'pass creation failed');
    return fail(`The pass could not be created: ${creation.failed}. No pass was created.`);
  }
  const { created } = creation;

  // Graph creates a pass even when its policy would refuse it at sign-in, and says so in the answer.
  // https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethod
  if (created.isUsable === false) {
    const reason = created.methodUsabilityReason ?? 'no reason given';
    log.warn({ requestId: record.id, methodUsabilityReason: reason }, 'created pass is not usable');
    const deleted = await deletePass(escalation, record, created.id);
    return fail(
      `Microsoft Graph created the pass but says it cannot be used to sign in (${reason}${reason === 'DisabledByPolicy' ? ': the Temporary Access Pass policy no longer covers this person' : ''}), so it was ` +
        (deleted
          ? 'deleted and not handed over.'
          : 'not handed over; deleting it failed, so delete it in the Entra admin center.'),
    );
  }

  if (created.id) await escalation.requests.recordPassMethod(record, created.id, created.createdDateTime);
  const code = created.temporaryAccessPass;
  const startsAt = new Date(created.startDateTime ?? escalation.now()).toISOString();
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
    log.warn(
      { requestId: record.id, err: (error as Error).name, message: (error as Error).message },
      'pass could not be delivered',
    );
    const deleted = await deletePass(escalation, record, created.id);
    const why = error instanceof Error && error.name === 'ProactiveSendFailed' ? ` (${error.message})` : '';
    return fail(
      `The pass could not be shown to ${record.requester.name} in their 1:1 chat${why}, so it was ` +
        (deleted
          ? 'deleted again. It is safe to file a new request.'
          : 'created but not delivered, and deleting it failed: delete it in the Entra admin center.'),
    );
  }
  return finish(escalation, key, actor, (r) => markIssued(r, escalation.now(), expiresAt));
}

/**
 * What must still hold when the pass is created, read fresh: the requester is still on the helpdesk
 * (not the cached standing), and the target still qualifies under the TAP policy as it is now,
 * with the approvals their roles now require.
 */
async function recheckBeforeIssuing(
  escalation: Escalation,
  record: EscalationRecord,
): Promise<{ settings: PassSettings } | { refusal: string } | { reopen: string }> {
  const [standing, assessed] = await Promise.all([
    escalation.directory.standingNow(record.requester.id),
    assessTargetNow(escalation, record.target.id),
  ]);
  if (!standing.isHelpdeskAgent) {
    return {
      refusal:
        `${record.requester.name} is no longer a member of the helpdesk group, so no pass was created for them to hand over. ` +
        'Someone on the helpdesk can file a new request.',
    };
  }
  if (isRefusal(assessed))
    return {
      refusal: `Just before creating the pass I read the account again: ${assessed.message} No pass was created.`,
    };
  if (assessed.privileged && record.approvalsRequired < 2)
    return { reopen: `${record.target.name} now holds a directory role` };
  if (!assessed.passSettings)
    return {
      refusal:
        'The tenant’s Temporary Access Pass policy could not be read, so no pass was created. It is safe to file a new request.',
    };
  return { settings: assessed.passSettings };
}

/** Back to waiting, for the further approval the current facts require; the approvers who have not approved are asked again. */
async function reopen(
  escalation: Escalation,
  key: string,
  actor: Person,
  why: string,
): Promise<EscalationRecord | undefined> {
  const outcome = await transition(escalation, key, actor, (r) => reopenForApprovals(r, escalation.now(), 2, why));
  if (!outcome?.changed) return outcome?.record;
  const record = outcome.record;
  const approvers = (await approversFor(escalation, record.target.id)).filter(
    (a) => !samePerson(a, record.requester) && !record.approvals.some((approval) => samePerson(approval.approver, a)),
  );
  await askApprovers(escalation, record, approvers);
  return record;
}

/**
 * The pass for an approved request whose caller passed verification, created now and handed to
 * `deliver` (the caller's own page), never to the agent. Exactly once, like every issue.
 */
export async function issueToVerifiedPerson(
  escalation: Escalation,
  tenantId: string,
  requestId: string,
  deliver: (pass: PassToDeliver) => Promise<void>,
): Promise<EscalationRecord | undefined> {
  const key = escalation.requests.keyOf(tenantId, requestId);
  const record = await current(escalation, key);
  if (
    !record ||
    record.state !== 'approved' ||
    !(await escalation.callerVerification?.factsFor(record))?.directDelivery
  )
    return record;
  const caller = { id: record.target.id, name: `${record.target.name} (verified caller)` };
  const issued = await issue(escalation, key, caller, (_record, pass) => deliver(pass));
  if (issued?.state === 'issued') await notifyRequester(escalation, issued);
  return issued;
}
