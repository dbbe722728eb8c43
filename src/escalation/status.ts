import { type Sentence, say, spoken } from './sentence.js';
import type { Approval, EscalationRecord } from './state-machine.js';

/** "Adele Vance at 10:32": someone and the moment they acted, on the reader's clock. */
export const whoAndWhen = (name: string, at: string): Sentence => say('${name} at ${time}', { name, time: { at } });

/** Who approved and when, one sentence each, for the reader to list in their way. */
export const approvedBy = (approvals: Approval[]): Sentence[] =>
  approvals.map((approval) => whoAndWhen(approval.approver.name, approval.at));

/** Where a request stands, in one or two sentences for its status line, in words every reader can be given. */
export function stateSentence(record: EscalationRecord): Sentence {
  const approvals = approvedBy(record.approvals);
  const expires = { at: record.expiresAt };
  switch (record.state) {
    case 'requested': {
      if (record.approvals.length > 0) {
        return record.reopenedBecause
          ? say(
              'Waiting for a second approver because ${reason} (so far approved by ${approvals}); expires at ${expires}.',
              {
                reason: record.reopenedBecause,
                approvals,
                expires,
              },
            )
          : say('Waiting for a second approver (so far approved by ${approvals}); expires at ${expires}.', {
              approvals,
              expires,
            });
      }
      const two = record.approvalsRequired === 2;
      if (!record.privileged)
        return two
          ? say('Waiting for two approvers; expires at ${expires}.', { expires })
          : say('Waiting for an approver; expires at ${expires}.', { expires });
      const values = { target: record.target.name, expires };
      return two
        ? say('Waiting for two approvers because ${target} holds a directory role; expires at ${expires}.', values)
        : say('Waiting for an approver because ${target} holds a directory role; expires at ${expires}.', values);
    }
    case 'approved':
      return say('Approved by ${approvals}; the pass has not been issued yet.', { approvals });
    case 'issuing':
      return say('Approved by ${approvals}; the pass is being issued.', { approvals });
    case 'issued': {
      const issued = { at: record.issuedAt ?? record.updatedAt };
      return record.tapExpiresAt
        ? say('Approved by ${approvals}; the pass was issued at ${issued} and is valid until ${until}.', {
            approvals,
            issued,
            until: { at: record.tapExpiresAt },
          })
        : say('Approved by ${approvals}; the pass was issued at ${issued}.', { approvals, issued });
    }
    case 'denied': {
      const at = { at: record.updatedAt };
      const reason = record.denialReason;
      if (record.deniedBy)
        return reason
          ? say('Denied by ${name} at ${at}: ${reason}', { name: record.deniedBy.name, at, reason })
          : say('Denied by ${name} at ${at}.', { name: record.deniedBy.name, at });
      return reason ? say('Denied at ${at}: ${reason}', { at, reason }) : say('Denied at ${at}.', { at });
    }
    case 'expired':
      return record.approvals.length >= record.approvalsRequired
        ? say('Approved by ${approvals}, but the request expired at ${expires} before the pass was issued.', {
            approvals,
            expires,
          })
        : say('Expired at ${expires} without enough approvals.', { expires });
    case 'cancelled':
      return say('Cancelled by ${name} at ${at}.', { name: record.requester.name, at: { at: record.updatedAt } });
    case 'failed': {
      const at = { at: record.updatedAt };
      return record.failure
        ? say('Approved by ${approvals}; issuing the pass failed at ${at}: ${failure}', {
            approvals,
            at,
            failure: record.failure,
          })
        : say('Approved by ${approvals}; issuing the pass failed at ${at}; no reason was given.', { approvals, at });
    }
  }
}

/** The status in English with moments in UTC: for refusals, logs and the audit trail. */
export const describeState = (record: EscalationRecord): string => spoken(stateSentence(record));
