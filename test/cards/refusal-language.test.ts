import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  approveTwice,
  cast,
  clientInfo,
  fileOverTheLimit,
  fileRequest,
  newsFor,
  pressIn,
  startWithApprovers,
  startWithNoticeMail,
} from '../escalation-bot/helpers.js';
import { cardOf, cardText, type Harness, people } from '../harness.js';

/**
 * What the bot refuses, it says in the words of the person it refuses, on their clock: the core
 * says it once (src/escalation/refusal.ts) and Teams sends each reader's locale and zone.
 * https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-localization
 */

const IN_BERLIN = clientInfo('de-DE', 'Europe/Berlin');
const IN_PARIS = clientInfo('fr-FR', 'Europe/Paris');
const IN_TOKYO = clientInfo('ja-JP', 'Asia/Tokyo');

/** "7. Dez. 2026, 11:20 MEZ": a whole moment as a reader in Berlin reads it. */
const BERLIN_MOMENT = String.raw`\d{1,2}\. \S+ \d{4}, \d\d:\d\d MEZ`;

describe('a refusal in the language and on the clock of the person refused', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startWithApprovers();
  });
  afterAll(() => harness.close());

  it('a German approver who approves twice reads why not in German, on the Berlin clock', async () => {
    const twice = await approveTwice(harness, IN_BERLIN);
    expect(twice).toMatch(
      new RegExp(
        `Sie haben diese Anfrage bereits am ${BERLIN_MOMENT} genehmigt; sie braucht eine zweite, andere genehmigende Person\\.`,
      ),
    );
    expect(twice).not.toMatch(/UTC|You already approved/);
  });

  it('a request already handled says so in German, with where it stands in German too', async () => {
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    await act(harness, cast.helen, 'escalation.cancel', { requestId });
    const late = await pressIn(harness, cast.megan, 'escalation.approve', { requestId }, IN_BERLIN);
    expect(late).toContain('Diese Anfrage wurde bereits bearbeitet.');
    expect(late).not.toMatch(/already handled|UTC/);
  });

  it('a French agent asking for a pass for her own account reads the refusal and its heading in French', async () => {
    const own = await pressIn(harness, cast.helen, 'escalate.start', { userId: cast.helen.aadObjectId }, IN_PARIS);
    expect(own).toContain('Pas de passe pour cette personne');
    expect(own).toContain('Vous ne pouvez pas demander un passe d’accès temporaire pour votre propre compte.');
    expect(own).not.toContain('No pass for this person');
  });

  it('a French agent over the rate limit reads when to try again in French, on the Paris clock', async () => {
    const refused = await fileOverTheLimit(harness, IN_PARIS, 'Téléphone perdu');
    expect(refused).toMatch(
      /3 demandes ont été déposées pour Miriam Graham au cours de la dernière heure ; la limite est de 3\. Réessayez après \d{1,2} \S+ \d{4}(,| à) \d\d:\d\d UTC\+1\./,
    );
    expect(refused).not.toMatch(/requests have been filed/);
  });

  it('a colleague in Tokyo who asks for the request list is told in Japanese who it is for', async () => {
    const turn = await harness.say(people.colleague, 'requests', undefined, IN_TOKYO);
    const text = cardText(cardOf(turn.replies[0]));
    expect(text).toContain('ヘルプデスクと承認者専用です');
    expect(text).toContain('パスの依頼一覧は、ヘルプデスクの担当者、承認者、および対象者の上司のためのものです。');
  });
});

describe('an outcome notice in the language and on the clock of its recipient, and mail in English', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startWithNoticeMail();
    await harness.say(cast.helen, 'hi');
    await harness.say(cast.megan, 'hi', undefined, IN_BERLIN);
    await harness.say(cast.adele, 'hi', undefined, IN_TOKYO);
    const { requestId } = await fileRequest(harness, cast.helen, cast.adele);
    await pressIn(harness, cast.megan, 'escalation.approve', { requestId }, IN_BERLIN);
    await pressIn(harness, cast.helen, 'pass.hide', { requestId }, {});
  });
  afterAll(() => harness.close());

  it('Adele, in Tokyo, reads in Japanese that a pass was issued for her account, on the Tokyo clock', () => {
    const news = newsFor(harness, cast.adele).find((text) =>
      text.includes('あなたのアカウントにヘルプデスクがパスを発行しました'),
    );
    expect(news).toMatch(
      /ヘルプデスクの Helen Desk さんが \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d JST に、あなたのアカウント \(adele\.vance@contoso\.com\) の一時アクセス パスを発行しました。承認者は Megan Bowen です。/,
    );
    expect(news).toMatch(/発行日時\n\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d JST/);
    expect(news).not.toMatch(/UTC|Temporary Access Pass/);
  });

  it('Megan, the manager in Berlin, reads in German that the pass was handed over', () => {
    const news = newsFor(harness, cast.megan).find((text) => text.includes('Der Pass für Adele Vance wurde übergeben'));
    expect(news).toMatch(
      new RegExp(`Helen Desk hat den befristeten Zugriffspass für Adele Vance am ${BERLIN_MOMENT} übergeben\\.`),
    );
    expect(news).not.toMatch(/UTC|handed/);
  });

  it('the mail to Adele stays in English, in UTC', () => {
    const [mail] = harness.graph.sentMail();
    expect(mail!.message.subject).toBe('A helpdesk pass was issued for your account');
    expect(mail!.message.body.content).toMatch(/at \d{4}-\d\d-\d\d \d\d:\d\d UTC, approved by Megan Bowen/);
    expect(mail!.message.body.content).toMatch(/Account: adele\.vance@contoso\.com\nRequested by: Helen Desk at /);
  });
});
