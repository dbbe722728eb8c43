import type * as Graph from '@microsoft/microsoft-graph-types';
import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/diagnosis/catalogue.js';
import { lastRecoveryAttempt } from '../../src/diagnosis/recovery-attempt.js';

const USER_ID = '5b1c3a9e-2d4f-4e61-8a7b-9c0d1e2f3a4b';

let counter = 0;
function auditEvent(
  activityDisplayName: string,
  activityDateTime: string,
  correlationId: string | null,
  result: Graph.OperationResult = 'success',
  resultReason = '',
): Graph.DirectoryAudit {
  counter += 1;
  return {
    id: `Directory_${counter}`,
    category: 'UserManagement',
    loggedByService: 'Account Recovery',
    activityDisplayName,
    activityDateTime,
    correlationId,
    result,
    resultReason,
    operationType: 'Update',
    initiatedBy: { user: { id: USER_ID, userPrincipalName: 'alex.wilber@contoso.com' } },
    targetResources: [{ id: USER_ID, type: 'User', userPrincipalName: 'alex.wilber@contoso.com' }],
  };
}

const FIRST = 'c0ffee00-1111-4222-8333-444455556666';
const SECOND = 'c0ffee00-7777-4888-9999-aaaabbbbcccc';
const PARTNER = 'feedface-0000-4000-8000-000000000001';

/** An attempt on 9 December that failed Face Check, then one on 10 December that failed the name match. */
const twoAttempts = (): Graph.DirectoryAudit[] => [
  auditEvent('User started account recovery', '2025-12-09T08:00:00Z', FIRST),
  auditEvent('User started identity issuance with certified partner', '2025-12-09T08:00:40Z', FIRST),
  auditEvent('User completed identity issuance with certified partner', '2025-12-09T08:06:10Z', PARTNER),
  auditEvent(
    'User failed face check comparison',
    '2025-12-09T08:08:00Z',
    FIRST,
    'failure',
    'Confidence score below threshold',
  ),
  auditEvent('Update user', '2025-12-09T15:00:00Z', 'aaaaaaaa-0000-4000-8000-000000000000'),
  // Newest first, as Graph returns them by default.
  auditEvent(
    'User account not matched or validated',
    '2025-12-10T10:09:30Z',
    SECOND,
    'failure',
    'Verified given name does not match',
  ),
  auditEvent('User completed identity presentation', '2025-12-10T10:09:00Z', SECOND),
  auditEvent('User completed identity issuance with certified partner', '2025-12-10T10:07:00Z', SECOND),
  auditEvent('User started identity issuance with certified partner', '2025-12-10T10:01:00Z', SECOND),
  auditEvent('User started account recovery', '2025-12-10T10:00:00Z', SECOND),
  auditEvent('Account Recovery settings updated', '2025-12-10T10:30:00Z', SECOND),
];

describe('reconstructing the last recovery attempt from the audit log', () => {
  it('shows the latest attempt step by step and stops at the failed name match', () => {
    const attempt = lastRecoveryAttempt(twoAttempts())!;
    expect(attempt.correlationId).toBe(SECOND);
    expect(attempt.startedAt).toBe('2025-12-10T10:00:00Z');
    expect(attempt.steps.map((s) => s.stage)).toEqual([
      'started',
      'identityIssuance',
      'identityIssuance',
      'identityPresentation',
      'accountMatch',
    ]);
    expect(attempt.outcome).toBe('failed');
    expect(attempt.stoppedAt).toMatchObject({
      stage: 'accountMatch',
      activity: 'User account not matched or validated',
      failed: true,
      reason: 'Verified given name does not match',
    });
    expect(attempt.symptomId).toBe('name-mismatch');
  });

  it('points a failed Face Check to the Face Check advice, including partner steps with another correlation id', () => {
    const attempt = lastRecoveryAttempt(twoAttempts().slice(0, 5))!;
    expect(attempt.steps.map((s) => s.activity)).toEqual([
      'User started account recovery',
      'User started identity issuance with certified partner',
      'User completed identity issuance with certified partner',
      'User failed face check comparison',
    ]);
    expect(attempt.stoppedAt.stage).toBe('faceCheck');
    expect(attempt.symptomId).toBe('face-check-failed');
  });

  it('reports a completed recovery as completed', () => {
    const id = 'done0000-0000-4000-8000-000000000000';
    const attempt = lastRecoveryAttempt([
      auditEvent('User started account recovery', '2025-12-11T09:00:00Z', id),
      auditEvent('User completed identity issuance with certified partner', '2025-12-11T09:05:00Z', id),
      auditEvent('User completed identity presentation', '2025-12-11T09:06:00Z', id),
      auditEvent('User account matched and validated', '2025-12-11T09:06:05Z', id),
      auditEvent('User registered security information', '2025-12-11T09:09:00Z', id),
      auditEvent('User completed account recovery', '2025-12-11T09:09:01Z', id),
    ])!;
    expect(attempt.outcome).toBe('completed');
    expect(attempt.stoppedAt.stage).toBe('completed');
    expect(attempt.symptomId).toBeUndefined();
  });

  it('does not take ordinary security info registration for a recovery attempt', () => {
    expect(
      lastRecoveryAttempt([auditEvent('User registered security info', '2025-12-11T11:00:00Z', null)]),
    ).toBeUndefined();
  });

  it('says where an unfinished attempt got to when nothing failed', () => {
    const attempt = lastRecoveryAttempt([
      auditEvent('User started account recovery', '2025-12-11T09:00:00Z', null),
      auditEvent('User started identity issuance with certified partner', '2025-12-11T09:00:30Z', null),
      auditEvent('User registered security info', '2025-12-11T11:00:00Z', null),
    ])!;
    expect(attempt.outcome).toBe('incomplete');
    expect(attempt.stoppedAt.stage).toBe('identityIssuance');
    expect(attempt.steps).toHaveLength(2);
  });

  it('treats a failure result as a failed step even when the name does not say so', () => {
    const attempt = lastRecoveryAttempt([
      auditEvent('User started account recovery', '2025-12-11T09:00:00Z', FIRST),
      auditEvent('Document validation', '2025-12-11T09:03:00Z', FIRST, 'failure', 'Document expired'),
    ])!;
    expect(attempt.stoppedAt).toMatchObject({ stage: 'documentValidation', failed: true, reason: 'Document expired' });
    expect(attempt.symptomId).toBe('id-document-rejected');
  });

  it('finds nothing when the log holds no recovery events', () => {
    expect(lastRecoveryAttempt([auditEvent('Update user', '2025-12-09T15:00:00Z', null)])).toBeUndefined();
    expect(lastRecoveryAttempt([])).toBeUndefined();
  });

  it('only points to symptoms that exist in the catalogue', () => {
    const ids = defaultCatalogue().entries.map((entry) => entry.id);
    const failing = [
      'User failed document validation',
      'User failed face check comparison',
      'User account not matched or validated',
    ];
    for (const activity of failing) {
      const attempt = lastRecoveryAttempt([auditEvent(activity, '2025-12-11T09:00:00Z', FIRST, 'failure')])!;
      expect(ids).toContain(attempt.symptomId);
    }
  });
});
