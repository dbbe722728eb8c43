import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { storedText } from '../escalation-bot/helpers.js';
import type { Harness } from '../harness.js';
import {
  ADELE,
  act,
  CallerBrowser,
  callbackSecrets,
  cardAs,
  cast,
  fileAndStartVerification,
  ISSUER,
  postCallback,
  startVerification,
  startVerifying,
  TestWallet,
  verifiedEmployee,
  verifyAsCaller,
} from './helpers.js';

const verifiedBody = (secrets: { requestId: string; state: string }, credential: Record<string, unknown> = {}) => ({
  requestId: secrets.requestId,
  requestStatus: 'presentation_verified',
  state: secrets.state,
  subject: 'did:web:wallet.example:attacker',
  verifiedCredentialsData: [
    {
      issuer: ISSUER,
      type: ['VerifiableCredential', 'VerifiedEmployee'],
      claims: { revocationId: ADELE.userPrincipalName, givenName: 'Adele', surname: 'Vance' },
      credentialState: { revocationStatus: 'VALID' },
      domainValidation: { url: 'https://contoso.com/' },
      issuanceDate: '2026-11-01T10:00:00Z',
      faceCheck: { matchConfidenceScore: 91 },
      ...credential,
    },
  ],
});

async function auditEvents(harness: Harness, requestId: string) {
  const entries = await new FileStore({ dataDir: harness.dataDir }).readLog<AuditEntry & { event?: string }>('audit');
  return entries
    .filter((e) => e.requestId === requestId && (e.action as string) === 'caller-verification')
    .map((e) => `${e.event}${e.detail ? ` ${e.detail}` : ''}`);
}

/** Opens the QR page in a fresh browser (the Request Service now knows the session's secrets) without presenting. */
async function openSession(harness: Harness) {
  const started = await fileAndStartVerification(harness);
  const browser = new CallerBrowser(harness);
  const qrPage = await browser.enterCode(started.link, started.code);
  return { started, browser, qrPage, secrets: callbackSecrets(harness, started.sessionId) };
}

describe('refusals on the way to a verified caller, each through HTTP', () => {
  let harness: Harness;
  let clock = Date.now();
  beforeAll(async () => {
    harness = await startVerifying('required', {}, () => new Date(clock));
  });
  afterAll(() => harness.close());

  it('a forged callback (no api-key, a wrong api-key, or the right key with a wrong state) changes nothing', async () => {
    const { started, secrets } = await openSession(harness);
    expect((await postCallback(secrets.url, verifiedBody(secrets))).status).toBe(401);
    expect((await postCallback(secrets.url, verifiedBody(secrets), 'x'.repeat(43))).status).toBe(401);
    expect(
      (await postCallback(secrets.url, verifiedBody({ ...secrets, state: 'guessed' }), secrets.apiKey)).status,
    ).toBe(403);
    expect((await cardAs(harness, cast.megan, started.requestId)).actions).not.toContain('Approve');
    const events = await auditEvents(harness, started.requestId);
    expect(events.filter((e) => e.startsWith('refused'))).toEqual([
      'refused bad-api-key: the api-key header is missing or wrong',
      'refused bad-api-key: the api-key header is missing or wrong',
      'refused bad-state: the state does not belong to this session',
    ]);
    expect(harness.logs.filter((l) => l.includes('verification refused')).length).toBeGreaterThanOrEqual(3);
    // A stranger with the link still sees no QR code.
    const link = CallerBrowser.authenticatorLink((await new CallerBrowser(harness).open(started.link)).html);
    expect(link).toBe('');
  });

  it('a callback meant for another session is refused, whichever secret it carries', async () => {
    const a = await openSession(harness);
    const b = await openSession(harness);
    expect((await postCallback(b.secrets.url, verifiedBody(a.secrets), a.secrets.apiKey)).status).toBe(401);
    expect((await postCallback(b.secrets.url, verifiedBody(a.secrets), b.secrets.apiKey)).status).toBe(403);
    expect(
      (
        await postCallback(
          b.secrets.url,
          verifiedBody({ requestId: a.secrets.requestId, state: b.secrets.state }),
          b.secrets.apiKey,
        )
      ).status,
    ).toBe(403);
    expect((await auditEvents(harness, b.started.requestId)).at(-1)).toBe(
      'refused wrong-request: the requestId is not this session’s presentation request',
    );
    for (const { started } of [a, b])
      expect((await cardAs(harness, cast.megan, started.requestId)).actions).not.toContain('Approve');
  });

  it('another user’s credential, presented with a passing Face Check, ends the session: no approval', async () => {
    const started = await fileAndStartVerification(harness);
    const miriam = verifiedEmployee(
      { userPrincipalName: 'miriam.graham@contoso.com', givenName: 'Miriam', surname: 'Graham' },
      ISSUER,
    );
    const { browser, presented } = await verifyAsCaller(harness, started, { credential: miriam, faceCheckScore: 97 });
    expect(presented.callbackStatus).toBe(403);
    expect((await browser.open(started.link)).html).toContain('The credential belongs to someone else.');
    const megan = await cardAs(harness, cast.megan, started.requestId);
    expect(megan.actions).not.toContain('Approve');
    expect(megan.text).toContain('Not passed: The credential belongs to someone else.');
    expect((await auditEvents(harness, started.requestId)).at(-1)).toMatch(/^refused another-person/);
  });

  it('a credential from an issuer that is not allowed is refused, even in a genuine callback', async () => {
    const { started, secrets } = await openSession(harness);
    const status = await harness.verifiedId!.sendCallback(
      secrets.requestId,
      verifiedBody(secrets, { issuer: 'did:web:issuer.fabrikam.example' }) as any,
    );
    expect(status).toBe(403);
    expect((await cardAs(harness, cast.megan, started.requestId)).text).toContain(
      'Not passed: The credential was not issued by an issuer this helpdesk accepts.',
    );
  });

  it('a Face Check score below the threshold is refused, whether the service says so or a callback carries the low score', async () => {
    const low = await fileAndStartVerification(harness);
    const { browser } = await verifyAsCaller(harness, low, {
      credential: verifiedEmployee(ADELE, ISSUER),
      faceCheckScore: 69.9,
    });
    expect((await browser.open(low.link)).html).toContain('Face Check did not match');
    const { started, secrets } = await openSession(harness);
    expect(
      await harness.verifiedId!.sendCallback(
        secrets.requestId,
        verifiedBody(secrets, { faceCheck: { matchConfidenceScore: 55 } }) as any,
      ),
    ).toBe(403);
    expect((await auditEvents(harness, started.requestId)).at(-1)).toBe(
      'refused score-below-threshold: the Face Check score is below the threshold',
    );
    expect((await cardAs(harness, cast.megan, started.requestId)).actions).not.toContain('Approve');
  });

  it('the link opened by someone else: no cookie, no QR code, no pass; wrong codes lock the link', async () => {
    const started = await fileAndStartVerification(harness);
    const { browser } = await verifyAsCaller(harness, started);
    await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
    const stranger = new CallerBrowser(harness);
    const page = await stranger.open(started.link);
    expect(page.html).toContain('This link is open in another browser');
    expect(page.html).not.toContain('openid-vc://');
    expect((await stranger.enterCode(started.link, started.code)).html).toContain('open in another browser');
    const asked = await stranger.collectPass(started.link);
    expect(asked.html).toContain('open in another browser');
    expect(harness.issuedPasses).toHaveLength(0);
    const events = await auditEvents(harness, started.requestId);
    expect(events.at(-1)).toMatch(/^refused pass-without-browser/);
    expect(events.filter((e) => e.startsWith('refused opened-elsewhere'))).toHaveLength(2);
    // The verified browser still gets it.
    expect((await browser.collectPass(started.link)).html).toContain('Your Temporary Access Pass');
    expect(harness.issuedPasses).toHaveLength(1);

    const guessed = await fileAndStartVerification(harness);
    const guesser = new CallerBrowser(harness);
    for (let i = 0; i < 4; i++)
      expect((await guesser.enterCode(guessed.link, '000000' === guessed.code ? '111111' : '000000')).html).toContain(
        'That code is not right',
      );
    expect((await guesser.enterCode(guessed.link, guessed.code === '222222' ? '333333' : '222222')).status).toBe(404);
    expect((await guesser.enterCode(guessed.link, guessed.code)).status).toBe(404);
  });

  it('a second presentation after success is ignored, and a request takes one verified result', async () => {
    const started = await fileAndStartVerification(harness);
    const { authenticatorLink } = await verifyAsCaller(harness, started);
    const secrets = callbackSecrets(harness, started.sessionId);
    const before = (await cardAs(harness, cast.megan, started.requestId)).text;
    // Replays of the Request Service's own callbacks, with its real secrets.
    expect(
      await harness.verifiedId!.sendCallback(
        secrets.requestId,
        verifiedBody(secrets, { faceCheck: { matchConfidenceScore: 99.9 } }) as any,
      ),
    ).toBe(200);
    expect(
      await harness.verifiedId!.sendCallback(secrets.requestId, {
        requestId: secrets.requestId,
        requestStatus: 'presentation_error',
        state: secrets.state,
        error: { code: 'x' },
      }),
    ).toBe(200);
    expect((await cardAs(harness, cast.megan, started.requestId)).text).toBe(before);
    expect(
      (
        await new TestWallet().present(authenticatorLink, {
          credential: verifiedEmployee(ADELE, ISSUER),
          faceCheckScore: 90,
        })
      ).status,
    ).toBe(404);
    const again = await startVerification(harness, started.requestId);
    expect(again.text).toContain('The caller was already verified for this request');
    expect(
      (await auditEvents(harness, started.requestId)).filter((e) => e.startsWith('refused replay-ignored')),
    ).toHaveLength(2);
  });

  it('a QR code past the Request Service’s expiry is not shown again', async () => {
    const { started, browser, qrPage } = await openSession(harness);
    expect(qrPage.html).toContain('Scan with Microsoft Authenticator');
    clock += 6 * 60_000;
    expect((await browser.open(started.link)).status).toBe(404);
    clock -= 6 * 60_000;
  });

  it('an expired verification: the link is gone and late callbacks are refused', async () => {
    const { started, secrets, browser } = await openSession(harness);
    clock += 16 * 60_000;
    expect((await browser.open(started.link)).status).toBe(404);
    expect((await postCallback(secrets.url, verifiedBody(secrets), secrets.apiKey)).status).toBe(403);
    expect((await auditEvents(harness, started.requestId)).at(-1)).toBe('refused expired: the session expired');
    expect((await cardAs(harness, cast.megan, started.requestId)).actions).not.toContain('Approve');
  });

  it('a genuine callback carrying a 2 MB photo claim is read, while activities stay limited to 256 KB', async () => {
    const { started, secrets } = await openSession(harness);
    const photo = 'A'.repeat(2.7 * 1024 * 1024);
    const body = verifiedBody(secrets, { claims: { revocationId: ADELE.userPrincipalName, photo } });
    expect((await postCallback(secrets.url, body, secrets.apiKey)).status).toBe(200);
    expect((await cardAs(harness, cast.megan, started.requestId)).actions).toContain('Approve');
    // Neither the photo nor any other claim is logged or kept: only the evidence.
    expect(harness.logs.some((line) => line.includes('AAAAAAAAAAAAAAAA'))).toBe(false);
    expect((await storedText(harness.dataDir)).includes('AAAAAAAAAAAAAAAA')).toBe(false);
    expect((await harness.post({ type: 'message', text: 'x'.repeat(300 * 1024) })).status).toBe(413);
  });

  it('only a helpdesk agent can start a verification, and only while the request waits', async () => {
    const started = await fileAndStartVerification(harness);
    expect((await act(harness, cast.megan, 'verification.start', { requestId: started.requestId })).text).toContain(
      'Callers are verified by helpdesk agents',
    );
    expect((await act(harness, cast.adele, 'verification.start', { requestId: started.requestId })).text).toContain(
      'I have no request with that id',
    );
    expect((await act(harness, cast.alex, 'verification.start', { requestId: started.requestId })).text).toContain(
      'I have no request with that id',
    );
    await act(harness, cast.helen, 'escalation.cancel', { requestId: started.requestId });
    expect((await act(harness, cast.helen, 'verification.start', { requestId: started.requestId })).text).toContain(
      'no longer waiting for approval',
    );
  });
});
