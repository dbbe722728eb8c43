import { randomUUID } from 'node:crypto';
import { auditEntryFor } from '../../escalation/audit.js';
import { decide as mayActor } from '../../escalation/policy.js';
import { headed, isRefusal, type Refusal, refusal } from '../../escalation/refusal.js';
import { asIs, say } from '../../escalation/sentence.js';
import {
  createRequest,
  type EscalationRecord,
  isClosed,
  type Person,
  samePerson,
} from '../../escalation/state-machine.js';
import type { Actor } from '../actor.js';
import type { UserQuery } from '../ports.js';
import {
  actorFacts,
  approversFor,
  assessTargetNow,
  currentPassSettings,
  type Escalation,
  type FiledRequest,
  type NewEscalation,
  noPersonalChat,
  type RequestForm,
  type UnreachablePerson,
} from './context.js';
import { audit, current } from './outcome.js';

/** A target claim younger than this whose request is not stored yet belongs to a filing still under way. */
const FILING_IN_FLIGHT_MS = 30_000;

/**
 * The form for a new request: whether this actor may ask for a pass for this person, and what the
 * approver will see. A name that matches several people returns them to choose from.
 */
export async function startRequest(
  escalation: Escalation,
  actor: Actor,
  query: UserQuery | { problem: string },
): Promise<
  RequestForm | { several: Awaited<ReturnType<Escalation['directory']['findUsers']>> } | { unclear: string } | Refusal
> {
  const allowed = mayActor('file', actorFacts(actor, false), {
    tenantId: actor.tenantId,
    target: { id: 'kind' in query && query.kind === 'id' ? query.id : '' },
  });
  if (isRefusal(allowed)) return allowed;
  if ('problem' in query) return { unclear: query.problem };
  const users = await escalation.directory.findUsers(query);
  const [only, ...others] = users;
  if (!only)
    return refusal(
      'no-such-user',
      say('I found nobody matching that. Use their email address.'),
      say('No such user in this tenant'),
    );
  if (others.length > 0) return { several: users };
  const assessed = await mayFileFor(escalation, actor, only.id);
  if (isRefusal(assessed)) return assessed;
  return { ...assessed, passSettings: await currentPassSettings(escalation) };
}

/** Files a request: checked, claimed for its target, counted against the rate limits, stored, audited, and sent to the approvers. */
export async function file(
  escalation: Escalation,
  actor: Actor,
  input: NewEscalation,
): Promise<FiledRequest | Refusal> {
  const assessed = await mayFileFor(escalation, actor, input.targetId);
  if (isRefusal(assessed)) return assessed;
  const { target: user } = assessed;
  if (!(await escalation.notifier.hasPersonalChat(actor.tenantId, actor.id))) return noPersonalChat();
  const approvers = (await approversFor(escalation, user.id)).filter((a) => !samePerson(a, actor));
  if (approvers.length === 0) {
    return refusal(
      'no-approver',
      say('${name} has no manager and the approver group is empty, so nobody could approve a pass.', {
        name: user.displayName,
      }),
      say('Nobody can approve this'),
    );
  }
  if (approvers.length < (assessed.privileged ? 2 : 1)) {
    return refusal(
      'not-enough-deciders',
      say(
        '${name} holds a directory role, so two different people must approve, but only ${who} can decide on a request for them (their manager and the approver group, other than you). Add someone to the approver group first; nothing was filed.',
        { name: user.displayName, who: approvers.map((a) => asIs(a.name)) },
      ),
      say('Not enough approvers'),
    );
  }

  const now = escalation.now();
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
    escalation.settings,
  );
  if (isRefusal(created)) return headed(created, say('The request was not filed'));
  const claim = await claimTarget(
    escalation,
    created,
    input.formId ? escalation.requests.formKeyOf(actor.id, input.formId) : undefined,
  );
  if (claim !== 'claimed') return claim;
  const limited = await escalation.requests.reserveFiling(created, now, escalation.settings);
  if (limited) {
    await escalation.requests.releaseTarget(created);
    return limited;
  }
  await store(escalation, created, requester, now);

  const { notified, unreachable } = await askApprovers(escalation, created, approvers);
  const verification = await escalation.callerVerification?.factsFor(created);
  return { record: created, canDecide: false, notified, unreachable, ...(verification ? { verification } : {}) };
}

/** Stored with its open entry and its first audit line, or not at all: a request nobody can see in the trail must not exist. */
async function store(escalation: Escalation, record: EscalationRecord, requester: Person, now: Date): Promise<void> {
  const { requests } = escalation;
  const giveBack = () => Promise.all([requests.releaseFiling(record), requests.releaseTarget(record)]);
  const etag = await requests.create(record).catch(async (error) => {
    await giveBack();
    throw error;
  });
  try {
    await requests.addOpenEntry(record);
    await audit(escalation, auditEntryFor(undefined, record, requester, now));
  } catch (error) {
    await requests.takeBack(record, etag);
    await giveBack();
    throw error;
  }
}

/**
 * Sends the approval card to each approver who has a 1:1 chat with the app, or gets one because the
 * app could be installed for them; the others are unreachable, with why installing failed.
 */
export async function askApprovers(
  escalation: Escalation,
  record: EscalationRecord,
  approvers: Person[],
): Promise<{ notified: Person[]; unreachable: UnreachablePerson[] }> {
  const passSettings = await currentPassSettings(escalation);
  const notified: Person[] = [];
  const unreachable: UnreachablePerson[] = [];
  for (const approver of approvers) {
    const notInstalled = await escalation.notifier.reachPersonalChat(record.tenantId, approver.id);
    if (notInstalled === undefined) {
      try {
        await escalation.notifier.askApprover(record, approver, passSettings);
        notified.push(approver);
        continue;
      } catch (error) {
        escalation.log.warn(
          { requestId: record.id, approverId: approver.id, err: (error as Error).name },
          'approval card not delivered',
        );
      }
    }
    unreachable.push(notInstalled ? { ...approver, notInstalled } : approver);
  }
  return { notified, unreachable };
}

/**
 * One open request per target, claimed with a create-if-absent document so two instances cannot
 * both file. The same form sent again (same agent, target and card) gets the request it filed;
 * another request while one is open is refused, showing the open one.
 */
async function claimTarget(
  escalation: Escalation,
  record: EscalationRecord,
  formKey: string | undefined,
): Promise<'claimed' | FiledRequest | Refusal> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const claim = await escalation.requests.claimTarget(record, formKey);
    if (claim === 'claimed') return claim;
    if (!claim) continue;
    const open = await current(escalation, escalation.requests.keyOf(record.tenantId, claim.value.requestId));
    if (!open && escalation.now().getTime() - Date.parse(claim.value.at) < FILING_IN_FLIGHT_MS) {
      return refusal(
        'already-open',
        say('A request for ${name} is being filed right now; open it with "requests" in a moment.', {
          name: record.target.name,
        }),
        say('Already being filed'),
      );
    }
    if (!open || isClosed(open)) {
      // Left behind by a crash after the request closed: clear it and claim again.
      await escalation.requests.clearClaim(record, claim);
      continue;
    }
    const sameForm = formKey !== undefined && claim.value.formKey === formKey;
    return {
      record: open,
      canDecide: false,
      notified: [],
      unreachable: [],
      notice: sameForm
        ? say(
            'This form was already sent: this is the request it filed. Nothing new was filed and no approver was asked twice.',
          )
        : say(
            'A request for ${name} is already open, so no second one was filed. This is the open one: cancel it first to file a new one.',
            { name: open.target.name },
          ),
    };
  }
  throw new Error(`Could not claim the target of request ${record.id}`);
}

/** Whether this actor may file for this person, then the person as the directory has them now: the form and the filing ask alike. */
async function mayFileFor(escalation: Escalation, actor: Actor, targetId: string) {
  const allowed = mayActor('file', actorFacts(actor, false), { tenantId: actor.tenantId, target: { id: targetId } });
  if (isRefusal(allowed)) return allowed;
  return assessTargetNow(escalation, targetId);
}
