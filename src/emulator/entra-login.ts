import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { CALLOUT_DATA_TYPE, CALLOUT_TYPE } from '../recovery-extension/callout.js';
import { CUSTOM_AUTHENTICATION_EXTENSIONS_APP_ID } from '../recovery-extension/token.js';

/*
 * Entra's side of a custom authentication extension, on loopback: the tenant's OpenID configuration
 * and signing keys, tokens signed with this emulator's own keys, and the OnVerifiedIdClaimValidation
 * callout itself. Shapes from Microsoft's pages:
 * - OpenID configuration at `{login}/{tenant}/v2.0/.well-known/openid-configuration`, with `issuer`
 *   `{login}/{tenant}/v2.0` and `jwks_uri` `{login}/{tenant}/discovery/v2.0/keys`
 *   (MicrosoftDocs/entra-docs docs/identity-platform/v2-protocols-oidc.md, "Fetch the OpenID configuration document");
 * - keys as RSA JWKs with `kid`, `use: sig` (access-tokens.md, "Validate the signature"); tokens RS256 with
 *   `kid` in the header, `aud` the API's client id, `iss`, `tid`, `azp` the custom authentication
 *   extensions app 99045fe1-..., `exp`/`nbf`/`iat`, `ver` 2.0 (access-token-claims-reference.md;
 *   custom-extension-overview.md, "Protect your REST API");
 * - the callout body and its `Authorization: Bearer` header
 *   (tutorial-custom-authentication-extension-account-recovery.md, "4.1 Test the function directly").
 * An unknown tenant gets 400, as Entra answers an unknown tenant's discovery document.
 */

export interface CalloutInput {
  userPrincipalName: string;
  claims: Record<string, unknown>;
  userId?: string;
  employeeId?: string;
  correlationId?: string;
}

export interface CalloutResult {
  status: number;
  contentType: string | null;
  body: any;
  correlationId: string;
}

export interface EntraLoginEmulator {
  /** The sign-in host to configure as ENTRA_LOGIN_BASE_URL. */
  baseUrl: string;
  tenantId: string;
  /** A token as Entra sends with a callout; `claims` overrides or (with undefined) removes claims. */
  token(audience: string, claims?: Record<string, unknown>): Promise<string>;
  /** A new signing key, published beside the old one and used from now on, as Entra rotates keys. */
  rotateKeys(): Promise<void>;
  /** How many times the keys were fetched, to show the bot caches them. */
  keyFetches(): number;
  calloutBody(input: CalloutInput): Record<string, unknown>;
  /** Plays Entra: POSTs the callout with a fresh token to the extension's URL. */
  sendCallout(url: string, audience: string, input: CalloutInput): Promise<CalloutResult>;
  close(): Promise<void>;
}

type SigningKey = { kid: string; privateKey: CryptoKey; jwk: Record<string, unknown> };

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID().replace(/-/g, '');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', kty: 'RSA' } };
}

export async function startEntraLoginEmulator(options: {
  tenantId: string;
  port?: number;
}): Promise<EntraLoginEmulator> {
  const { tenantId } = options;
  const keys: SigningKey[] = [await newKey()];
  let fetches = 0;
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: 'method_not_allowed' });
    if (path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return send(200, {
        issuer: `${baseUrl}/${tenantId}/v2.0`,
        jwks_uri: `${baseUrl}/${tenantId}/discovery/v2.0/keys`,
        token_endpoint: `${baseUrl}/${tenantId}/oauth2/v2.0/token`,
        authorization_endpoint: `${baseUrl}/${tenantId}/oauth2/v2.0/authorize`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
        tenant_region_scope: 'EU',
      });
    }
    if (path === `/${tenantId}/discovery/v2.0/keys`) {
      fetches++;
      return send(200, { keys: keys.map((key) => key.jwk) });
    }
    send(400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${path.split('/')[1]}' not found.` });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const token = async (audience: string, overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      aud: audience,
      iss: `${baseUrl}/${tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3_600,
      aio: 'emulated',
      azp: CUSTOM_AUTHENTICATION_EXTENSIONS_APP_ID,
      azpacr: '2',
      oid: randomUUID(),
      rh: 'emulated',
      sub: randomUUID(),
      tid: tenantId,
      uti: randomUUID().replace(/-/g, ''),
      ver: '2.0',
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const key = keys[keys.length - 1]!;
    return new SignJWT(claims as JWTPayload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);
  };

  const calloutBody = (input: CalloutInput) => ({
    type: CALLOUT_TYPE,
    source: `/tenants/${tenantId}/applications/${CUSTOM_AUTHENTICATION_EXTENSIONS_APP_ID}`,
    data: {
      '@odata.type': CALLOUT_DATA_TYPE,
      tenantId,
      authenticationContext: {
        correlationId: input.correlationId ?? randomUUID(),
        user: { userPrincipalName: input.userPrincipalName, ...(input.userId && { id: input.userId }) },
      },
      verifiedIdClaimsContext: {
        ...(input.employeeId && { additionalInfo: { employeeId: input.employeeId } }),
        claims: input.claims,
      },
    },
  });

  return {
    baseUrl,
    tenantId,
    token,
    rotateKeys: async () => {
      keys.push(await newKey());
    },
    keyFetches: () => fetches,
    calloutBody,
    sendCallout: async (url, audience, input) => {
      const body = calloutBody(input);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(audience)}` },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: parsed,
        correlationId: body.data.authenticationContext.correlationId,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
