import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRefusal } from '../../src/escalation/refusal.js';
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
  type Person,
  samePerson,
  type Transition,
} from '../../src/escalation/state-machine.js';
import { alex, at, diego, lee, megan, newRequest, patti } from './fixtures.js';

// The requester and target appear again with upper-case ids, as if read from another source.
const people: Person[] = [
  megan,
  lee,
  patti,
  alex,
  diego,
  { id: megan.id.toUpperCase(), name: 'Megan Bowen' },
  { id: lee.id.toUpperCase(), name: 'Lee Gu' },
];

const person = fc.constantFrom(...people);

// Weighted so that runs regularly get as far as issuing; rarer actions still appear often.
const action = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('approve' as const), who: person, eligible: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deny' as const), who: person, eligible: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), who: person }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('begin-issuing' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('mark-issued' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mark-failed' as const) }) },
);

const minutesLater = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 90 }) },
);

const step = fc.record({ action, minutesLater });

describe('any sequence of actions by anyone', () => {
  it('never issues without enough eligible, distinct approvers other than requester and target, and claims issuing at most once', () => {
    const issuedPrivileged = { yes: 0, no: 0 };
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { minLength: 4, maxLength: 30, size: 'max' }), (privileged, steps) => {
        let now = at('10:00');
        const created = createRequest(newRequest({ privileged }), now, { allowPrivilegedWithTwoApprovers: true });
        if (isRefusal(created)) throw new Error(created.message);
        let record: EscalationRecord = created;
        const approvedWhileEligible = new Set<string>();
        let claims = 0;

        for (const { action, minutesLater } of steps) {
          now = new Date(now.getTime() + minutesLater * 60_000);
          let next: Transition;
          switch (action.kind) {
            case 'approve':
              next = approve(record, { ...action.who, eligible: action.eligible }, now);
              if (!isRefusal(next) && action.eligible) approvedWhileEligible.add(action.who.id.toLowerCase());
              break;
            case 'deny':
              next = deny(record, { ...action.who, eligible: action.eligible }, now, 'Not verified');
              break;
            case 'cancel':
              next = cancel(record, action.who, now);
              break;
            case 'expire':
              next = expireIfDue(record, now);
              break;
            case 'begin-issuing':
              next = beginIssuing(record, now);
              if (!isRefusal(next)) claims++;
              break;
            case 'mark-issued':
              next = markIssued(record, now, new Date(now.getTime() + 60 * 60_000));
              break;
            case 'mark-failed':
              next = markFailed(record, now, 'Graph answered 500');
              break;
          }
          if (isRefusal(next)) continue;
          record = next;

          expect(claims).toBeLessThanOrEqual(1);
          expect(record.approvalsRequired).toBe(privileged ? 2 : 1);
          if (record.state === 'issuing' || record.state === 'issued') {
            const approverIds = new Set(record.approvals.map((approval) => approval.approver.id.toLowerCase()));
            expect(approverIds.size).toBeGreaterThanOrEqual(record.approvalsRequired);
            for (const approval of record.approvals) {
              expect(samePerson(approval.approver, record.requester)).toBe(false);
              expect(samePerson(approval.approver, record.target)).toBe(false);
              expect(approvedWhileEligible.has(approval.approver.id.toLowerCase())).toBe(true);
            }
          }
        }
        if (record.state === 'issued') issuedPrivileged[privileged ? 'yes' : 'no']++;
      }),
      { numRuns: 2000 },
    );
    // Guards against a generator too timid to ever reach the interesting states.
    expect(issuedPrivileged.yes).toBeGreaterThan(0);
    expect(issuedPrivileged.no).toBeGreaterThan(0);
  });
});
