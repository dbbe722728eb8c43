import type { Fact } from '../eligibility/facts.js';

/**
 * An identity verification credential (VerifiedIdentity) names its holder by the names on a
 * government ID, nothing else: anyone who shares the target's legal name passes with their own
 * face. Microsoft says name-only matching "may not provide sufficient assurance" and that namesakes
 * may be blocked without additional claim validation (concept-account-recovery-overview, the
 * account recovery FAQ). So a name match verifies the caller only when nobody else in the tenant
 * has the same folded first and last name, or when the credential's other claims match the
 * organisation's record for this account (the claim validation extension's rules and source).
 */

/** How a VerifiedIdentity credential is requested and read, and where that came from. */
export interface IdentityCredentialSettings {
  /** The credential type to request and accept. */
  type: string;
  acceptedIssuers: string[];
  /** Claim keys inside the credential subject. */
  givenNameClaim: string;
  surnameClaim: string;
  photoClaim: string;
  /** In words, for the card: the recovery profile's name, or the configuration. */
  source: string;
}

/** What the bot read when the credential arrived. */
export interface IdentityFacts {
  /** Other users in the tenant with the same folded first and last name. */
  namesakes: Fact<number>;
  /** The organisation's record, checked with the claim rules; undefined when no claims source is configured. */
  record?: { pass: true } | { pass: false; failedClaims: string[]; reason: string };
}

export type Binding =
  | { matchedBy: 'first and last name, unique in the tenant' | 'first and last name and the organisation’s record' }
  | { code: 'namesake' | 'namesakes-unknown'; reason: string; failure: string };

const VERIFY_OTHERWISE =
  'Verify them with their work credential (VerifiedEmployee) instead, or ask an administrator to set up the organisation records (RECOVERY_CLAIMS_SOURCE) that bind a government ID credential to one account.';

/** Whether a name-matched identity credential is bound to this one account. Pure. */
export function bindIdentity(facts: IdentityFacts | undefined): Binding {
  if (facts?.record?.pass) return { matchedBy: 'first and last name and the organisation’s record' };
  if (facts?.record && !facts.record.pass) {
    const which = facts.record.failedClaims.length > 0 ? ` (${facts.record.failedClaims.join(', ')})` : '';
    return {
      code: 'namesake',
      reason: `the credential's claims do not match the organisation's record${which}: ${facts.record.reason}`,
      failure: `The government ID credential's other claims do not match the organisation's record for this account${which}, so it cannot be shown to belong to this person. Check the record with HR, or verify them with their work credential (VerifiedEmployee).`,
    };
  }
  if (!facts || !facts.namesakes.known)
    return {
      code: 'namesakes-unknown',
      reason: `whether someone else in the tenant has the same name is unknown (${facts && !facts.namesakes.known ? facts.namesakes.reason : 'not read'})`,
      failure: `The bot could not confirm that nobody else in this organisation has the same first and last name, so a government ID credential cannot show which person is calling. ${VERIFY_OTHERWISE}`,
    };
  if (facts.namesakes.value > 0)
    return {
      code: 'namesake',
      reason: `${facts.namesakes.value} other user(s) in the tenant have the same first and last name`,
      failure: `Someone else in this organisation has the same first and last name, so a government ID credential cannot show which of them is calling. ${VERIFY_OTHERWISE}`,
    };
  return { matchedBy: 'first and last name, unique in the tenant' };
}

/**
 * A Verified ID profile as Graph v1.0 returns it (https://learn.microsoft.com/graph/api/resources/verifiedidprofile;
 * @microsoft/microsoft-graph-types 2.43 predates it), limited to what the bot reads: here and in the
 * recovery setup (src/directory/recovery-setup.ts).
 */
export interface VerifiedIdProfile {
  id: string;
  name: string;
  state: 'enabled' | 'disabled' | 'unknownFutureValue';
  priority?: number | null;
  verifierDid?: string;
  verifiedIdProfileConfiguration?: {
    type?: string;
    acceptedIssuer?: string;
    claimBindings?: { sourceAttribute: string; verifiedIdClaim: string; matchConfidenceLevel?: string | null }[];
    /** https://learn.microsoft.com/graph/api/resources/claimvalidation */
    claimValidation?: { isEnabled?: boolean | null; customExtensionId?: string | null } | null;
  };
  faceCheckConfiguration?: { isEnabled: boolean; sourcePhotoClaimName?: string };
  verifiedIdUsageConfigurations?: { purpose: string; isEnabledForTestOnly: boolean }[];
}

/** A Verified ID profile, as much as the identity credential needs. */
export type IdentityProfile = Pick<
  VerifiedIdProfile,
  | 'name'
  | 'state'
  | 'priority'
  | 'verifiedIdProfileConfiguration'
  | 'faceCheckConfiguration'
  | 'verifiedIdUsageConfigurations'
>;

// https://learn.microsoft.com/graph/api/resources/verifiedidusageconfiguration: `all` covers recovery too.
const RECOVERY_PURPOSES = new Set(['recovery', 'all']);
const SUBJECT_PREFIX = /^vc\.credentialSubject\./i;

/**
 * The identity credential's settings: configuration when it names issuers of its own
 * (VERIFIED_ID_IDENTITY_ISSUERS), else the tenant's first enabled recovery profile
 * (https://learn.microsoft.com/graph/api/resources/verifiedidprofile: `verifiedIdProfileConfiguration`
 * `type`, `acceptedIssuer`, `claimBindings` with source attributes "First name" and "Last name";
 * `faceCheckConfiguration.sourcePhotoClaimName`, "currently must always be portrait"), else the
 * configuration's issuers with the claim names Microsoft's sample uses (firstName, lastName).
 */
export function identitySettings(
  profiles: Fact<IdentityProfile[]>,
  configured: { overrideIssuers: string[]; acceptedIssuers: string[] },
): IdentityCredentialSettings {
  const fromConfiguration = (why: string): IdentityCredentialSettings => ({
    type: 'VerifiedIdentity',
    acceptedIssuers: configured.acceptedIssuers,
    givenNameClaim: 'firstName',
    surnameClaim: 'lastName',
    photoClaim: 'portrait',
    source: `the bot’s configuration (${why})`,
  });
  if (configured.overrideIssuers.length > 0)
    return {
      ...fromConfiguration('VERIFIED_ID_IDENTITY_ISSUERS'),
      acceptedIssuers: configured.overrideIssuers,
    };
  if (!profiles.known) return fromConfiguration(`the recovery profile could not be read: ${profiles.reason}`);
  const profile = profiles.value
    .filter(
      (p) =>
        p.state === 'enabled' &&
        p.verifiedIdProfileConfiguration?.type &&
        p.verifiedIdProfileConfiguration.acceptedIssuer &&
        (p.verifiedIdUsageConfigurations ?? []).some((u) => RECOVERY_PURPOSES.has(u.purpose)),
    )
    .sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER))[0];
  if (!profile) return fromConfiguration('the tenant has no enabled recovery profile');
  const configuration = profile.verifiedIdProfileConfiguration!;
  const claimFor = (attribute: string, fallback: string) =>
    configuration.claimBindings
      ?.find((b) => b.sourceAttribute.toLowerCase() === attribute)
      ?.verifiedIdClaim.replace(SUBJECT_PREFIX, '') || fallback;
  return {
    type: configuration.type!,
    acceptedIssuers: [configuration.acceptedIssuer!],
    givenNameClaim: claimFor('first name', 'firstName'),
    surnameClaim: claimFor('last name', 'lastName'),
    photoClaim: profile.faceCheckConfiguration?.sourcePhotoClaimName || 'portrait',
    source: `the tenant’s recovery profile “${profile.name}”`,
  };
}
