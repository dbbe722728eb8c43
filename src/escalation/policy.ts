import { samePerson } from './person.js';
import { NO_SUCH_REQUEST, type Refusal, refusal } from './refusal.js';
import { say } from './sentence.js';
import type { EscalationRecord } from './state-machine.js';

/**
 * Who may do what to which request: pure, no I/O, the one place these rules live (the state
 * machine keeps its invariants with the same rules, from here). Use cases gather the facts (fresh
 * from the directory at the moment of the decision) and ask here first.
 */
export type Action = 'file' | 'view' | 'approve' | 'deny' | 'cancel' | 'hand-over' | 'verify-caller';

export interface ActorFacts {
  id: string;
  tenantId: string;
  /** Member of the helpdesk group (transitive). */
  isHelpdeskAgent: boolean;
  /**
   * The target's manager or a member of the approver group, read when the decision is made. The one
   * answer to "is this person an approver for this request", for view and decide alike.
   */
  isApproverForTarget: boolean;
}

/** A request being filed has no record yet: only its tenant and target. */
export type Subject = EscalationRecord | { tenantId: string; target: { id: string } };

export type Decision = { allowed: true } | Refusal;

/** Caller verification (issue 19) as it stands for one request, read when the decision is made. */
export interface CallerVerificationFacts {
  /** The configured policy asks for a passed verification before this request may be approved. */
  required: boolean;
  passed: boolean;
  /** Caller verification is on (`optional` or stricter): without a pass, approving is a choice the approver states. */
  offered?: boolean;
  /** The newest attempt ended without a pass. */
  failed?: boolean;
  /** What the approver's click said they accept (the second click on an unverified request). */
  accepted?: UnverifiedApproval;
}

/** Approving without a passed verification: before any attempt passed, or after one failed. */
export type UnverifiedApproval = 'not-verified' | 'failed';

/** Which acceptance an approval needs now: none when verification passed, is off, or is required (then no approval at all). */
export function acceptanceNeeded(verification: CallerVerificationFacts | undefined): UnverifiedApproval | undefined {
  if (!verification?.offered || verification.required || verification.passed) return undefined;
  return verification.failed ? 'failed' : 'not-verified';
}

const ALLOWED: Decision = { allowed: true };
const isRecord = (subject: Subject): subject is EscalationRecord => 'requester' in subject;

export function decide(
  action: Action,
  actor: ActorFacts,
  subject: Subject,
  verification?: CallerVerificationFacts,
): Decision {
  if (actor.tenantId !== subject.tenantId)
    return action === 'file'
      ? refusal('not-found', say('That person is not in your organisation.'), say('No such user in this tenant'))
      : NO_SUCH_REQUEST;
  const isTarget = samePerson(actor, subject.target);

  if (action === 'file' || !isRecord(subject)) {
    if (!actor.isHelpdeskAgent) {
      return refusal(
        'not-helpdesk',
        say('Temporary Access Passes are requested by helpdesk agents. Ask the helpdesk if someone cannot sign in.'),
        say('Only the helpdesk can request a pass'),
      );
    }
    if (isTarget) return refuseOwnAccount();
    return ALLOWED;
  }

  const isRequester = samePerson(actor, subject.requester);
  // The target is told only that they cannot decide on their own pass: nothing of the request itself.
  if (isTarget && (action === 'approve' || action === 'deny')) return refuseDecider(subject, actor, false) ?? ALLOWED;
  const maySee = !isTarget && (actor.isHelpdeskAgent || isRequester || actor.isApproverForTarget);
  if (!maySee) return NO_SUCH_REQUEST;

  switch (action) {
    case 'view':
      return ALLOWED;
    case 'approve':
    case 'deny': {
      const notAllowed = refuseDecider(subject, actor, actor.isApproverForTarget);
      if (notAllowed) return notAllowed;
      if (action === 'approve' && verification?.required && !verification.passed)
        return callerNotVerified(subject.target.name);
      if (action === 'approve') {
        const needed = acceptanceNeeded(verification);
        if (needed && verification?.accepted !== needed) return acceptanceMissing(subject.target.name, needed);
      }
      return ALLOWED;
    }
    case 'cancel':
      return refuseCanceller(subject, actor) ?? ALLOWED;
    case 'hand-over':
      return isRequester ? ALLOWED : NO_SUCH_REQUEST;
    case 'verify-caller':
      return actor.isHelpdeskAgent
        ? ALLOWED
        : refusal(
            'not-helpdesk',
            say('Callers are verified by helpdesk agents.'),
            say('Only the helpdesk can verify a caller'),
          );
  }
}

/** Why Approve is not offered yet: the approver reads this on the card. */
export const callerNotVerified = (targetName: string) =>
  refusal(
    'caller-not-verified',
    say(
      'The caller has not yet proved with Verified ID and Face Check that they are ${name}, and this helpdesk requires it before a pass. The agent starts it with "Verify with Face Check".',
      { name: targetName },
    ),
    say('Caller verification required'),
  );

/** Nobody asks for a pass for their own account. */
export const refuseOwnAccount = (): Refusal =>
  refusal(
    'requester-is-target',
    say('You cannot request a Temporary Access Pass for your own account.'),
    say('No pass for this person'),
  );

/** Who may approve or deny: never the target, never the requester, only the target's manager or an approver. */
export function refuseDecider(
  record: EscalationRecord,
  decider: { id: string },
  isApproverForTarget: boolean,
): Refusal | undefined {
  if (samePerson(decider, record.target))
    return refusal(
      'self-approval',
      say('You cannot decide on a Temporary Access Pass for your own account.'),
      say('You cannot decide on this request'),
    );
  if (samePerson(decider, record.requester))
    return refusal('requester-cannot-approve', say('You filed this request, so someone else has to decide on it.'));
  if (!isApproverForTarget)
    return refusal(
      'not-an-approver',
      say('Only ${name}’s manager or a member of the approver group can decide on this request.', {
        name: record.target.name,
      }),
    );
  return undefined;
}

/** Only the requester cancels their request. */
export function refuseCanceller(record: EscalationRecord, person: { id: string }): Refusal | undefined {
  return samePerson(person, record.requester)
    ? undefined
    : refusal(
        'not-requester',
        say('Only ${name}, who filed this request, can cancel it.', { name: record.requester.name }),
      );
}

/** An approval of an unverified request that did not say it accepts that, or accepted an older state. */
export const acceptanceMissing = (targetName: string, needed: UnverifiedApproval) =>
  refusal(
    'unverified-not-accepted',
    needed === 'failed'
      ? say(
          'Caller verification for ${name} failed. Nothing was approved: to approve anyway, open "Approve…" and confirm that you accept the failed verification.',
          { name: targetName },
        )
      : say(
          'The caller has not proved with Verified ID and Face Check that they are ${name}. Nothing was approved: to approve anyway, open "Approve…" and confirm that you accept that.',
          { name: targetName },
        ),
    say('Confirm what you accept'),
  );
