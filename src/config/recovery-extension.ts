/** The claim validation extension settings (RECOVERY_* and ENTRA_LOGIN_BASE_URL). */
import { ConfigError, type ConfigVariable, httpsOrLoopback, isLoopbackUrl } from './env.js';

/** Where the organisation's records for claim validation come from (issue 30). */
export type ClaimsSourceConfig = { kind: 'csv'; path: string } | { kind: 'hr-api'; baseUrl: string };

/**
 * The bot as Entra's claim validation custom authentication extension (OnVerifiedIdClaimValidation).
 * Off (the route answers 404) unless a claims source is configured.
 */
export interface RecoveryExtensionConfig {
  claimsSource?: ClaimsSourceConfig;
  /** Claim keys that must be present and match the record, besides first and last name. */
  requiredClaims: string[];
  /** `refuse`: holders of any directory role fail, so they go through the helpdesk. */
  privileged: 'refuse' | 'allow';
  /** The `aud` Entra's token must carry: the API app registration's application (client) id for v2 tokens. */
  audience?: string;
  /** Entra's sign-in host; the tenant's OpenID configuration and keys are read under it. */
  loginBaseUrl: string;
  /** The tenant whose Entra may call (`tid` and issuer); GRAPH_TENANT_ID, or the demo tenant's. */
  tenantId?: string;
}

export const PUBLIC_LOGIN_BASE_URL = 'https://login.microsoftonline.com';

/** A claim key as Verified ID names them (firstName, dateOfBirth, documentId). */
const CLAIM_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function recoveryExtensionConfig(
  read: (name: ConfigVariable) => string | undefined,
  oneOf: <T extends string>(name: ConfigVariable, allowed: readonly T[], fallback: T) => T,
  tenantId: string | undefined,
  demo: boolean,
): RecoveryExtensionConfig {
  const raw = read('RECOVERY_CLAIMS_SOURCE');
  let claimsSource: ClaimsSourceConfig | undefined;
  if (raw?.startsWith('csv:')) {
    const path = raw.slice('csv:'.length).trim();
    if (!path)
      throw new ConfigError('RECOVERY_CLAIMS_SOURCE', 'must name a file after "csv:", like csv:/home/data/hr.csv');
    claimsSource = { kind: 'csv', path };
  } else if (raw !== undefined) {
    if (!/^https?:\/\//.test(raw))
      throw new ConfigError(
        'RECOVERY_CLAIMS_SOURCE',
        `must be csv:<path> or the https base URL of an HR API (got "${raw.slice(0, 80)}")`,
      );
    claimsSource = { kind: 'hr-api', baseUrl: httpsOrLoopback('RECOVERY_CLAIMS_SOURCE', raw) };
  }
  const required = (read('RECOVERY_REQUIRED_CLAIMS') ?? 'dateOfBirth')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const badClaim = required.find((claim) => !CLAIM_KEY.test(claim));
  if (badClaim !== undefined)
    throw new ConfigError(
      'RECOVERY_REQUIRED_CLAIMS',
      `must be a comma-separated list of claim keys, "${badClaim}" is not one`,
    );
  const audience = read('RECOVERY_EXTENSION_AUDIENCE');
  // Fail closed: without an audience, any token the tenant issued to any app would be accepted.
  // The demo tenant fills in its emulator's own audience (src/emulator/entra-login/demo.ts).
  if (claimsSource && !audience && !demo)
    throw new ConfigError(
      'RECOVERY_EXTENSION_AUDIENCE',
      "is required when RECOVERY_CLAIMS_SOURCE is set: the application (client) id of the extension's API app registration, the `aud` of Entra's v2 tokens",
    );
  if (claimsSource && !tenantId && !demo)
    throw new ConfigError(
      'GRAPH_TENANT_ID',
      "is required with RECOVERY_CLAIMS_SOURCE: only the tenant's own Entra may call the extension",
    );
  const loginBase = read('ENTRA_LOGIN_BASE_URL') ?? read('AUTHORITY_HOST') ?? PUBLIC_LOGIN_BASE_URL;
  return {
    claimsSource,
    requiredClaims: [...new Set(required)],
    privileged: oneOf('RECOVERY_PRIVILEGED', ['refuse', 'allow'] as const, 'refuse'),
    audience,
    loginBaseUrl: httpsOrLoopback('ENTRA_LOGIN_BASE_URL', loginBase),
    tenantId,
  };
}
