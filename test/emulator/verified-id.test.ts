import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerifiedIdEmulator, type VerifiedIdEmulator } from '../../src/emulator/verified-id/request-service.js';
import { TestWallet, verifiedEmployee } from '../../src/emulator/verified-id/wallet.js';

const ISSUER = 'did:web:verifiedid.contoso.com';

describe('the Verified ID Request Service emulator and the test wallet', () => {
  let emulator: VerifiedIdEmulator;
  let receiver: Server;
  let callbackUrl: string;
  const received: Array<{ headers: Record<string, unknown>; body: any }> = [];

  const request = (overrides: Record<string, unknown> = {}) => ({
    authority: ISSUER,
    includeQRCode: true,
    registration: { clientName: 'SSAR Helpdesk' },
    callback: { url: callbackUrl, state: 'state-1', headers: { 'api-key': 'key-1' } },
    requestedCredentials: [
      {
        type: 'VerifiedEmployee',
        acceptedIssuers: [ISSUER],
        configuration: {
          validation: {
            allowRevoked: false,
            validateLinkedDomain: true,
            faceCheck: { sourcePhotoClaimName: 'photo', matchConfidenceThreshold: 70 },
          },
        },
      },
    ],
    ...overrides,
  });
  const create = (body: unknown) =>
    fetch(`${emulator.baseUrl}/verifiableCredentials/createPresentationRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    emulator = await startVerifiedIdEmulator();
    receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
  });
  afterAll(async () => {
    await emulator.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('creates a presentation request: 201 with requestId, an openid-vc link, expiry and a PNG QR code', async () => {
    const response = await create(request());
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({
      requestId: expect.any(String),
      url: expect.stringMatching(/^openid-vc:\/\/\?request_uri=http/),
      expiry: expect.any(Number),
    });
    expect(body.qrCode).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(body.expiry).toBeGreaterThan(Date.now() / 1000);
  });

  it.each([
    [{ authority: 'contoso' }, 'authority'],
    [{ includeQRCode: 'yes' }, 'includeQRCode'],
    [{ callback: { url: 'x', state: 's' } }, 'callback.url'],
    [{ callback: { url: 'http://127.0.0.1/cb', state: 's', headers: { 'x-secret': '1' } } }, 'callback.headers'],
    [{ requestedCredentials: [] }, 'requestedCredentials'],
    [
      {
        requestedCredentials: [
          { type: 'VerifiedEmployee', configuration: { validation: { faceCheck: { matchConfidenceThreshold: 70 } } } },
        ],
      },
      'requestedCredentials[0].configuration.validation.faceCheck.sourcePhotoClaimName',
    ],
    [
      {
        requestedCredentials: [
          {
            type: 'VerifiedEmployee',
            configuration: {
              validation: { faceCheck: { sourcePhotoClaimName: 'photo', matchConfidenceThreshold: 40 } },
            },
          },
        ],
      },
      'requestedCredentials[0].configuration.validation.faceCheck.matchConfidenceThreshold',
    ],
  ])('refuses a bad request with the documented error body: %o', async (overrides, target) => {
    const response = await create(request(overrides));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({
      requestId: expect.any(String),
      date: expect.any(String),
      error: {
        code: 'badRequest',
        message: 'The request is invalid.',
        innererror: { code: 'badOrMissingField', target },
      },
    });
  });

  it('a passing presentation: request_retrieved, then presentation_verified with the credential and its Face Check score, each with the api-key header', async () => {
    received.length = 0;
    const { url, requestId } = await (await create(request())).json();
    const credential = verifiedEmployee(
      { userPrincipalName: 'adele.vance@contoso.com', givenName: 'Adele', surname: 'Vance' },
      ISSUER,
    );
    const result = await new TestWallet().present(url, { credential, faceCheckScore: 86.3 });
    expect(result).toEqual({ status: 200, callbackStatus: 200 });
    expect(received.map((r) => r.body.requestStatus)).toEqual(['request_retrieved', 'presentation_verified']);
    expect(received.every((r) => r.headers['api-key'] === 'key-1')).toBe(true);
    expect(received[1]!.body).toMatchObject({
      requestId,
      state: 'state-1',
      subject: expect.stringMatching(/^did:/),
      verifiedCredentialsData: [
        {
          issuer: ISSUER,
          type: ['VerifiableCredential', 'VerifiedEmployee'],
          claims: { revocationId: 'adele.vance@contoso.com' },
          credentialState: { revocationStatus: 'VALID' },
          faceCheck: { matchConfidenceScore: 86.3 },
        },
      ],
    });
  });

  it('a Face Check below the threshold ends in presentation_error claimValidationError, with no score', async () => {
    received.length = 0;
    const { url } = await (await create(request())).json();
    const credential = verifiedEmployee({ userPrincipalName: 'adele.vance@contoso.com' }, ISSUER);
    await new TestWallet().present(url, { credential, faceCheckScore: 55.25 });
    const last = received.at(-1)!.body;
    expect(last).toMatchObject({
      requestStatus: 'presentation_error',
      error: { code: 'claimValidationError', message: 'Match confidence score failing to meet the threshold.' },
    });
    expect(JSON.stringify(last)).not.toMatch(/55\.25|matchConfidenceScore|verifiedCredentialsData/);
  });

  it('a request can be presented once', async () => {
    const { url } = await (await create(request())).json();
    const credential = verifiedEmployee({ userPrincipalName: 'adele.vance@contoso.com' }, ISSUER);
    await new TestWallet().present(url, { credential, faceCheckScore: 90 });
    expect((await new TestWallet().present(url, { credential, faceCheckScore: 90 })).status).toBe(404);
  });
});
