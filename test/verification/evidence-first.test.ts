import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../src/escalation/audit.js';
import { FileStore } from '../../src/storage/file-store.js';
import { cardsIn, fileRequest, passesIn, personalChatId } from '../escalation-bot/helpers.js';
import { cardText, type Harness, type TeamsUser } from '../harness.js';
import {
  ADELE,
  act,
  CallerBrowser,
  cardAs,
  cast,
  fileAndStartVerification,
  ISSUER,
  startVerification,
  startVerifying,
  TestWallet,
  verifiedEmployee,
  verifyAsCaller,
} from './helpers.js';

/** The newest version of the request's card in a person's 1:1 chat (sent, then updated in place), as they see it. */
function liveCard(harness: Harness, person: TeamsUser, requestId: string) {
  const card = cardsIn(harness, personalChatId(person))
    .filter((c) => c?.refresh?.action?.data?.requestId === requestId)
    .at(-1);
  const actions = (card?.actions ?? []) as any[];
  return {
    text: cardText(card),
    actions: actions.map((a) => a.title as string),
    confirm: actions.find((a) => a.type === 'Action.ShowCard' && a.title === 'Approve…')?.card,
  };
}

const auditTrail = async (harness: Harness, requestId: string) =>
  (await new FileStore({ dataDir: harness.dataDir }).readLog<AuditEntry>('audit')).filter(
    (e) => e.requestId === requestId && (e.action as string) !== 'caller-verification',
  );

describe('under "required", every card shows the verification from the moment it exists, updated in place', () => {
  let harness: Harness;
  let requestId: string;
  const seen: Record<string, { megan: ReturnType<typeof liveCard>; helen: ReturnType<typeof liveCard> }> = {};
  let browser: CallerBrowser;

  beforeAll(async () => {
    harness = await startVerifying('required');
    requestId = (await fileRequest(harness, cast.helen, cast.adele)).requestId!;
    const snapshot = (step: string) => {
      seen[step] = { megan: liveCard(harness, cast.megan, requestId), helen: liveCard(harness, cast.helen, requestId) };
    };
    snapshot('filed');
    const started = { requestId, ...(await startVerification(harness, requestId)) };
    snapshot('link sent');
    browser = new CallerBrowser(harness);
    const qrPage = await browser.enterCode(started.link, started.code);
    snapshot('code entered');
    await new TestWallet().present(CallerBrowser.authenticatorLink(qrPage.html), {
      credential: verifiedEmployee(ADELE, ISSUER),
      faceCheckScore: 86.3,
    });
    snapshot('verified');
    await act(harness, cast.megan, 'escalation.approve', { requestId });
    await browser.collectPass(started.link);
    // The page shows the pass first; the cards are updated right after, once it was shown.
    await vi.waitFor(
      () => {
        for (const person of [cast.megan, cast.helen])
          expect(liveCard(harness, person, requestId).text).toContain('Shown once to the verified caller');
      },
      { timeout: 10_000, interval: 50 },
    );
    snapshot('pass delivered');
  });
  afterAll(() => harness.close());

  it('the first approval card offers no Approve and says verification has not started', () => {
    expect(seen.filed!.megan.actions).not.toContain('Approve');
    expect(seen.filed!.megan.actions).toContain('Deny');
    expect(seen.filed!.megan.text).toMatch(/Caller verification\nNot started \(required before approval\)/);
  });

  it('when the link is sent, and when the caller enters the code, the approver’s and the agent’s cards say so', () => {
    for (const who of ['megan', 'helen'] as const) {
      expect(seen['link sent']![who].text).toMatch(/Caller verification\nLink sent: waiting for the caller to open it/);
      expect(seen['code entered']![who].text).toMatch(/Caller verification\nIn progress: the caller entered the code/);
    }
    expect(seen['code entered']!.megan.actions).not.toContain('Approve');
  });

  it('once verified, both cards show the issuer and the score, and the approver’s card offers Approve', () => {
    for (const who of ['megan', 'helen'] as const) {
      expect(seen.verified![who].text).toContain('Passed: VerifiedEmployee matched by sign-in name');
      expect(seen.verified![who].text).toContain(ISSUER);
      expect(seen.verified![who].text).toContain('86.3 (threshold 70)');
    }
    expect(seen.verified!.megan.actions).toEqual(['Approve', 'Deny']);
  });

  it('after the pass went to the caller’s page, the final cards keep the evidence', () => {
    for (const who of ['megan', 'helen'] as const) {
      const { text, actions } = seen['pass delivered']![who];
      expect(text).toContain('Pass issued');
      expect(text).toContain('Passed: VerifiedEmployee matched by sign-in name');
      expect(text).toContain('86.3 (threshold 70)');
      expect(text).toMatch(/Shown once to the verified caller on their own page/);
      expect(actions).not.toContain('Approve');
    }
  });
});

describe('under "optional", approving without a pass takes a second click that says what the approver accepts', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('optional');
  });
  afterAll(() => harness.close());

  it('without verification: "Approve…" opens the confirmation; a plain Approve is refused and nothing is issued', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const first = liveCard(harness, cast.megan, requestId!);
    expect(first.text).toMatch(/Caller verification\nNot started \(optional\)/);
    expect(first.actions).toEqual(['Approve…', 'Deny']);
    expect(cardText(first.confirm)).toContain('Approving now gives a pass on the agent’s word alone');
    expect(first.confirm.actions.map((a: any) => [a.title, a.data.accept])).toEqual([
      ['Approve without a verified caller', 'not-verified'],
    ]);

    const plain = await act(harness, cast.megan, 'escalation.approve', { requestId });
    expect(plain.text).toContain('Nothing was approved');
    expect(harness.graph.issuedTaps()).toHaveLength(0);

    await act(harness, cast.megan, 'escalation.approve', { requestId, accept: 'not-verified' });
    expect(passesIn(harness, personalChatId(cast.helen))).toHaveLength(1);
    const approved = (await auditTrail(harness, requestId!)).find((e) => e.action === 'approved');
    expect(approved?.detail).toContain('accepted a caller not verified with Verified ID and Face Check');
    expect((await cardAs(harness, cast.helen, requestId!)).text).toContain(
      'Megan Bowen accepted a caller not verified with Verified ID and Face Check',
    );
  });

  it('after a failed Face Check the card shows why, and accepting "not verified" no longer covers it', async () => {
    const started = await fileAndStartVerification(harness);
    await verifyAsCaller(harness, started, { credential: verifiedEmployee(ADELE, ISSUER), faceCheckScore: 52 });
    const card = liveCard(harness, cast.megan, started.requestId);
    expect(card.text).toContain('Not passed: Face Check did not match the photo in the credential closely enough');
    expect(card.actions).toEqual(['Approve…', 'Deny']);
    expect(card.confirm.actions[0].title).toBe('Approve although verification failed');
    expect(cardText(card.confirm)).toContain('You accept the failed verification');

    const stale = await act(harness, cast.megan, 'escalation.approve', {
      requestId: started.requestId,
      accept: 'not-verified',
    });
    expect(stale.text).toContain('Caller verification for Adele Vance failed. Nothing was approved');
    const before = harness.issuedPasses.length;
    await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId, accept: 'failed' });
    expect(harness.issuedPasses.length).toBe(before + 1);
    const approved = (await auditTrail(harness, started.requestId)).find((e) => e.action === 'approved');
    expect(approved?.detail).toContain('accepted a failed caller verification (Face Check did not match');
    const trail = (await auditTrail(harness, started.requestId)).map((e) => e.action);
    expect(trail).toEqual(['requested', 'refused', 'approved', 'issuing', 'issued']);
  });

  it('an approver who reads German sees every step of the verification in German', async () => {
    const german = { locale: 'de-DE', entities: [{ type: 'clientInfo', locale: 'de-DE', timezone: 'Europe/Berlin' }] };
    await harness.say(cast.megan, 'hi', undefined, german);
    const started = await fileAndStartVerification(harness);
    const card = liveCard(harness, cast.megan, started.requestId);
    expect(card.text).toContain('Prüfung des Anrufers');
    expect(card.text).toContain('Verweis gesendet: Warten, bis die anrufende Person ihn öffnet');
    expect(card.text).toContain('(freiwillig)');
    await verifyAsCaller(harness, started);
    const passed = liveCard(harness, cast.megan, started.requestId);
    expect(passed.text).toContain('Bestanden: VerifiedEmployee, zugeordnet über Anmeldename');
    expect(passed.text).toContain('Aussteller des Nachweises');
    expect(passed.text).not.toContain('Caller verification');
  });
});
