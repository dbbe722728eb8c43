import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { approvalCard, cardsIn, passesIn, personalChatId, storedText } from '../escalation-bot/helpers.js';
import { cardText, type Harness } from '../harness.js';
import {
  act,
  CallerBrowser,
  cardAs,
  cast,
  fileAndStartVerification,
  type Started,
  startVerifying,
  verifyAsCaller,
} from './helpers.js';

describe('under "required", the caller proves who they are with Face Check and gets the pass on their own page', () => {
  let harness: Harness;
  let started: Started;
  let browser: CallerBrowser;
  let beforeVerification: Awaited<ReturnType<typeof cardAs>>;
  let refusedApproval: Awaited<ReturnType<typeof act>>;
  let passPage: { status: number; html: string };
  let secondAsk: { status: number; html: string };
  let pass = '';
  let passesBeforeVerification = -1;

  beforeAll(async () => {
    harness = await startVerifying('required');
    started = await fileAndStartVerification(harness);
    beforeVerification = await cardAs(harness, cast.megan, started.requestId);
    refusedApproval = await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
    passesBeforeVerification = harness.graph.issuedTaps().length;
    ({ browser } = await verifyAsCaller(harness, started));
    await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
    passPage = await browser.collectPass(started.link);
    pass = (/id="pass">([^<]+)</.exec(passPage.html)?.[1] ?? '').replace(/&#(\d+);/g, (_, n) =>
      String.fromCharCode(Number(n)),
    );
    secondAsk = await browser.collectPass(started.link);
  });
  afterAll(() => harness.close());

  it('the agent’s card offers "Verify with Face Check" as soon as the request is filed', async () => {
    const { card } = await (await import('../escalation-bot/helpers.js')).fileRequest(harness, cast.helen, cast.adele);
    expect(card.actions.map((a: any) => a.title)).toEqual(['Verify with Face Check', 'Cancel the request']);
    expect(cardText(card)).toMatch(/Caller verification\nNot started \(required before approval\)/);
  });

  it('gives the agent a link on the bot and a six-digit code, valid for a short time', () => {
    expect(started.link).toMatch(new RegExp(`^${harness.bot.url}/verify/[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$`));
    expect(started.code).toMatch(/^\d{6}$/);
    expect(started.text).toContain('only the first browser that enters the code can continue');
  });

  it('before verification the approver is not offered Approve and reads why; approving anyway is refused', () => {
    expect(beforeVerification.actions).not.toContain('Approve');
    expect(beforeVerification.actions).toContain('Deny');
    expect(beforeVerification.text).toContain(
      'The caller has not yet proved with Verified ID and Face Check that they are Adele Vance',
    );
    expect(beforeVerification.text).toMatch(/Caller verification\n.*required before approval/);
    expect(refusedApproval.text).toContain('has not yet proved with Verified ID and Face Check');
    expect(passesBeforeVerification).toBe(0);
  });

  it('the caller page asks for the code, then shows the QR code and an Open in Authenticator link', async () => {
    const first = harness.pages.find((p) => p.where.startsWith('POST'))!;
    expect(first).toBeDefined();
    const qr = harness.pages.find((p) => p.text.includes('Scan with Microsoft Authenticator'))!;
    expect(qr.text).toMatch(/<img alt="QR code for Microsoft Authenticator" src="data:image\/png;base64,/);
    expect(CallerBrowser.authenticatorLink(qr.text)).toMatch(/^openid-vc:\/\/\?request_uri=/);
  });

  it('creates the presentation request as documented: pinned issuers, no revoked credentials, linked domain, Face Check on the photo at 70', () => {
    const [request] = harness.verifiedId!.requests();
    expect(request!.body).toMatchObject({
      authority: 'did:web:verifiedid.contoso.com',
      includeQRCode: true,
      callback: {
        url: expect.stringContaining(`/api/verify/callback/${started.sessionId}`),
        state: expect.any(String),
        headers: { 'api-key': expect.any(String) },
      },
      requestedCredentials: [
        {
          type: 'VerifiedEmployee',
          acceptedIssuers: ['did:web:verifiedid.contoso.com'],
          configuration: {
            validation: {
              allowRevoked: false,
              validateLinkedDomain: true,
              faceCheck: { sourcePhotoClaimName: 'photo', matchConfidenceThreshold: 70 },
            },
          },
        },
      ],
    });
    expect(request!.body.callback.headers!['api-key']!.length).toBeGreaterThanOrEqual(40);
    expect(request!.body.callback.state.length).toBeGreaterThanOrEqual(40);
  });

  it('accepts both callbacks and shows the evidence to the approver, with Approve now offered', async () => {
    expect(harness.verifiedId!.callbacks.map((c) => [c.requestStatus, c.status])).toEqual([
      ['request_retrieved', 200],
      ['presentation_verified', 200],
    ]);
    const megan = approvalCard(harness, cast.megan, started.requestId);
    expect(megan).toBeDefined();
  });

  it('the card shows credential type, issuer, issue date, Face Check score against the threshold and time of verification to everyone who may see it', async () => {
    for (const person of [cast.helen, cast.megan, cast.lee]) {
      const { text } = await cardAs(harness, person, started.requestId);
      expect(text).toContain('Passed: VerifiedEmployee matched by sign-in name');
      expect(text).toContain('did:web:verifiedid.contoso.com');
      // In the reader's locale and zone (test/cards/localization.test.ts): English and UTC for these readers.
      expect(text).toMatch(/Credential issued\n[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC/);
      expect(text).toContain('86.3 (threshold 70)');
      expect(text).toMatch(/Verified at\n[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC/);
    }
    const outsider = await act(harness, cast.alex, 'escalation.view', { requestId: started.requestId });
    expect(outsider.text).not.toContain('Face Check');
  });

  it('after approval the pass is shown once, in the browser that passed, and never again', () => {
    expect(passPage.status).toBe(200);
    expect(pass).toMatch(/^.{8}$/);
    expect(harness.issuedPasses).toEqual([pass]);
    expect(passPage.html).toContain('shows it once and forgets it');
    expect(secondAsk.html).not.toContain(pass);
    expect(secondAsk.html).toMatch(/Your pass (was|is) shown/);
    expect(harness.graph.issuedTaps().map((t) => t.userId)).toEqual([cast.adele.aadObjectId]);
  });

  it('the agent learns only that it was delivered; the pass is in no chat, log line or stored byte', async () => {
    expect(passesIn(harness, personalChatId(cast.helen))).toEqual([]);
    const helensCards = cardsIn(harness, personalChatId(cast.helen)).map(cardText).join('\n');
    expect(helensCards).not.toContain(pass);
    const { text } = await cardAs(harness, cast.helen, started.requestId);
    expect(text).toContain('Pass issued');
    expect(text).toMatch(/Shown once to the verified caller on their own page at/);
    expect(JSON.stringify(harness.connector.activities)).not.toContain(pass);
    expect(harness.logs.join('\n')).not.toContain(pass);
    expect(await storedText(harness.dataDir)).not.toContain(pass);
    expect(harness.pages.map((p) => p.text).join('\n')).not.toContain(pass);
  });

  it('audits each step of the verification', async () => {
    const store = new FileStore({ dataDir: harness.dataDir });
    const entries = await store.readLog<AuditEntry & { event?: string }>('audit');
    const events = entries.filter((e) => (e.action as string) === 'caller-verification').map((e) => e.event);
    expect(events).toEqual(['started', 'opened', 'retrieved', 'verified', 'pass-shown']);
    const trail = entries
      .filter((e) => e.requestId === started.requestId && (e.action as string) !== 'caller-verification')
      .map((e) => e.action);
    expect(trail).toEqual(['requested', 'refused', 'approved', 'issuing', 'issued']);
  });
});

describe('under "required", a Face Check below the threshold leaves no way to approve', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required');
  });
  afterAll(() => harness.close());

  it('the caller page says it did not pass, the card shows why, and Approve stays refused', async () => {
    const started = await fileAndStartVerification(harness);
    const { browser, presented } = await verifyAsCaller(harness, started, {
      credential: (await import('./helpers.js')).verifiedEmployee(
        (await import('./helpers.js')).ADELE,
        'did:web:verifiedid.contoso.com',
      ),
      faceCheckScore: 52,
    });
    expect(presented.callbackStatus).toBe(200);
    const page = await browser.open(started.link);
    expect(page.html).toContain('Face Check did not match the photo in the credential closely enough');
    const megan = await cardAs(harness, cast.megan, started.requestId);
    expect(megan.actions).not.toContain('Approve');
    expect(megan.text).toContain('Not passed: Face Check did not match');
    const approve = await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
    expect(approve.text).toContain('has not yet proved');
    expect(harness.graph.issuedTaps()).toHaveLength(0);
  });
});

describe('other policies and delivery modes', () => {
  it('with PASS_DELIVERY=agent-chat a verified caller is told the agent will hand the pass over, and the agent gets it as before', async () => {
    const harness = await startVerifying('required', { PASS_DELIVERY: 'agent-chat' });
    try {
      const started = await fileAndStartVerification(harness);
      const { browser } = await verifyAsCaller(harness, started);
      await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
      expect(passesIn(harness, personalChatId(cast.helen))).toEqual(harness.issuedPasses);
      expect(harness.issuedPasses).toHaveLength(1);
      const page = await browser.open(started.link);
      expect(page.html).toContain('Your helpdesk agent will give you your Temporary Access Pass');
      expect((await browser.collectPass(started.link)).html).not.toContain(harness.issuedPasses[0]);
    } finally {
      await harness.close();
    }
  });

  it('under "optional" Approve is offered without verification, as a second click, and the card says verification was not done', async () => {
    const harness = await startVerifying('optional');
    try {
      const { requestId } = await (await import('../escalation-bot/helpers.js')).fileRequest(
        harness,
        cast.helen,
        cast.adele,
      );
      const megan = await cardAs(harness, cast.megan, requestId!);
      expect(megan.actions).toEqual(['Approve…', 'Deny']);
      expect(megan.text).toMatch(/Caller verification\nNot started \(optional\)/);
      await act(harness, cast.megan, 'escalation.approve', { requestId, accept: 'not-verified' });
      expect(passesIn(harness, personalChatId(cast.helen))).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });
});
