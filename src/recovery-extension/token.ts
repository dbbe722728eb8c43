import { createRemoteJWKSet, customFetch, errors, type JWTPayload, jwtVerify, type RemoteJWKSet } from 'jose';

/**
 * Only Entra may call the claim validation extension. Its callout carries a bearer token that
 * Entra issued to Microsoft's custom authentication extensions app for the API's app registration.
 * What is checked, as Microsoft documents it:
 * - "Validate that the respective claim contains the 99045fe1-7639-4a75-9d4a-577b6ca3810f value ...
 *   For V2 Applications, validate the azp claim"; "The bearer token aud audience claim contains the ID
 *   of the associated application registration"; "Workforce: https://login.microsoftonline.com/{tenantId}/v2.0"
 *   (MicrosoftDocs/entra-docs docs/identity-platform/custom-extension-overview.md, "Protect your REST API");
 * - in v2.0 tokens `aud` "is always the client ID of the API", `tid` is the tenant, `exp`/`nbf`/`iat`
 *   are Unix times, the header's `kid` names the signing key (docs/identity-platform/access-token-claims-reference.md);
 * - the keys come from the tenant's OpenID configuration's `jwks_uri` (the tutorial's
 *   `https://login.microsoftonline.com/{tenantId}/v2.0/.well-known/openid-configuration`).
 * The signature, issuer, audience and times are checked by `jose`; no crypto here.
 */
export const CUSTOM_AUTHENTICATION_EXTENSIONS_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';

/** Microsoft's token validation libraries allow five minutes of clock skew. */
const CLOCK_TOLERANCE_S = 300;
/** The OpenID configuration (and with it `jwks_uri`) is read again after a day. */
const DISCOVERY_TTL_MS = 24 * 3_600_000;

export type TokenCheck = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

export interface TokenVerifierOptions {
  loginBaseUrl: string;
  tenantId: string;
  audience: string;
  /** After a key set was fetched, how long an unknown `kid` waits before the keys are fetched again (jose's default 30 s). */
  keyRefetchCooldownMs?: number;
  fetch?: typeof fetch;
}

export class EntraTokenVerifier {
  readonly issuer: string;
  private discovery?: { at: number; keys: Promise<RemoteJWKSet> };

  constructor(private readonly options: TokenVerifierOptions) {
    this.issuer = `${options.loginBaseUrl}/${options.tenantId}/v2.0`;
  }

  /** Starts reading the OpenID configuration and keys, so the first callout does not wait for them. */
  warmUp(): void {
    this.keys()
      .then((keys) => keys.reload())
      .catch(() => undefined);
  }

  async verify(authorization: string | undefined): Promise<TokenCheck> {
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, reason: 'no bearer token' };
    let keys: RemoteJWKSet;
    try {
      keys = await this.keys();
    } catch (error) {
      return { ok: false, reason: `Entra's OpenID configuration could not be read (${(error as Error).message})` };
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: this.issuer,
        audience: this.options.audience,
        algorithms: ['RS256'],
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'nbf', 'iat', 'tid', 'azp'],
      }));
    } catch (error) {
      return { ok: false, reason: tokenProblem(error) };
    }
    if (claims.tid !== this.options.tenantId) return { ok: false, reason: 'tid is not this tenant' };
    if (claims.azp !== CUSTOM_AUTHENTICATION_EXTENSIONS_APP_ID)
      return { ok: false, reason: "azp is not Microsoft's custom authentication extensions app" };
    if (typeof claims.iat !== 'number' || claims.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S)
      return { ok: false, reason: 'iat is in the future' };
    return { ok: true, claims };
  }

  private keys(): Promise<RemoteJWKSet> {
    if (!this.discovery || Date.now() - this.discovery.at > DISCOVERY_TTL_MS) {
      const keys = this.discover();
      this.discovery = { at: Date.now(), keys };
      // A failed read is not kept: the next callout tries again.
      keys.catch(() => (this.discovery = undefined));
    }
    return this.discovery.keys;
  }

  private async discover(): Promise<RemoteJWKSet> {
    const fetchImpl = this.options.fetch ?? fetch;
    const url = `${this.issuer}/.well-known/openid-configuration`;
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.issuer) throw new Error('its issuer is not this tenant');
    if (typeof document.jwks_uri !== 'string') throw new Error('it has no jwks_uri');
    const jwksUri = new URL(document.jwks_uri);
    // The keys live on the same sign-in host; a configuration pointing elsewhere is not trusted.
    if (jwksUri.origin !== new URL(this.options.loginBaseUrl).origin) throw new Error('jwks_uri is on another host');
    return createRemoteJWKSet(jwksUri, {
      cooldownDuration: this.options.keyRefetchCooldownMs ?? 30_000,
      timeoutDuration: 2_000,
      ...(this.options.fetch && { [customFetch]: this.options.fetch }),
    });
  }
}

/** What was wrong with a token, in words that quote none of it. */
function tokenProblem(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim} is not as expected (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return "no key in the tenant's key set matches the token's kid";
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with RS256';
  if (error instanceof errors.JOSEError) return `the token is not valid (${error.code})`;
  return `the token could not be checked (${(error as Error).name})`;
}
