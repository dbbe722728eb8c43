import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness.js';
import { callout, failedAnswer, ownClaims, passAnswer, RECORDS, rememberClaimValues } from './helpers.js';

/*
 * The bot as Entra's claim validation extension, driven the way Entra drives it: a signed callout
 * POSTed to /api/recovery/claim-validation, answered with one action (issue 30).
 */
describe('claim validation extension: what it decides', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ claimValidation: true });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  it('passes a person whose ID matches their record, answering JSON as Entra reads it', async () => {
    const answer = await callout(harness, {
      userPrincipalName: 'adele.vance@contoso.com',
      claims: ownClaims('adele.vance@contoso.com'),
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body).toEqual(passAnswer);
  });

  it('each of the two Jon Does recovers with his own date of birth', async () => {
    for (const upn of ['jon.doe@contoso.com', 'jon.doe2@contoso.com']) {
      const answer = await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) });
      expect(answer.body, upn).toEqual(passAnswer);
    }
  });

  it('one Jon Doe presenting his own ID for the other Jon Doe fails, naming the claims that differ', async () => {
    const answer = await callout(harness, {
      userPrincipalName: 'jon.doe2@contoso.com',
      claims: ownClaims('jon.doe@contoso.com'),
    });
    // Exact matching keeps the accent of Jón; the date of birth is his own, not this account's.
    expect(answer.body).toEqual(failedAnswer(['firstName', 'dateOfBirth']));
  });

  it('a wrong date of birth fails with dateOfBirth named and no value anywhere in the answer', async () => {
    const claims = { ...ownClaims('jon.doe@contoso.com'), dateOfBirth: '1985-03-15' };
    harness.claimValues.push('1985-03-15');
    const answer = await callout(harness, { userPrincipalName: 'jon.doe@contoso.com', claims });
    expect(answer.body).toEqual(failedAnswer(['dateOfBirth']));
  });

  it('a required claim left out fails', async () => {
    const { dateOfBirth: _left, ...claims } = ownClaims('adele.vance@contoso.com');
    expect((await callout(harness, { userPrincipalName: 'adele.vance@contoso.com', claims })).body).toEqual(
      failedAnswer(['dateOfBirth']),
    );
  });

  it("an employee id Entra adds must be the person's own", async () => {
    const upn = 'adele.vance@contoso.com';
    expect(
      (await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn), employeeId: RECORDS[upn]!.employeeId }))
        .body,
    ).toEqual(passAnswer);
    expect(
      (await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn), employeeId: 'E1004' })).body,
    ).toEqual(failedAnswer(['employeeId']));
  });

  it('a person the records do not have fails, naming no claim', async () => {
    const claims = { firstName: 'Alex', lastName: 'Wilber', dateOfBirth: '1991-04-04' };
    expect((await callout(harness, { userPrincipalName: 'alex.wilber@contoso.com', claims })).body).toEqual(
      failedAnswer([]),
    );
  });

  it('a directory role holder fails even with the right claims (RECOVERY_PRIVILEGED=refuse by default)', async () => {
    const upn = 'nestor.wilke@contoso.com';
    expect((await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) })).body).toEqual(failedAnswer([]));
  });

  it('a retried callout (same correlation id) gets the same answer, even after the record changed', async () => {
    const upn = 'isaiah.langer@contoso.com';
    const first = await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) });
    const [again, once_more] = await Promise.all([
      callout(harness, {
        userPrincipalName: upn,
        claims: { ...ownClaims(upn), dateOfBirth: '2000-01-01' },
        correlationId: first.correlationId,
      }),
      callout(harness, { userPrincipalName: upn, claims: ownClaims(upn), correlationId: first.correlationId }),
    ]);
    expect(first.body).toEqual(passAnswer);
    expect(again.body).toEqual(passAnswer);
    expect(once_more.body).toEqual(passAnswer);
  });

  it("reads nothing from Graph's reports budget (no audit log, no authentication methods)", async () => {
    harness.graph.resetRequests();
    await callout(harness, { userPrincipalName: 'jon.doe@contoso.com', claims: ownClaims('jon.doe@contoso.com') });
    const paths = harness.graph.requests.map((r) => r.path.toLowerCase());
    expect(paths.length).toBeGreaterThan(0);
    expect(
      paths.filter((p) => p.includes('auditlogs') || p.includes('/authentication') || p.startsWith('/reports')),
    ).toEqual([]);
  });
});

describe('claim validation extension: RECOVERY_PRIVILEGED=allow', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ claimValidation: true, env: { RECOVERY_PRIVILEGED: 'allow' } });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  it('lets a directory role holder with the right claims through, without reading their roles', async () => {
    harness.graph.resetRequests();
    const upn = 'nestor.wilke@contoso.com';
    expect((await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) })).body).toEqual(passAnswer);
    expect(harness.graph.requests.filter((r) => r.path.includes('roleManagement'))).toEqual([]);
  });
});

describe('claim validation extension: RECOVERY_REQUIRED_CLAIMS', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      claimValidation: true,
      env: { RECOVERY_REQUIRED_CLAIMS: 'dateOfBirth,documentId' },
    });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  it('checks every required claim: a wrong passport number fails with documentId named', async () => {
    const upn = 'adele.vance@contoso.com';
    expect((await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) })).body).toEqual(passAnswer);
    const claims = { ...ownClaims(upn), documentId: 'PZ0000000' };
    harness.claimValues.push('PZ0000000');
    expect((await callout(harness, { userPrincipalName: upn, claims })).body).toEqual(failedAnswer(['documentId']));
  });
});

describe('claim validation extension: names at the match level of the profiles that call it', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ claimValidation: true, env: { RECOVERY_PRIVILEGED: 'allow' } });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  it('under relaxed matching a first name that differs only by its accent matches; the date of birth still decides', async () => {
    // The demo's calling profile matches exactly; the tenant's admin switches it to relaxed.
    const calling = harness.graph.tenant.verifiedIdProfiles.find(
      (profile) => profile.verifiedIdProfileConfiguration.claimValidation?.isEnabled,
    )!;
    for (const binding of calling.verifiedIdProfileConfiguration.claimBindings)
      binding.matchConfidenceLevel = 'relaxed';
    const answer = await callout(harness, {
      userPrincipalName: 'jon.doe2@contoso.com',
      claims: ownClaims('jon.doe@contoso.com'),
    });
    expect(answer.body).toEqual(failedAnswer(['dateOfBirth']));
  });
});
