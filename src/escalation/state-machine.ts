/**
 * The life of one request for a human-approved Temporary Access Pass (TAP).
 *
 * Pure: no I/O and no clock. Callers pass `now` in, persist the record they get back (with an
 * etag check), and decide approver eligibility themselves (src/escalation/policy.ts, on facts read fresh).
 * The record deliberately has no field for the pass itself: the code is shown once and never kept.
 */

import { type Person, samePerson } from './person.js';
import { refuseCanceller, refuseDecider, refuseOwnAccount } from './policy.js';
import { type Refusal, type RefusalCode, refusal } from './refusal.js';
import { type Sentence, say } from './sentence.js';
import { stateSentence } from './status.js';

export type EscalationState =
  | 'requested'
  | 'approved'
  | 'issuing'
  | 'issued'
  | 'denied'
  | 'expired'
  | 'cancelled'
  | 'failed';

export type VerificationMethod = 'video-call-with-id' | 'in-person' | 'manager-vouched-on-call' | 'other';

export { type Person, samePerson };

export interface Approval {
  approver: Person;
  at: string;
  /** What the approver said they accept by approving (a caller who was not verified), in words. */
  accepted?: string;
}

export interface EscalationRecord {
  id: string;
  tenantId: string;
  state: EscalationState;
  requester: Person;
  target: Person & { userPrincipalName: string };
  reason: string;
  verification: { method: VerificationMethod; detail?: string };
  /** The target holds a directory role, so the request needs two approvers. */
  privileged: boolean;
  approvalsRequired: 1 | 2;
  approvals: Approval[];
  deniedBy?: Person;
  denialReason?: string;
  createdAt: string;
  expiresAt: string;
  /** For terminal states this is when the request closed. */
  updatedAt: string;
  issuedAt?: string;
  tapExpiresAt?: string;
  failure?: string;
  /** Why the request went back for another approval after it was approved (the facts changed). */
  reopenedBecause?: string;
  /** Links the request to the diagnosis that preceded it. */
  correlationId?: string;
  /** The requester's 1:1 conversation, the only place the pass may be shown. */
  requesterConversation?: string;
}

export type Transition = EscalationRecord | Refusal;

export interface EscalationPolicy {
  /** Without this, requests for holders of directory roles are refused outright. */
  allowPrivilegedWithTwoApprovers: boolean;
  /** How long a request waits for approval and issuing; default 60. */
  requestTtlMinutes?: number;
}

export interface NewRequest {
  id: string;
  tenantId: string;
  requester: Person;
  target: Person & { userPrincipalName: string };
  reason: string;
  verification: { method: VerificationMethod; detail?: string };
  privileged: boolean;
  correlationId?: string;
  requesterConversation?: string;
}

const CLOSED: ReadonlySet<EscalationState> = new Set(['issued', 'denied', 'expired', 'cancelled', 'failed']);

/** Nothing more can happen to a closed request. */
export const isClosed = (record: EscalationRecord): boolean => CLOSED.has(record.state);

export const MAX_TEXT_LENGTH = 500;
export const DEFAULT_REQUEST_TTL_MINUTES = 60;

const refuse = (code: RefusalCode, message: Sentence): Refusal => refusal(code, message);

const hasIdentity = (person: Person): boolean => person.id.trim() !== '';

export function createRequest(input: NewRequest, now: Date, policy: EscalationPolicy): Transition {
  if (!hasIdentity(input.requester) || !hasIdentity(input.target)) {
    return refuse(
      'missing-identity',
      say('The request must name the requester and the target by their Entra object ids.'),
    );
  }
  if (samePerson(input.requester, input.target)) return refuseOwnAccount();
  const reason = input.reason.trim();
  if (reason === '') {
    return refuse('reason-missing', say('Say why the person needs a Temporary Access Pass.'));
  }
  if (reason.length > MAX_TEXT_LENGTH) {
    return refuse(
      'reason-too-long',
      say('Keep the reason to ${max} characters or fewer (it has ${length}).', {
        max: String(MAX_TEXT_LENGTH),
        length: String(reason.length),
      }),
    );
  }
  const detail = input.verification.detail?.trim() || undefined;
  if (input.verification.method === 'other' && detail === undefined) {
    return refuse(
      'verification-detail-missing',
      say('Describe how you verified the person when the method is "other".'),
    );
  }
  if (detail !== undefined && detail.length > MAX_TEXT_LENGTH) {
    return refuse(
      'reason-too-long',
      say('Keep the verification detail to ${max} characters or fewer.', { max: String(MAX_TEXT_LENGTH) }),
    );
  }
  const privileged = refusePrivileged(input.target.name, input.privileged, policy);
  if (privileged) return privileged;

  const ttlMinutes = policy.requestTtlMinutes ?? DEFAULT_REQUEST_TTL_MINUTES;
  const created = now.toISOString();
  return {
    id: input.id,
    tenantId: input.tenantId,
    state: 'requested',
    requester: input.requester,
    target: input.target,
    reason,
    verification:
      detail === undefined ? { method: input.verification.method } : { method: input.verification.method, detail },
    privileged: input.privileged,
    approvalsRequired: input.privileged ? 2 : 1,
    approvals: [],
    createdAt: created,
    expiresAt: new Date(now.getTime() + ttlMinutes * 60_000).toISOString(),
    updatedAt: created,
    ...(input.correlationId === undefined ? {} : { correlationId: input.correlationId }),
    ...(input.requesterConversation === undefined ? {} : { requesterConversation: input.requesterConversation }),
  };
}

/** Holders of directory roles: refused unless the policy allows them with two approvers. */
export function refusePrivileged(
  targetName: string,
  privileged: boolean,
  policy: EscalationPolicy,
): Refusal | undefined {
  if (!privileged || policy.allowPrivilegedWithTwoApprovers) return undefined;
  return refuse(
    'privileged-target',
    say(
      '${name} holds a directory role (directly, through a group, or eligible to activate it in PIM). Passes for administrators are not issued through this bot; use your organisation’s process for privileged accounts.',
      { name: targetName },
    ),
  );
}

const isOverdue = (record: EscalationRecord, now: Date): boolean =>
  (record.state === 'requested' || record.state === 'approved') && now.getTime() >= Date.parse(record.expiresAt);

/** Why an action cannot apply to the request as it stands, telling the person what already happened. */
function refuseForState(record: EscalationRecord, now: Date): Refusal {
  if (record.state === 'expired' || isOverdue(record, now)) {
    return refuse(
      'expired',
      say('This request expired at ${at}. File a new request if ${name} still needs a pass.', {
        at: { at: record.expiresAt },
        name: record.target.name,
      }),
    );
  }
  return refuse('already-decided', say('This request was already handled. ${state}', { state: stateSentence(record) }));
}

/** Requester, target and approver must be three different people, and the approver must be eligible (the policy's rule). */
function checkDecider(record: EscalationRecord, approver: Person & { eligible: boolean }): Refusal | undefined {
  if (!hasIdentity(approver)) {
    return refuse('missing-identity', say('Teams did not say who you are, so your decision cannot be recorded.'));
  }
  return refuseDecider(record, approver, approver.eligible);
}

export function approve(
  record: EscalationRecord,
  approver: Person & { eligible: boolean; accepted?: string },
  now: Date,
): Transition {
  if (record.state !== 'requested' || isOverdue(record, now)) return refuseForState(record, now);
  const notAllowed = checkDecider(record, approver);
  if (notAllowed) return notAllowed;
  const earlier = record.approvals.find((approval) => samePerson(approval.approver, approver));
  if (earlier) {
    return refuse(
      'already-approved-by-you',
      say('You already approved this request at ${at}; it needs a second, different approver.', {
        at: { at: earlier.at },
      }),
    );
  }

  const at = now.toISOString();
  const approvals = [
    ...record.approvals,
    {
      approver: { id: approver.id, name: approver.name },
      at,
      ...(approver.accepted ? { accepted: approver.accepted } : {}),
    },
  ];
  return {
    ...record,
    approvals,
    state: approvals.length >= record.approvalsRequired ? 'approved' : 'requested',
    updatedAt: at,
  };
}

export function deny(
  record: EscalationRecord,
  approver: Person & { eligible: boolean },
  now: Date,
  reason?: string,
): Transition {
  if (record.state !== 'requested' || isOverdue(record, now)) return refuseForState(record, now);
  const notAllowed = checkDecider(record, approver);
  if (notAllowed) return notAllowed;
  const denialReason = reason?.trim() || undefined;
  // The agent reads it to decide what to do next: a denial without one leaves them guessing.
  if (denialReason === undefined)
    return refuse(
      'denial-reason-missing',
      say('Say why you deny it: the agent reads your reason to decide what to do next.'),
    );
  if (denialReason.length > MAX_TEXT_LENGTH) {
    return refuse(
      'reason-too-long',
      say('Keep the reason to ${max} characters or fewer.', { max: String(MAX_TEXT_LENGTH) }),
    );
  }
  return {
    ...record,
    state: 'denied',
    deniedBy: { id: approver.id, name: approver.name },
    denialReason,
    updatedAt: now.toISOString(),
  };
}

export function cancel(record: EscalationRecord, byRequester: Person, now: Date): Transition {
  const notAllowed = refuseCanceller(record, byRequester);
  if (notAllowed) return notAllowed;
  if ((record.state !== 'requested' && record.state !== 'approved') || isOverdue(record, now)) {
    return refuseForState(record, now);
  }
  return { ...record, state: 'cancelled', updatedAt: now.toISOString() };
}

/** Returns the same record object when nothing is due, so callers can skip the write. */
export function expireIfDue(record: EscalationRecord, now: Date): EscalationRecord {
  if (!isOverdue(record, now)) return record;
  return { ...record, state: 'expired', updatedAt: now.toISOString() };
}

/**
 * Claims the approved request for issuing. Persisted with an etag check, this claim is what makes
 * exactly one pass possible: a second claim finds 'issuing' and is refused.
 */
export function beginIssuing(record: EscalationRecord, now: Date): Transition {
  if (record.state === 'requested' && !isOverdue(record, now)) {
    const have = record.approvals.length;
    return refuse(
      'not-approved-yet',
      say('This request has ${have} of ${required} approvals, so no pass can be issued yet.', {
        have: String(have),
        required: String(record.approvalsRequired),
      }),
    );
  }
  if (record.state !== 'approved' || isOverdue(record, now)) return refuseForState(record, now);
  return { ...record, state: 'issuing', updatedAt: now.toISOString() };
}

export function markIssued(record: EscalationRecord, now: Date, tapExpiresAt: string | Date): Transition {
  if (record.state !== 'issuing') return refuseNotIssuing(record);
  const at = now.toISOString();
  return {
    ...record,
    state: 'issued',
    issuedAt: at,
    tapExpiresAt: new Date(tapExpiresAt).toISOString(),
    updatedAt: at,
  };
}

/**
 * The facts read just before issuing need more approvals than the request has (the target now holds
 * a directory role): back to 'requested' with the new count, saying why. Only from 'issuing', so only
 * the holder of the claim can do it.
 */
export function reopenForApprovals(record: EscalationRecord, now: Date, approvalsRequired: 2, why: string): Transition {
  if (record.state !== 'issuing') return refuseNotIssuing(record);
  const reopenedBecause = why.trim().slice(0, MAX_TEXT_LENGTH);
  return {
    ...record,
    state: 'requested',
    privileged: true,
    approvalsRequired,
    reopenedBecause,
    updatedAt: now.toISOString(),
  };
}

/** `reason` is shown to people and kept in the audit trail: never put a pass in it. */
export function markFailed(record: EscalationRecord, now: Date, reason: string): Transition {
  if (record.state !== 'issuing') return refuseNotIssuing(record);
  const failure = reason.trim().slice(0, MAX_TEXT_LENGTH) || 'No reason was given.';
  return { ...record, state: 'failed', failure, updatedAt: now.toISOString() };
}

function refuseNotIssuing(record: EscalationRecord): Refusal {
  return refuse(
    'not-issuing',
    say('No pass is being issued for this request. ${state}', { state: stateSentence(record) }),
  );
}
