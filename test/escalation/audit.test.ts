import { describe, expect, it } from 'vitest';
import { auditEntryFor, SYSTEM_ACTOR } from '../../src/escalation/audit.js';
import {
  approve,
  beginIssuing,
  cancel,
  deny,
  expireIfDue,
  markFailed,
  markIssued,
} from '../../src/escalation/state-machine.js';
import { alex, at, diego, eligible, ineligible, lee, megan, ok, patti, requested } from './fixtures.js';

const target = { id: lee.id, name: lee.name };

describe('audit entries', () => {
  it('a new request records requester, target, reason and verification method', () => {
    const record = requested({ verification: { method: 'other', detail: 'Called back on desk phone' } });
    expect(auditEntryFor(undefined, record, megan, at('10:00'))).toEqual({
      at: '2025-06-02T10:00:00.000Z',
      requestId: 'req-1',
      tenantId: 'tenant-1',
      action: 'requested',
      actor: megan,
      target,
      reason: 'Lost phone, cannot sign in',
      verificationMethod: 'other',
      detail: 'Called back on desk phone',
    });
  });

  it('each approval of a two-approver request is its own entry with the count', () => {
    const before = requested({ privileged: true });
    const once = ok(approve(before, eligible(patti), at('10:10')));
    const twice = ok(approve(once, eligible(alex), at('10:12')));
    expect(auditEntryFor(before, once, patti, at('10:10'))).toMatchObject({
      action: 'approved',
      actor: patti,
      detail: '1 of 2 approvals',
    });
    expect(auditEntryFor(once, twice, alex, at('10:12'))).toMatchObject({
      action: 'approved',
      actor: alex,
      detail: '2 of 2 approvals',
    });
  });

  it('denial, cancellation and expiry are recorded with who and why', () => {
    const record = requested();
    const denied = ok(deny(record, eligible(patti), at('10:20'), 'Could not verify'));
    expect(auditEntryFor(record, denied, patti, at('10:20'))).toMatchObject({
      action: 'denied',
      reason: 'Could not verify',
    });
    const cancelled = ok(cancel(record, megan, at('10:21')));
    expect(auditEntryFor(record, cancelled, megan, at('10:21'))).toMatchObject({ action: 'cancelled', actor: megan });
    const expired = expireIfDue(record, at('11:00'));
    expect(auditEntryFor(record, expired, SYSTEM_ACTOR, at('11:00'))).toMatchObject({
      action: 'expired',
      actor: SYSTEM_ACTOR,
    });
  });

  it('issuing, issued and failed are recorded; issued notes when the pass stops working', () => {
    const approved = ok(approve(requested(), eligible(patti), at('10:32')));
    const issuing = ok(beginIssuing(approved, at('10:33')));
    expect(auditEntryFor(approved, issuing, SYSTEM_ACTOR, at('10:33')).action).toBe('issuing');
    const issued = ok(markIssued(issuing, at('10:33'), at('11:33')));
    expect(auditEntryFor(issuing, issued, SYSTEM_ACTOR, at('10:33'))).toMatchObject({
      action: 'issued',
      detail: 'pass valid until 2025-06-02T11:33:00.000Z',
    });
    const failed = ok(markFailed(issuing, at('10:34'), 'Graph answered 403'));
    expect(auditEntryFor(issuing, failed, SYSTEM_ACTOR, at('10:34'))).toMatchObject({
      action: 'failed',
      reason: 'Graph answered 403',
    });
  });

  it('a refused action is recorded with the refusal', () => {
    const record = requested();
    const refusal = approve(record, ineligible(diego), at('10:05'));
    expect(auditEntryFor(record, refusal, diego, at('10:05'))).toMatchObject({
      action: 'refused',
      actor: diego,
      detail: expect.stringMatching(/^not-an-approver: /),
    });
  });

  it('a no-op is not an event', () => {
    const record = requested();
    expect(() => auditEntryFor(record, expireIfDue(record, at('10:05')), SYSTEM_ACTOR, at('10:05'))).toThrow(
      /nothing to audit/,
    );
  });

  it('never copies a pass that someone attached to the record', () => {
    const issuing = ok(beginIssuing(ok(approve(requested(), eligible(patti), at('10:32'))), at('10:33')));
    const issued = { ...ok(markIssued(issuing, at('10:33'), at('11:33'))), temporaryAccessPass: 'Xy7#secret' };
    expect(JSON.stringify(auditEntryFor(issuing, issued, SYSTEM_ACTOR, at('10:33')))).not.toContain('Xy7#secret');
  });
});
