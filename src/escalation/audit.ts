import { isRefusal, type Refusal } from './refusal.js';
import type { EscalationRecord, Person, VerificationMethod } from './state-machine.js';

export type AuditAction =
  | 'requested'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'cancelled'
  | 'issuing'
  | 'issued'
  | 'failed'
  | 'reopened'
  | 'refused';

/** One line of the audit trail. Built field by field from the record, so nothing else leaks in. */
export interface AuditEntry {
  at: string;
  requestId: string;
  tenantId: string;
  action: AuditAction;
  actor: Person;
  target: Person;
  reason?: string;
  verificationMethod?: VerificationMethod;
  detail?: string;
}

/** The actor for changes nobody clicked, such as expiry. */
export const SYSTEM_ACTOR: Person = { id: 'system', name: 'ssar-helpdesk' };

/**
 * The audit entry for one step: `before` is undefined for a new request; `after` is the record the
 * transition returned, or its refusal. Throws when nothing changed, since that is not an event.
 */
export function auditEntryFor(before: undefined, after: EscalationRecord, actor: Person, now: Date): AuditEntry;
export function auditEntryFor(
  before: EscalationRecord,
  after: EscalationRecord | Refusal,
  actor: Person,
  now: Date,
): AuditEntry;
export function auditEntryFor(
  before: EscalationRecord | undefined,
  after: EscalationRecord | Refusal,
  actor: Person,
  now: Date,
): AuditEntry {
  const record = isRefusal(after) ? before : after;
  if (record === undefined) throw new Error('A refused new request has no record to audit.');
  const base = {
    at: now.toISOString(),
    requestId: record.id,
    tenantId: record.tenantId,
    actor: { id: actor.id, name: actor.name },
    target: { id: record.target.id, name: record.target.name },
  };

  if (isRefusal(after)) {
    return { ...base, action: 'refused', detail: `${after.code}: ${after.message}` };
  }
  if (before === undefined) {
    const { method, detail } = after.verification;
    return {
      ...base,
      action: 'requested',
      reason: after.reason,
      verificationMethod: method,
      ...(detail === undefined ? {} : { detail }),
    };
  }
  if (after.approvals.length > before.approvals.length) {
    const accepted = after.approvals.at(-1)?.accepted;
    return {
      ...base,
      action: 'approved',
      detail: `${after.approvals.length} of ${after.approvalsRequired} approvals${accepted ? `; accepted ${accepted}` : ''}`,
    };
  }
  if (before.state === 'issuing' && after.state === 'requested') {
    return {
      ...base,
      action: 'reopened',
      detail: `needs ${after.approvalsRequired} approvals: ${after.reopenedBecause ?? 'the facts changed'}`,
    };
  }
  if (after.state === before.state)
    throw new Error(`Request ${after.id} did not change, so there is nothing to audit.`);

  switch (after.state) {
    case 'denied':
      return { ...base, action: 'denied', ...(after.denialReason === undefined ? {} : { reason: after.denialReason }) };
    case 'failed':
      return { ...base, action: 'failed', ...(after.failure === undefined ? {} : { reason: after.failure }) };
    case 'issued':
      return {
        ...base,
        action: 'issued',
        ...(after.tapExpiresAt === undefined ? {} : { detail: `pass valid until ${after.tapExpiresAt}` }),
      };
    case 'expired':
    case 'cancelled':
    case 'issuing':
      return { ...base, action: after.state };
    case 'requested':
    case 'approved':
      throw new Error(`Request ${after.id} moved to '${after.state}' without a new approval.`);
  }
}
