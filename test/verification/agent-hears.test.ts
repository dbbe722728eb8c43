import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cardsIn, clientInfo, fileRequest, personalChatId, pressIn } from '../escalation-bot/helpers.js';
import { cardText, type Harness } from '../harness.js';
import {
  ADELE,
  act,
  cast,
  fileAndStartVerification,
  ISSUER,
  startVerifying,
  verifiedEmployee,
  verifyAsCaller,
} from './helpers.js';

/** The outcome notices in the agent's 1:1 chat, as text. */
const helensNotices = (harness: Harness) =>
  cardsIn(harness, personalChatId(cast.helen))
    .filter((card) => !card?.refresh)
    .map(cardText);

/** A claim only the credential carries: it must never reach a chat. */
const PRIVATE_CLAIM = 'Deputy Keeper of the Emulated Seal';
const credential = () => {
  const c = verifiedEmployee(ADELE, ISSUER);
  return { ...c, claims: { ...c.claims, jobTitle: PRIVATE_CLAIM } };
};

describe('the agent hears how the caller verification went', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required');
  });
  afterAll(() => harness.close());

  it('a failure is told with its reason, and nothing of the credential', async () => {
    const started = await fileAndStartVerification(harness);
    const before = helensNotices(harness).length;
    await verifyAsCaller(harness, started, { credential: credential(), faceCheckScore: 40 });
    const notice = helensNotices(harness).slice(before).join('\n');
    expect(notice).toContain('Caller verification did not pass: Adele Vance');
    expect(notice).toContain('Face Check did not match the photo in the credential closely enough');
    expect(notice).not.toContain(PRIVATE_CLAIM);
  });

  it('a pass is told with issuer and score; once delivered, the agent reads it went to the caller’s page, never "in the card above"', async () => {
    const started = await fileAndStartVerification(harness);
    const before = helensNotices(harness).length;
    const { browser } = await verifyAsCaller(harness, started, { credential: credential(), faceCheckScore: 88 });
    const verified = helensNotices(harness).slice(before).join('\n');
    expect(verified).toContain('Caller verified: Adele Vance');
    expect(verified).toContain(ISSUER);
    expect(verified).toContain('88 (threshold 70)');
    expect(verified).not.toContain(PRIVATE_CLAIM);

    await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
    await browser.collectPass(started.link);
    await vi.waitFor(
      () => expect(helensNotices(harness).join('\n')).toContain('Approved: the pass for Adele Vance was issued'),
      { timeout: 10_000, interval: 50 },
    );
    const issued = helensNotices(harness).slice(before).join('\n');
    expect(issued).toContain("The pass was delivered to the verified caller's page");
    expect(issued).not.toContain('in the card above');
    expect(JSON.stringify(harness.connector.activities)).not.toContain(PRIVATE_CLAIM);
  });
});

describe('an agent whose Teams is in German', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required');
  });
  afterAll(() => harness.close());

  const german = clientInfo('de-DE', 'Europe/Berlin');

  it('gets the caller’s link and the verification news in German, even though the news comes with the Request Service’s callback', async () => {
    await harness.say(cast.helen, 'hallo', undefined, german);
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    const before = harness.connector.activities.length;
    const answer = await pressIn(harness, cast.helen, 'verification.start', { requestId }, german);
    expect(answer).toContain('Ich habe den Link und den Code');
    const linkCard = harness.connector.activities
      .slice(before)
      .filter((a) => a.conversationId === personalChatId(cast.helen))
      .map((a) => cardText(a.activity.attachments?.[0]?.content))
      .join('\n');
    expect(linkCard).toContain('Adele Vance mit Face Check überprüfen');
    expect(linkCard).toContain('Der Link gilt bis');
    const link = /Link: (\S+)/.exec(linkCard)?.[1] ?? '';
    const code = (/Code: \*\*(\d{3} \d{3})\*\*/.exec(linkCard)?.[1] ?? '').replace(' ', '');
    harness.secrets.push(code);

    const noticesBefore = helensNotices(harness).length;
    await verifyAsCaller(
      harness,
      { requestId: requestId ?? '', link, code, sessionId: link.split('/').at(-1) ?? '', text: linkCard },
      { credential: credential(), faceCheckScore: 88 },
    );
    const notice = helensNotices(harness).slice(noticesBefore).join('\n');
    expect(notice).toContain('Anrufer bestätigt: Adele Vance');
    expect(notice).toContain('Die Genehmigenden sehen den Nachweis');
    expect(notice).not.toContain('The caller proved');
  });
});
