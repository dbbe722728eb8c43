import { nameKey } from '../eligibility/names.js';
import { type Refusal, refusal, type VerificationRefusalCode } from '../escalation/refusal.js';
import { forMachines } from '../escalation/sentence.js';
import type { PresentationCallback, VerifiedCredentialData } from './api.js';
import { bindIdentity, type IdentityCredentialSettings, type IdentityFacts } from './identity.js';
import { type Evidence, isExpired, type VerificationSession } from './session.js';
import type { CredentialType } from './settings.js';

/**
 * Whether one Request Service callback may change a verification session, and how. Pure: the
 * caller compares the secrets (constant time) and reads the target from the directory at the
 * moment the callback arrives, then asks here.
 */

export interface CallbackSettings {
  acceptedIssuers: readonly string[];
  credentialTypes: readonly CredentialType[];
  threshold: number;
  /** How the session's identity credential was requested: type, issuers and claim names (src/caller-verification/identity.ts). */
  identity?: IdentityCredentialSettings;
}

/**
 * The person a caller claims to be, as the directory has them at the moment a credential arrives:
 * names, when the account was created, and the sign-in names it had before (read by
 * src/directory/verification-subject.ts).
 */
export interface VerificationSubject {
  userPrincipalName: string;
  givenName?: string | null;
  surname?: string | null;
  /**
   * Graph's `createdDateTime`: null when Graph "couldn't determine" it
   * (https://learn.microsoft.com/graph/api/resources/user), undefined when not read.
   */
  createdDateTime?: string | null;
  /**
   * Sign-in names the account had before, from the directory audit log; undefined when the log
   * could not be read (no AuditLog.Read.All, no P1, throttled).
   */
  previousSignInNames?: readonly string[];
  /** When the account got its current sign-in name, when the audit log still holds that change. */
  signInNameSince?: string;
}

/** The target as the directory has them now. */
export interface TargetNow extends VerificationSubject {
  /** For an identity credential: namesakes in the tenant and the organisation's record. */
  identity?: IdentityFacts;
}

/** What a callback is refused for: part of the one code union (src/escalation/refusal.ts). */
export type RefusalCode = VerificationRefusalCode;

export type Judgement =
  /** The session changes to this. */
  | { outcome: 'accepted'; session: VerificationSession; event: 'retrieved' | 'verified' | 'failed' }
  /** A repeat after the session ended: nothing changes. */
  | { outcome: 'ignored'; reason: string }
  /** Refused, in the one Refusal shape. `session` is set when a real presentation failed a check: the session ends as failed. */
  | { outcome: 'refused'; refusal: Refusal; session?: VerificationSession };

export interface SecretChecks {
  apiKeyMatches: boolean;
  stateMatches: boolean;
}

export function judgeCallback(
  session: VerificationSession,
  callback: PresentationCallback,
  secrets: SecretChecks,
  target: TargetNow,
  settings: CallbackSettings,
  now: Date,
): Judgement {
  const refuse = (code: RefusalCode, reason: string): Judgement => ({
    outcome: 'refused',
    refusal: refusal(code, forMachines(reason)),
  });
  // A forgery changes nothing: without both secrets no callback can end or spoil a session.
  if (!secrets.apiKeyMatches) return refuse('bad-api-key', 'the api-key header is missing or wrong');
  if (!secrets.stateMatches) return refuse('bad-state', 'the state does not belong to this session');
  if (!session.presentation) return refuse('not-started', 'no presentation request was created for this session');
  if (callback.requestId !== session.presentation.requestId)
    return refuse('wrong-request', 'the requestId is not this session’s presentation request');
  if (session.status === 'verified' || session.status === 'failed')
    return { outcome: 'ignored', reason: `the session already ended (${session.status})` };
  if (isExpired(session, now)) return refuse('expired', 'the session expired');

  switch (callback.requestStatus) {
    case 'request_retrieved':
      return session.status === 'opened'
        ? { outcome: 'accepted', event: 'retrieved', session: { ...session, status: 'retrieved' } }
        : { outcome: 'ignored', reason: 'retrieved twice' };
    case 'presentation_error': {
      // A Face Check below the threshold comes back as claimValidationError with no score (using-facecheck).
      const faceCheck = callback.error?.code === 'claimValidationError';
      const failure = faceCheck
        ? 'Face Check did not match the photo in the credential closely enough.'
        : `The presentation failed (${String(callback.error?.code ?? 'no code').slice(0, 60)}).`;
      return { outcome: 'accepted', event: 'failed', session: { ...session, status: 'failed', failure } };
    }
    case 'presentation_verified': {
      const checked = checkCredential(callback.verifiedCredentialsData, target, settings, now);
      if ('code' in checked) {
        return {
          outcome: 'refused',
          refusal: refusal(checked.code, forMachines(checked.reason)),
          session: { ...session, status: 'failed', failure: checked.failure },
        };
      }
      return {
        outcome: 'accepted',
        event: 'verified',
        session: { ...session, status: 'verified', evidence: { ...checked, verifiedAt: now.toISOString() } },
      };
    }
    default:
      return refuse('bad-callback', 'the requestStatus is not one the Request Service sends');
  }
}

type Checked = Omit<Evidence, 'verifiedAt'> | { code: RefusalCode; reason: string; failure: string };

function checkCredential(
  data: VerifiedCredentialData[] | undefined,
  target: TargetNow,
  settings: CallbackSettings,
  now: Date,
): Checked {
  const no = (code: RefusalCode, reason: string, failure = 'The credential presented could not be accepted.') => ({
    code,
    reason,
    failure,
  });
  if (!Array.isArray(data) || data.length !== 1)
    return no('not-one-credential', 'the callback does not carry exactly one credential');
  const credential = data[0]!;
  const presentedTypes = Array.isArray(credential.type) ? credential.type.map((t) => String(t).toLowerCase()) : [];
  const type = settings.credentialTypes.find((t) =>
    presentedTypes.includes((t === 'VerifiedIdentity' ? (settings.identity?.type ?? t) : t).toLowerCase()),
  );
  if (!type) return no('type-not-allowed', 'the credential is not of a type this bot accepts');
  const issuers =
    type === 'VerifiedIdentity' && settings.identity ? settings.identity.acceptedIssuers : settings.acceptedIssuers;
  if (typeof credential.issuer !== 'string' || !issuers.includes(credential.issuer)) {
    return no(
      'issuer-not-allowed',
      `the credential’s issuer is not one of the accepted issuers (${type === 'VerifiedIdentity' && settings.identity ? settings.identity.source : 'VERIFIED_ID_ACCEPTED_ISSUERS'})`,
      'The credential was not issued by an issuer this helpdesk accepts.',
    );
  }
  // The service checks revocation (allowRevoked: false); anything but VALID, or no answer, is not a pass.
  if (credential.credentialState?.revocationStatus !== 'VALID')
    return no('not-valid', 'the credential’s revocation status is not VALID');
  if (credential.expirationDate && Date.parse(credential.expirationDate) <= now.getTime())
    return no('credential-expired', 'the credential has expired');
  const score = credential.faceCheck?.matchConfidenceScore;
  if (typeof score !== 'number' || !Number.isFinite(score))
    return no('no-face-check', 'the callback carries no Face Check score');
  // The service fails a presentation below the threshold itself; checked again so a misconfigured request cannot pass.
  if (score < settings.threshold)
    return no(
      'score-below-threshold',
      'the Face Check score is below the threshold',
      'Face Check did not match the photo in the credential closely enough.',
    );
  const subject = subjectMatches(type, credential.claims ?? {}, target, settings.identity);
  // A name is not a person: an identity credential must be bound to this one account.
  const bound = subject === 'first and last name' ? bindIdentity(target.identity) : undefined;
  if (bound && 'code' in bound) return bound;
  const matchedBy = bound ? bound.matchedBy : subject;
  if (matchedBy === 'unknown')
    return no('subject-unknown', 'the credential does not carry the claims that name its subject');
  if (matchedBy === 'previous sign-in name')
    return no(
      'previous-sign-in-name',
      'the credential names the user’s previous sign-in name',
      'This work credential was issued under their previous sign-in name. Ask them to reissue their work credential in My Account (https://myaccount.microsoft.com), then verify again.',
    );
  if (matchedBy === 'mismatch')
    return no(
      'another-person',
      'the credential belongs to someone other than the user the request is for',
      target.previousSignInNames === undefined
        ? 'The credential belongs to someone else, or to this person under a sign-in name they no longer have (the directory audit log could not be read to tell). If their sign-in name changed, ask them to reissue their work credential in My Account.'
        : 'The credential belongs to someone else.',
    );
  if (type === 'VerifiedEmployee') {
    const current = currentCredential(credential.issuanceDate, target);
    if (current) return current;
  }
  return {
    credentialType: type,
    issuer: credential.issuer,
    ...(credential.issuanceDate ? { issuedAt: credential.issuanceDate } : {}),
    score,
    threshold: settings.threshold,
    matchedBy,
    ...(type === 'VerifiedIdentity' && settings.identity ? { settingsFrom: settings.identity.source } : {}),
    ...(credential.domainValidation?.url ? { linkedDomain: credential.domainValidation.url } : {}),
  };
}

/**
 * A VerifiedEmployee credential is not reissued when the profile changes
 * (https://learn.microsoft.com/entra/verified-id/how-to-use-quickstart-verifiedemployee): one issued
 * before the account existed, or before it got its sign-in name, names an earlier holder of that
 * name. `issuanceDate` is in every presentation_verified callback
 * (https://learn.microsoft.com/entra/verified-id/presentation-request-api#callback-events).
 */
function currentCredential(issuanceDate: string | undefined, target: TargetNow) {
  const issued = Date.parse(issuanceDate ?? '');
  const unknownDate = (reason: string) => ({
    code: 'issue-date-unknown' as const,
    reason,
    failure:
      'The bot could not confirm that this work credential was issued to the account as it is now. Verify the caller another way.',
  });
  if (!Number.isFinite(issued)) return unknownDate('the credential carries no issuance date');
  if (!target.createdDateTime) return unknownDate('Microsoft Graph has no creation date for the account');
  if (issued < Date.parse(target.createdDateTime))
    return {
      code: 'issued-before-account' as const,
      reason: 'the credential was issued before the account was created',
      failure:
        'This work credential was issued before this account was created, so it belongs to a former holder of the sign-in name, not to this account.',
    };
  if (target.signInNameSince && issued < Date.parse(target.signInNameSince))
    return {
      code: 'issued-before-sign-in-name' as const,
      reason: 'the credential was issued before the account got its current sign-in name',
      failure:
        'This work credential was issued before this account got its current sign-in name, so it belongs to whoever held that name before. If it is theirs, ask them to reissue their work credential in My Account.',
    };
  return undefined;
}

/**
 * VerifiedEmployee carries the UPN as `revocationId`
 * (https://learn.microsoft.com/entra/verified-id/how-to-use-quickstart-verifiedemployee); an
 * identity verification credential carries the names from the government ID, compared as account
 * recovery compares them with givenName and surname (the bot's E5 normalisation). The IDV claim
 * names are not documented: givenName/surname or firstName/lastName are read, anything else is unknown.
 */
export function subjectMatches(
  type: CredentialType,
  claims: Record<string, unknown>,
  target: TargetNow,
  identity?: Pick<IdentityCredentialSettings, 'givenNameClaim' | 'surnameClaim'>,
): 'sign-in name' | 'first and last name' | 'previous sign-in name' | 'mismatch' | 'unknown' {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);
  if (type === 'VerifiedEmployee') {
    const upn = text(claims.revocationId);
    if (!upn) return 'unknown';
    const presented = upn.trim().toLowerCase();
    if (presented === target.userPrincipalName.trim().toLowerCase()) return 'sign-in name';
    return target.previousSignInNames?.some((name) => name.trim().toLowerCase() === presented)
      ? 'previous sign-in name'
      : 'mismatch';
  }
  const presented = nameKey(
    identity
      ? { givenName: text(claims[identity.givenNameClaim]), surname: text(claims[identity.surnameClaim]) }
      : {
          givenName: text(claims.givenName) ?? text(claims.firstName),
          surname: text(claims.surname) ?? text(claims.lastName),
        },
  );
  if (!presented) return 'unknown';
  const expected = nameKey({ givenName: target.givenName, surname: target.surname });
  if (!expected) return 'unknown';
  return presented === expected ? 'first and last name' : 'mismatch';
}

/** The photo claim Face Check compares with: `photo` in VerifiedEmployee, `portrait` in recovery-profile credentials. */
export const SOURCE_PHOTO_CLAIM: Record<CredentialType, string> = {
  VerifiedEmployee: 'photo',
  VerifiedIdentity: 'portrait',
};

/** A body that has the shape of a presentation callback, or undefined. */
export function parseCallback(body: unknown): PresentationCallback | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.requestId !== 'string' || typeof b.requestStatus !== 'string' || typeof b.state !== 'string')
    return undefined;
  return b as unknown as PresentationCallback;
}
