/** Caller verification settings (CALLER_VERIFICATION and VERIFIED_ID_*). */
import {
  CREDENTIAL_TYPES,
  type CredentialType,
  VERIFICATION_POLICIES,
  type VerificationConfig,
} from '../caller-verification/settings.js';
import { ConfigError, type ConfigVariable, httpsOrLoopback, isLoopbackUrl } from './env.js';

export type { VerificationConfig };

/** https://learn.microsoft.com/entra/verified-id/presentation-request-api (the Request Service's own host). */
export const PUBLIC_VERIFIED_ID_BASE_URL = 'https://verifiedid.did.msidentity.com/v1.0';

/** A decentralized identifier as Verified ID uses them (did:web:…, did:ion:…). */
const DID = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

export function verificationConfig(
  read: (name: ConfigVariable) => string | undefined,
  integer: (name: ConfigVariable, fallback: number, min: number, max: number) => number,
  oneOf: <T extends string>(name: ConfigVariable, allowed: readonly T[], fallback: T) => T,
  demo: boolean,
): VerificationConfig {
  const policy = oneOf('CALLER_VERIFICATION', VERIFICATION_POLICIES, 'off');
  const list = (name: ConfigVariable) =>
    (read(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const authority = read('VERIFIED_ID_AUTHORITY');
  if (authority !== undefined && !DID.test(authority)) {
    throw new ConfigError(
      'VERIFIED_ID_AUTHORITY',
      `must be the verifier's DID, like did:web:verifiedid.contoso.com (got "${authority}")`,
    );
  }
  const didList = (name: ConfigVariable): string[] => {
    const dids = list(name);
    const bad = dids.find((did) => !DID.test(did));
    if (bad !== undefined) throw new ConfigError(name, `must be a comma-separated list of DIDs, "${bad}" is not one`);
    return dids;
  };
  const acceptedIssuers = didList('VERIFIED_ID_ACCEPTED_ISSUERS');
  const identityIssuers = didList('VERIFIED_ID_IDENTITY_ISSUERS');
  const types = list('VERIFIED_ID_CREDENTIAL_TYPES');
  const badType = types.find((type) => !(CREDENTIAL_TYPES as readonly string[]).includes(type));
  if (badType !== undefined)
    throw new ConfigError(
      'VERIFIED_ID_CREDENTIAL_TYPES',
      `must be ${CREDENTIAL_TYPES.join(' and/or ')} (got "${badType}")`,
    );
  const requestServiceUrl = httpsOrLoopback(
    'VERIFIED_ID_BASE_URL',
    read('VERIFIED_ID_BASE_URL') ?? PUBLIC_VERIFIED_ID_BASE_URL,
  );
  const publicBase = read('PUBLIC_BASE_URL');
  const publicBaseUrl = publicBase === undefined ? undefined : httpsOrLoopback('PUBLIC_BASE_URL', publicBase);
  // The demo tenant fills these in with its own emulator and DID (src/emulator/verified-id/demo.ts).
  if (policy !== 'off' && !demo) {
    if (!authority)
      throw new ConfigError(
        'VERIFIED_ID_AUTHORITY',
        `is required when CALLER_VERIFICATION is ${policy} (the tenant's verifier DID)`,
      );
    // The Request Service accepts any issuer when the list is empty: never send one.
    if (acceptedIssuers.length === 0)
      throw new ConfigError(
        'VERIFIED_ID_ACCEPTED_ISSUERS',
        `is required when CALLER_VERIFICATION is ${policy}: an empty list would accept a credential from any issuer`,
      );
    if (!publicBaseUrl && !isLoopbackUrl(requestServiceUrl)) {
      throw new ConfigError(
        'PUBLIC_BASE_URL',
        'is required with a real Verified ID Request Service: the https address where it calls the bot back and callers open their page',
      );
    }
  }
  return {
    policy,
    authority,
    acceptedIssuers,
    credentialTypes: types.length > 0 ? [...new Set(types as CredentialType[])] : ['VerifiedEmployee'],
    identityIssuers,
    faceCheckThreshold: integer('FACE_CHECK_THRESHOLD', 70, 50, 100),
    passDelivery: oneOf('PASS_DELIVERY', ['verified-person', 'agent-chat'] as const, 'verified-person'),
    publicBaseUrl,
    requestServiceUrl,
    linkMinutes: integer('VERIFICATION_LINK_MINUTES', 15, 5, 60),
  };
}
