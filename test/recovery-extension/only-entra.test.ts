import { readdir } from 'node:fs/promises';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EXTENSION_AUDIENCE } from '../../src/emulator/claim-validation-demo.js';
import { startEntraLoginEmulator } from '../../src/emulator/entra-login.js';
import { EntraTokenVerifier } from '../../src/recovery-extension/token.js';
import { type Harness, startHarness } from '../harness.js';
import { callout, extensionUrl, failedAnswer, ownClaims, rememberClaimValues } from './helpers.js';

/* Only Entra may call the extension: anything else is 401, and nothing is decided or recorded. */
describe('claim validation extension: only Entra may call it', () => {
  let harness: Harness;
  const upn = 'adele.vance@contoso.com';
  beforeAll(async () => {
    harness = await startHarness({ claimValidation: true });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  const post = async (
    authorization: string | undefined,
    body: unknown = harness.entra!.calloutBody({ userPrincipalName: upn, claims: ownClaims(upn) }),
  ) => {
    const response = await fetch(extensionUrl(harness), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: await response.json().catch(() => undefined),
      wwwAuthenticate: response.headers.get('www-authenticate'),
    };
  };
  const withToken = async (claims: Record<string, unknown>, audience = DEMO_EXTENSION_AUDIENCE) =>
    post(`Bearer ${await harness.entra!.token(audience, claims)}`);
  const now = () => Math.floor(Date.now() / 1000);

  const refusals: Array<[string, () => Promise<{ status: number }>]> = [
    ['no token', () => post(undefined)],
    ['no token and a body that is not JSON (nothing is read before the token)', () => post(undefined, '{"type":')],
    ['a token that is not a JWT', () => post('Bearer not-a-token')],
    ['a token for another API (aud)', () => withToken({}, '44444444-0000-4000-8000-000000000001')],
    [
      "a token for the API's identifier URI instead of its client id",
      () => withToken({}, `api://bot.contoso.com/${DEMO_EXTENSION_AUDIENCE}`),
    ],
    ['a token another app asked for (azp)', () => withToken({ azp: '55555555-0000-4000-8000-000000000001' })],
    [
      'a token without azp (a v1 token names the app in appid)',
      () => withToken({ azp: undefined, appid: '99045fe1-7639-4a75-9d4a-577b6ca3810f' }),
    ],
    ['a token from another tenant (tid)', () => withToken({ tid: '66666666-0000-4000-8000-000000000001' })],
    [
      'a token from another issuer',
      () => withToken({ iss: 'https://sts.windows.net/66666666-0000-4000-8000-000000000001/' }),
    ],
    ['an expired token', () => withToken({ exp: now() - 600, iat: now() - 4000, nbf: now() - 4000 })],
    ['a token not valid yet (nbf)', () => withToken({ nbf: now() + 3600 })],
    ['a token issued in the future (iat)', () => withToken({ iat: now() + 3600 })],
    ['a token without its time claims', () => withToken({ nbf: undefined })],
  ];

  for (const [what, send] of refusals) {
    it(`refuses ${what} with 401`, async () => {
      const response = await send();
      expect(response.status).toBe(401);
    });
  }

  it("refuses a token signed with a key that is not the tenant's, even one naming a published kid", async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const published = (await (await fetch(`${harness.entra!.baseUrl}/${harness.tenantId}/discovery/v2.0/keys`)).json())
      .keys[0].kid;
    const forged = await new SignJWT({
      aud: DEMO_EXTENSION_AUDIENCE,
      iss: `${harness.entra!.baseUrl}/${harness.tenantId}/v2.0`,
      tid: harness.tenantId,
      azp: '99045fe1-7639-4a75-9d4a-577b6ca3810f',
      iat: now(),
      nbf: now(),
      exp: now() + 600,
    })
      .setProtectedHeader({ alg: 'RS256', kid: published })
      .sign(privateKey);
    expect((await post(`Bearer ${forged}`)).status).toBe(401);
    expect(JSON.stringify(await exportJWK(publicKey))).not.toBe('');
    const unsigned = `${forged.split('.').slice(0, 2).join('.')}.`;
    expect((await post(`Bearer ${unsigned}`)).status).toBe(401);
  });

  it('answers a refused call with WWW-Authenticate and records nothing', async () => {
    const response = await post(undefined);
    expect(response.wwwAuthenticate).toBe('Bearer');
    expect(response.body.error.code).toBe('Unauthorized');
    expect(await readdir(harness.dataDir).catch(() => [])).not.toContain('recovery-attempts');
    expect(harness.logs.some((line) => line.includes('refused claim validation callout: no bearer token'))).toBe(true);
  });

  it('reads the keys once and keeps them for later callouts', async () => {
    const before = harness.entra!.keyFetches();
    for (let i = 0; i < 3; i++) await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) });
    expect(harness.entra!.keyFetches()).toBe(before);
  });

  describe('bad input from Entra: 400 with the reason, never a pass', () => {
    const good = () => harness.entra!.calloutBody({ userPrincipalName: upn, claims: ownClaims(upn) }) as any;
    const token = () => harness.entra!.token(DEMO_EXTENSION_AUDIENCE);
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['a body that is not JSON', () => '{"type":', /./],
      [
        'another event type',
        () => ({ ...good(), type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart' }),
        /type must be microsoft\.graph\.authenticationEvent\.verifiedIdClaimValidation/,
      ],
      [
        'no user',
        () => {
          const body = good();
          delete body.data.authenticationContext.user;
          return body;
        },
        /userPrincipalName must name the user/,
      ],
      [
        'no claims',
        () => {
          const body = good();
          delete body.data.verifiedIdClaimsContext.claims;
          return body;
        },
        /claims must be an object/,
      ],
      [
        'another tenant in the body',
        () => ({ ...good(), data: { ...good().data, tenantId: '66666666-0000-4000-8000-000000000001' } }),
        /not the tenant this extension serves/,
      ],
    ];
    for (const [what, body, reason] of cases) {
      it(what, async () => {
        const response = await post(`Bearer ${await token()}`, body());
        expect(response.status).toBe(400);
        expect(response.body?.error?.message ?? '').toMatch(reason);
        expect(JSON.stringify(response.body)).not.toContain('verifiedIdClaimValidation.pass');
      });
    }
  });
});

describe('signing keys: cached, and a rotated key is fetched when a token names it', () => {
  it('verifies tokens signed with a new key after Entra rotates, and never with a removed tenant', async () => {
    const tenantId = '77777777-0000-4000-8000-000000000001';
    const entra = await startEntraLoginEmulator({ tenantId });
    try {
      const verifier = new EntraTokenVerifier({
        loginBaseUrl: entra.baseUrl,
        tenantId,
        audience: DEMO_EXTENSION_AUDIENCE,
        keyRefetchCooldownMs: 0,
      });
      expect(await verifier.verify(`Bearer ${await entra.token(DEMO_EXTENSION_AUDIENCE)}`)).toMatchObject({ ok: true });
      expect(await verifier.verify(`Bearer ${await entra.token(DEMO_EXTENSION_AUDIENCE)}`)).toMatchObject({ ok: true });
      expect(entra.keyFetches()).toBe(1);
      await entra.rotateKeys();
      expect(await verifier.verify(`Bearer ${await entra.token(DEMO_EXTENSION_AUDIENCE)}`)).toMatchObject({ ok: true });
      expect(entra.keyFetches()).toBe(2);
      const other = new EntraTokenVerifier({
        loginBaseUrl: entra.baseUrl,
        tenantId: '88888888-0000-4000-8000-000000000001',
        audience: DEMO_EXTENSION_AUDIENCE,
      });
      expect(await other.verify(`Bearer ${await entra.token(DEMO_EXTENSION_AUDIENCE)}`)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('OpenID configuration'),
      });
    } finally {
      await entra.close();
    }
  });
});

describe('a claims source missing at start', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      claimValidation: true,
      env: { RECOVERY_CLAIMS_SOURCE: 'csv:/nonexistent/hr-records.csv' },
    });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  it('the bot starts, says so once, and every callout fails with the reason logged', async () => {
    const upn = 'adele.vance@contoso.com';
    const answers = [
      await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) }),
      await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) }),
    ];
    for (const answer of answers) expect(answer.body).toEqual(failedAnswer([]));
    expect(harness.logs.filter((line) => line.includes('is unavailable (the file does not exist)'))).toHaveLength(1);
    expect(
      harness.logs.filter((line) => line.includes('the claims source is unavailable: the file does not exist')),
    ).toHaveLength(2);
  });
});
