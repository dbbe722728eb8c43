import { describe, expect, it } from 'vitest';
import type { PresentationCallback } from '../../src/caller-verification/api.js';
import { type CallbackSettings, judgeCallback, subjectMatches } from '../../src/caller-verification/rules.js';
import { type VerificationSession, verificationRequired } from '../../src/caller-verification/session.js';
import { type ActorFacts, callerNotVerified, decide } from '../../src/escalation/policy.js';
import type { EscalationRecord } from '../../src/escalation/state-machine.js';

const ISSUER = 'did:web:verifiedid.contoso.com';
const NOW = new Date('2026-12-01T10:05:00Z');
const SETTINGS: CallbackSettings = {
  acceptedIssuers: [ISSUER],
  credentialTypes: ['VerifiedEmployee', 'VerifiedIdentity'],
  threshold: 70,
};
const ADELE = {
  userPrincipalName: 'Adele.Vance@contoso.com',
  givenName: 'Adele',
  surname: 'Vance',
  createdDateTime: '2021-02-01T08:00:00Z',
  previousSignInNames: [] as string[],
};
const OK = { apiKeyMatches: true, stateMatches: true };

const session: VerificationSession = {
  id: 'session-aaaaaaaaaaaaaaaaaaaaaaaa',
  ref: 'Xy3_ab12',
  tenantId: 't',
  requestId: 'r',
  target: { id: 'u', name: 'Adele Vance', userPrincipalName: 'adele.vance@contoso.com' },
  startedBy: { id: 'h', name: 'Helen Desk' },
  createdAt: '2026-12-01T10:00:00Z',
  expiresAt: '2026-12-01T10:15:00Z',
  status: 'retrieved',
  codeHash: 'x',
  codeAttempts: 0,
  browserHash: 'y',
  presentation: { requestId: 'p1', url: 'openid-vc://?request_uri=x', stateHash: 's', apiKeyHash: 'k' },
};

const verified = (credential: Record<string, unknown> = {}): PresentationCallback => ({
  requestId: 'p1',
  requestStatus: 'presentation_verified',
  state: 's',
  verifiedCredentialsData: [
    {
      issuer: ISSUER,
      type: ['VerifiableCredential', 'VerifiedEmployee'],
      claims: { revocationId: 'adele.vance@contoso.com' },
      credentialState: { revocationStatus: 'VALID' },
      issuanceDate: '2026-11-01T00:00:00Z',
      faceCheck: { matchConfidenceScore: 80 },
      ...credential,
    },
  ],
});

describe('judging a Request Service callback (pure)', () => {
  it.each([
    ['issued before the account was created', { issuanceDate: '2020-01-01T00:00:00Z' }, {}, 'issued-before-account'],
    [
      'issued before the account got its sign-in name',
      {},
      { signInNameSince: '2026-11-15T00:00:00Z' },
      'issued-before-sign-in-name',
    ],
    ['without an issuance date', { issuanceDate: undefined }, {}, 'issue-date-unknown'],
    ['for an account Graph has no creation date for', {}, { createdDateTime: null }, 'issue-date-unknown'],
    [
      'under the previous sign-in name',
      { claims: { revocationId: 'adele.old@contoso.com' } },
      { previousSignInNames: ['Adele.Old@contoso.com'] },
      'previous-sign-in-name',
    ],
  ])('a VerifiedEmployee credential %s does not verify the caller', (_, credential, target, code) => {
    const judged = judgeCallback(session, verified(credential), OK, { ...ADELE, ...target }, SETTINGS, NOW);
    expect(judged).toMatchObject({ outcome: 'refused', refusal: { code }, session: { status: 'failed' } });
  });

  it('someone else’s credential says so only when the audit log could show it is not a previous name of theirs', () => {
    const other = verified({ claims: { revocationId: 'mallory@contoso.com' } });
    const known = judgeCallback(session, other, OK, ADELE, SETTINGS, NOW);
    const unread = judgeCallback(session, other, OK, { ...ADELE, previousSignInNames: undefined }, SETTINGS, NOW);
    expect(known).toMatchObject({
      refusal: { code: 'another-person' },
      session: { failure: 'The credential belongs to someone else.' },
    });
    expect(unread).toMatchObject({
      refusal: { code: 'another-person' },
      session: { failure: expect.stringContaining('My Account') },
    });
  });

  it('a VerifiedEmployee whose revocationId is the target’s UPN, from an allowed issuer, at or above the threshold, passes with its evidence', () => {
    const judged = judgeCallback(
      session,
      verified({ faceCheck: { matchConfidenceScore: 70 } }),
      OK,
      ADELE,
      SETTINGS,
      NOW,
    );
    expect(judged).toMatchObject({
      outcome: 'accepted',
      event: 'verified',
      session: {
        status: 'verified',
        evidence: {
          credentialType: 'VerifiedEmployee',
          issuer: ISSUER,
          issuedAt: '2026-11-01T00:00:00Z',
          score: 70,
          threshold: 70,
          matchedBy: 'sign-in name',
          verifiedAt: NOW.toISOString(),
        },
      },
    });
  });

  it.each([
    ['a revoked credential', { credentialState: { revocationStatus: 'REVOKED' } }, 'not-valid'],
    ['no revocation status', { credentialState: undefined }, 'not-valid'],
    ['an expired credential', { expirationDate: '2026-11-30T00:00:00Z' }, 'credential-expired'],
    ['no Face Check', { faceCheck: undefined }, 'no-face-check'],
    ['a score under the threshold', { faceCheck: { matchConfidenceScore: 69.99 } }, 'score-below-threshold'],
    ['a type not configured', { type: ['VerifiableCredential', 'VerifiedCredentialExpert'] }, 'type-not-allowed'],
    ['an issuer not allowed', { issuer: 'did:web:evil.example' }, 'issuer-not-allowed'],
    ['someone else’s UPN', { claims: { revocationId: 'adele.vance@contoso.com.evil.example' } }, 'another-person'],
    ['no UPN claim', { claims: {} }, 'subject-unknown'],
  ])('%s is refused and ends the session', (_, credential, code) => {
    const judged = judgeCallback(session, verified(credential), OK, ADELE, SETTINGS, NOW);
    expect(judged).toMatchObject({ outcome: 'refused', refusal: { code }, session: { status: 'failed' } });
  });

  it('a forgery changes nothing, and a callback after the session ended is ignored', () => {
    expect(
      judgeCallback(session, verified(), { apiKeyMatches: false, stateMatches: true }, ADELE, SETTINGS, NOW),
    ).toMatchObject({
      outcome: 'refused',
      refusal: { refused: true, code: 'bad-api-key', message: expect.any(String) },
    });
    expect(
      judgeCallback(session, verified(), { apiKeyMatches: true, stateMatches: false }, ADELE, SETTINGS, NOW),
    ).toMatchObject({ outcome: 'refused', refusal: { code: 'bad-state' } });
    expect(judgeCallback(session, { ...verified(), requestId: 'p2' }, OK, ADELE, SETTINGS, NOW)).toMatchObject({
      outcome: 'refused',
      refusal: { code: 'wrong-request' },
    });
    expect(judgeCallback({ ...session, status: 'verified' }, verified(), OK, ADELE, SETTINGS, NOW)).toMatchObject({
      outcome: 'ignored',
    });
    expect(judgeCallback(session, verified(), OK, ADELE, SETTINGS, new Date('2026-12-01T10:15:00Z'))).toMatchObject({
      outcome: 'refused',
      refusal: { code: 'expired' },
    });
  });

  it('presentation_error with claimValidationError is a failed Face Check, told without a score', () => {
    const judged = judgeCallback(
      session,
      {
        requestId: 'p1',
        requestStatus: 'presentation_error',
        state: 's',
        error: { code: 'claimValidationError', message: 'Match confidence score failing to meet the threshold.' },
      },
      OK,
      ADELE,
      SETTINGS,
      NOW,
    );
    expect(judged).toMatchObject({
      outcome: 'accepted',
      event: 'failed',
      session: { status: 'failed', failure: 'Face Check did not match the photo in the credential closely enough.' },
    });
  });

  it('a VerifiedIdentity credential matches on first and last name as account recovery compares them', () => {
    const target = { userPrincipalName: 'siobhan.obrien@contoso.com', givenName: 'Siobhán', surname: 'O’Brien' };
    expect(subjectMatches('VerifiedIdentity', { givenName: 'SIOBHAN', surname: "O'Brien" }, target)).toBe(
      'first and last name',
    );
    expect(subjectMatches('VerifiedIdentity', { firstName: 'Siobhan', lastName: 'O Brien' }, target)).toBe('mismatch');
    expect(subjectMatches('VerifiedIdentity', { fullName: 'Siobhan OBrien' }, target)).toBe('unknown');
    expect(
      subjectMatches('VerifiedIdentity', { givenName: 'Siobhan', surname: 'OBrien' }, { ...target, surname: '' }),
    ).toBe('unknown');
  });
});

describe('the policy with caller verification', () => {
  const record = {
    id: 'r',
    tenantId: 't',
    state: 'requested',
    requester: { id: 'h', name: 'Helen' },
    target: { id: 'u', name: 'Adele Vance', userPrincipalName: 'a' },
    privileged: false,
  } as EscalationRecord;
  const manager: ActorFacts = { id: 'm', tenantId: 't', isHelpdeskAgent: false, isApproverForTarget: true };

  it.each([
    ['off', false, false],
    ['optional', true, false],
    ['required-for-privileged', false, false],
    ['required-for-privileged', true, true],
    ['required', false, true],
  ] as const)('%s, privileged %s: required %s', (policy, privileged, required) => {
    expect(verificationRequired(policy, privileged)).toBe(required);
  });

  it('refuses Approve while a required verification has not passed, and allows Deny', () => {
    expect(decide('approve', manager, record, { required: true, passed: false })).toEqual(
      callerNotVerified('Adele Vance'),
    );
    expect(decide('deny', manager, record, { required: true, passed: false })).toEqual({ allowed: true });
    expect(decide('approve', manager, record, { required: true, passed: true })).toEqual({ allowed: true });
    expect(decide('approve', manager, record, { required: false, passed: false })).toEqual({ allowed: true });
  });

  it('only a helpdesk agent may start a verification, never the target', () => {
    expect(decide('verify-caller', { ...manager, isHelpdeskAgent: true, isApproverForTarget: false }, record)).toEqual({
      allowed: true,
    });
    expect(decide('verify-caller', manager, record)).toMatchObject({ code: 'not-helpdesk' });
    expect(
      decide('verify-caller', { id: 'u', tenantId: 't', isHelpdeskAgent: true, isApproverForTarget: false }, record),
    ).toMatchObject({ code: 'not-found' });
  });
});
