import { describe, expect, it } from 'vitest';
import {
  approve,
  beginIssuing,
  cancel,
  createRequest,
  deny,
  type EscalationRecord,
  expireIfDue,
  markFailed,
  markIssued,
  type Transition,
} from '../../src/escalation/state-machine.js';
import { describeState } from '../../src/escalation/status.js';
import {
  alex,
  at,
  diego,
  eligible,
  ineligible,
  lee,
  megan,
  newRequest,
  ok,
  patti,
  policy,
  requested,
} from './fixtures.js';

const refusalOf = (transition: Transition) => {
  expect(transition).toMatchObject({ refused: true });
  return transition as { code: string; message: string };
};

const approvedByPatti = (): EscalationRecord => ok(approve(requested(), eligible(patti), at('10:32')));
const issuedByPatti = (): EscalationRecord =>
  ok(markIssued(ok(beginIssuing(approvedByPatti(), at('10:33'))), at('10:33'), at('11:33')));

describe('filing a request', () => {
  it('records who asked, for whom, why, and when it expires', () => {
    const record = requested();
    expect(record).toMatchObject({
      state: 'requested',
      requester: megan,
      target: lee,
      reason: 'Lost phone, cannot sign in',
      approvalsRequired: 1,
      approvals: [],
      createdAt: '2025-06-02T10:00:00.000Z',
      expiresAt: '2025-06-02T11:00:00.000Z',
    });
  });

  it('uses the configured time to live', () => {
    const record = ok(createRequest(newRequest(), at('10:00'), { ...policy, requestTtlMinutes: 15 }));
    expect(record.expiresAt).toBe('2025-06-02T10:15:00.000Z');
  });

  it('an agent cannot request a pass for their own account', () => {
    const refusal = refusalOf(
      createRequest(newRequest({ target: { ...megan, userPrincipalName: 'megan@x' } }), at('10:00'), policy),
    );
    expect(refusal.code).toBe('requester-is-target');
  });

  it('the same person with differently cased object ids is still the same person', () => {
    const shouting = { ...megan, id: megan.id.toUpperCase(), userPrincipalName: 'megan@x' };
    expect(refusalOf(createRequest(newRequest({ target: shouting }), at('10:00'), policy)).code).toBe(
      'requester-is-target',
    );
  });

  it('a request without an authenticated requester id is refused', () => {
    expect(
      refusalOf(createRequest(newRequest({ requester: { id: ' ', name: 'Nobody' } }), at('10:00'), policy)).code,
    ).toBe('missing-identity');
  });

  it('a blank reason is refused', () => {
    expect(refusalOf(createRequest(newRequest({ reason: '   ' }), at('10:00'), policy)).code).toBe('reason-missing');
  });

  it('a reason of 500 characters is accepted and 501 is refused', () => {
    expect(ok(createRequest(newRequest({ reason: 'x'.repeat(500) }), at('10:00'), policy)).reason).toHaveLength(500);
    const refusal = refusalOf(createRequest(newRequest({ reason: 'x'.repeat(501) }), at('10:00'), policy));
    expect(refusal.code).toBe('reason-too-long');
  });

  it('verification "other" needs a description of what was done', () => {
    const refusal = refusalOf(createRequest(newRequest({ verification: { method: 'other' } }), at('10:00'), policy));
    expect(refusal.code).toBe('verification-detail-missing');
    const record = ok(
      createRequest(
        newRequest({ verification: { method: 'other', detail: ' Called back on desk phone ' } }),
        at('10:00'),
        policy,
      ),
    );
    expect(record.verification).toEqual({ method: 'other', detail: 'Called back on desk phone' });
  });

  it('a privileged target is refused when policy does not allow two-approver requests, and says why', () => {
    const refusal = refusalOf(
      createRequest(newRequest({ privileged: true }), at('10:00'), { allowPrivilegedWithTwoApprovers: false }),
    );
    expect(refusal.code).toBe('privileged-target');
    expect(refusal.message).toContain('Lee Gu holds a directory role');
  });

  it('a privileged target needs two approvers when policy allows it', () => {
    const record = requested({ privileged: true });
    expect(record.approvalsRequired).toBe(2);
    expect(describeState(record)).toBe(
      'Waiting for two approvers because Lee Gu holds a directory role; expires at 2025-06-02 11:00 UTC.',
    );
  });
});

describe('approving', () => {
  it('an eligible approver approves a one-approver request', () => {
    const record = approvedByPatti();
    expect(record.state).toBe('approved');
    expect(record.approvals).toEqual([{ approver: patti, at: '2025-06-02T10:32:00.000Z' }]);
  });

  it('the requester cannot approve their own request, even as the target’s manager', () => {
    expect(refusalOf(approve(requested(), eligible(megan), at('10:05'))).code).toBe('requester-cannot-approve');
  });

  it('the target cannot approve a pass for themselves', () => {
    expect(refusalOf(approve(requested(), eligible(lee), at('10:05'))).code).toBe('self-approval');
  });

  it('a manager who is also the target cannot approve for themselves', () => {
    const record = requested({ target: { ...patti, userPrincipalName: 'PattiF@contoso.example' } });
    expect(refusalOf(approve(record, eligible(patti), at('10:05'))).code).toBe('self-approval');
  });

  it('someone who is neither the manager nor in the approver group is refused', () => {
    const refusal = refusalOf(approve(requested(), ineligible(diego), at('10:05')));
    expect(refusal.code).toBe('not-an-approver');
    expect(refusal.message).toBe('Only Lee Gu’s manager or a member of the approver group can decide on this request.');
  });

  it('an approver without an object id is refused', () => {
    expect(refusalOf(approve(requested(), eligible({ id: '', name: '?' }), at('10:05'))).code).toBe('missing-identity');
  });

  it('a privileged request needs two distinct approvers', () => {
    const once = ok(approve(requested({ privileged: true }), eligible(patti), at('10:10')));
    expect(once.state).toBe('requested');
    expect(describeState(once)).toBe(
      'Waiting for a second approver (so far approved by Patti Fernandez at 2025-06-02 10:10 UTC); expires at 2025-06-02 11:00 UTC.',
    );

    const twice = refusalOf(approve(once, eligible(patti), at('10:11')));
    expect(twice.code).toBe('already-approved-by-you');
    expect(twice.message).toBe(
      'You already approved this request at 2025-06-02 10:10 UTC; it needs a second, different approver.',
    );

    const both = ok(approve(once, eligible(alex), at('10:12')));
    expect(both.state).toBe('approved');
    expect(describeState(both)).toBe(
      'Approved by Patti Fernandez at 2025-06-02 10:10 UTC and Alex Wilber at 2025-06-02 10:12 UTC; the pass has not been issued yet.',
    );
  });

  it('a replayed approval after issue says what already happened', () => {
    const refusal = refusalOf(approve(issuedByPatti(), eligible(alex), at('10:40')));
    expect(refusal.code).toBe('already-decided');
    expect(refusal.message).toBe(
      'This request was already handled. Approved by Patti Fernandez at 2025-06-02 10:32 UTC; the pass was issued at 2025-06-02 10:33 UTC and is valid until 2025-06-02 11:33 UTC.',
    );
  });

  it('a second approver clicking after the first already approved is told so', () => {
    const refusal = refusalOf(approve(approvedByPatti(), eligible(alex), at('10:33')));
    expect(refusal.code).toBe('already-decided');
    expect(refusal.message).toContain('Approved by Patti Fernandez at 2025-06-02 10:32 UTC');
  });

  it('approving after the request expired is refused even before the sweep marked it', () => {
    const refusal = refusalOf(approve(requested(), eligible(patti), at('11:00')));
    expect(refusal.code).toBe('expired');
    expect(refusal.message).toBe(
      'This request expired at 2025-06-02 11:00 UTC. File a new request if Lee Gu still needs a pass.',
    );
  });
});

describe('denying', () => {
  it('an eligible approver denies with a reason', () => {
    const record = ok(deny(requested(), eligible(patti), at('10:20'), 'Not verified on video'));
    expect(record).toMatchObject({ state: 'denied', deniedBy: patti, denialReason: 'Not verified on video' });
    expect(describeState(record)).toBe('Denied by Patti Fernandez at 2025-06-02 10:20 UTC: Not verified on video');
  });

  it('the second approver of a privileged request can deny after the first approved', () => {
    const once = ok(approve(requested({ privileged: true }), eligible(patti), at('10:10')));
    expect(ok(deny(once, eligible(alex), at('10:11'), 'Call me first')).state).toBe('denied');
  });

  it('the requester, the target and ineligible people cannot deny', () => {
    expect(refusalOf(deny(requested(), eligible(megan), at('10:05'))).code).toBe('requester-cannot-approve');
    expect(refusalOf(deny(requested(), eligible(lee), at('10:05'))).code).toBe('self-approval');
    expect(refusalOf(deny(requested(), ineligible(diego), at('10:05'))).code).toBe('not-an-approver');
  });

  it('a denial needs a reason, which the agent reads to decide what to do next', () => {
    expect(refusalOf(deny(requested(), eligible(patti), at('10:20'))).code).toBe('denial-reason-missing');
    expect(refusalOf(deny(requested(), eligible(patti), at('10:20'), '   ')).code).toBe('denial-reason-missing');
  });

  it('an approval after a denial says who denied it and why', () => {
    const denied = ok(deny(requested(), eligible(patti), at('10:20'), 'Not on video'));
    const refusal = refusalOf(approve(denied, eligible(alex), at('10:21')));
    expect(refusal.message).toBe(
      'This request was already handled. Denied by Patti Fernandez at 2025-06-02 10:20 UTC: Not on video',
    );
  });
});

describe('cancelling', () => {
  it('the requester cancels a waiting or approved request', () => {
    expect(ok(cancel(requested(), megan, at('10:05'))).state).toBe('cancelled');
    const cancelled = ok(cancel(approvedByPatti(), megan, at('10:34')));
    expect(describeState(cancelled)).toBe('Cancelled by Megan Bowen at 2025-06-02 10:34 UTC.');
  });

  it('nobody else can cancel', () => {
    const refusal = refusalOf(cancel(requested(), patti, at('10:05')));
    expect(refusal.code).toBe('not-requester');
    expect(refusal.message).toBe('Only Megan Bowen, who filed this request, can cancel it.');
  });

  it('a request being issued can no longer be cancelled', () => {
    const issuing = ok(beginIssuing(approvedByPatti(), at('10:33')));
    const refusal = refusalOf(cancel(issuing, megan, at('10:33')));
    expect(refusal.code).toBe('already-decided');
    expect(refusal.message).toContain('the pass is being issued');
  });
});

describe('expiry', () => {
  it('a waiting request expires at its deadline', () => {
    const record = requested();
    expect(expireIfDue(record, at('10:59'))).toBe(record);
    const expired = expireIfDue(record, at('11:00'));
    expect(expired.state).toBe('expired');
    expect(describeState(expired)).toBe('Expired at 2025-06-02 11:00 UTC without enough approvals.');
  });

  it('an approved request that was never issued expires too', () => {
    const expired = expireIfDue(approvedByPatti(), at('11:05'));
    expect(expired.state).toBe('expired');
    expect(describeState(expired)).toBe(
      'Approved by Patti Fernandez at 2025-06-02 10:32 UTC, but the request expired at 2025-06-02 11:00 UTC before the pass was issued.',
    );
  });

  it('requests being issued or already closed do not expire', () => {
    const issuing = ok(beginIssuing(approvedByPatti(), at('10:33')));
    expect(expireIfDue(issuing, at('12:00'))).toBe(issuing);
    const issued = issuedByPatti();
    expect(expireIfDue(issued, at('12:00'))).toBe(issued);
  });
});

describe('issuing', () => {
  it('an approved request is claimed for issuing once; a second claim is refused', () => {
    const issuing = ok(beginIssuing(approvedByPatti(), at('10:33')));
    expect(issuing.state).toBe('issuing');
    const again = refusalOf(beginIssuing(issuing, at('10:33')));
    expect(again.code).toBe('already-decided');
    expect(again.message).toBe(
      'This request was already handled. Approved by Patti Fernandez at 2025-06-02 10:32 UTC; the pass is being issued.',
    );
  });

  it('a request still waiting for approval cannot be issued', () => {
    const refusal = refusalOf(
      beginIssuing(ok(approve(requested({ privileged: true }), eligible(patti), at('10:10'))), at('10:11')),
    );
    expect(refusal).toMatchObject({
      code: 'not-approved-yet',
      message: 'This request has 1 of 2 approvals, so no pass can be issued yet.',
    });
  });

  it('an approved request past its deadline cannot be issued', () => {
    expect(refusalOf(beginIssuing(approvedByPatti(), at('11:00'))).code).toBe('expired');
  });

  it('marks the pass issued with its expiry', () => {
    const issued = issuedByPatti();
    expect(issued).toMatchObject({
      state: 'issued',
      issuedAt: '2025-06-02T10:33:00.000Z',
      tapExpiresAt: '2025-06-02T11:33:00.000Z',
    });
  });

  it('marks a failed issue with the reason', () => {
    const failed = ok(
      markFailed(ok(beginIssuing(approvedByPatti(), at('10:33'))), at('10:34'), 'Graph answered 403 Forbidden.'),
    );
    expect(failed).toMatchObject({ state: 'failed', failure: 'Graph answered 403 Forbidden.' });
    expect(describeState(failed)).toBe(
      'Approved by Patti Fernandez at 2025-06-02 10:32 UTC; issuing the pass failed at 2025-06-02 10:34 UTC: Graph answered 403 Forbidden.',
    );
  });

  it('issued or failed can only follow a claim', () => {
    expect(refusalOf(markIssued(approvedByPatti(), at('10:33'), at('11:33'))).code).toBe('not-issuing');
    expect(refusalOf(markFailed(issuedByPatti(), at('10:34'), 'late error')).code).toBe('not-issuing');
  });
});
