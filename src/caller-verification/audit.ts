import type { Person } from '../escalation/state-machine.js';
import type { VerificationSession } from './session.js';

/** One line of the audit trail for a verification session: who did what, never a secret or a claim. */
export interface VerificationAudit {
  at: string;
  action: 'caller-verification';
  event: string;
  tenantId: string;
  requestId: string;
  /** The session's `ref`, never its link id. */
  session: string;
  actor: Person;
  target: Person;
  detail?: string;
}

/** The audit entry for one event of a session. Built field by field, so nothing else leaks in. */
export function verificationAuditEntry(
  session: VerificationSession,
  actor: Person,
  event: string,
  detail: string | undefined,
  now: Date,
): VerificationAudit {
  return {
    at: now.toISOString(),
    action: 'caller-verification',
    event,
    tenantId: session.tenantId,
    requestId: session.requestId,
    session: session.ref,
    actor: { id: actor.id, name: actor.name },
    target: { id: session.target.id, name: session.target.name },
    ...(detail ? { detail } : {}),
  };
}
