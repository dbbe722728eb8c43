import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, translate } from '../../src/teams/locale.js';
import type { Harness } from '../harness.js';
import {
  ADELE,
  act,
  CallerBrowser,
  cast,
  fileAndStartVerification,
  ISSUER,
  type Started,
  startVerifying,
  TestWallet,
  verifiedEmployee,
} from './helpers.js';

/**
 * The caller's page speaks the language the browser asks for (Accept-Language, RFC 9110 section
 * 12.5.4), one of the five the cards ship, and English for any other; its times are in UTC and
 * say so, since the server cannot know the browser's zone.
 * https://www.rfc-editor.org/rfc/rfc9110#name-accept-language
 */

const textOf = (html: string) => html.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
const langOf = (html: string) => /<html lang="([^"]+)">/.exec(html)?.[1];
const titleOf = (html: string) => textOf(/<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '');

describe('a caller whose browser asks for Swiss German, then German, then English', () => {
  let harness: Harness;
  let started: Started;
  const browser = () => new CallerBrowser(harness, 'de-CH, de;q=0.9, en;q=0.8');
  let caller: CallerBrowser;
  beforeAll(async () => {
    harness = await startVerifying('required');
    started = await fileAndStartVerification(harness);
    caller = browser();
  });
  afterAll(() => harness.close());

  it('gets the code page in German, marked as German, and caches are told it depends on the language', async () => {
    const page = await caller.open(started.link);
    expect(langOf(page.html)).toBe('de');
    expect(titleOf(page.html)).toBe('Hallo Adele: Weisen Sie nach, dass Sie es sind');
    expect(textOf(page.html)).toContain('Geben Sie ihn hier ein');
    expect(page.headers.get('vary')).toMatch(/accept-language/i);
    expect(page.headers.get('content-language')).toBe('de');
  });

  it('is told a wrong code is wrong in German', async () => {
    const wrong = await caller.enterCode(started.link, started.code === '000000' ? '111111' : '000000');
    expect(textOf(wrong.html)).toContain('Dieser Code stimmt nicht.');
  });

  it('reads until when the request works as a German date, in UTC and saying so', async () => {
    const qrPage = await caller.enterCode(started.link, started.code);
    expect(langOf(qrPage.html)).toBe('de');
    expect(titleOf(qrPage.html)).toBe('Mit Microsoft Authenticator scannen');
    expect(textOf(qrPage.html)).toMatch(
      /Die Anfrage gilt bis <time datetime="[^"]+">\d{1,2}\. \p{L}+\.? \d{4}, \d\d:\d\d UTC<\/time>\./u,
    );
  });

  it('is shown the pass with its validity in German, in UTC', async () => {
    const qrPage = await caller.open(started.link);
    await new TestWallet().present(CallerBrowser.authenticatorLink(qrPage.html), {
      credential: verifiedEmployee(ADELE, ISSUER),
      faceCheckScore: 86.3,
    });
    expect(titleOf((await caller.open(started.link)).html)).toBe('Sie sind verifiziert');
    await act(harness, cast.megan, 'escalation.approve', { requestId: started.requestId });
    const approved = await caller.open(started.link);
    expect(textOf(approved.html)).toContain('Meinen Pass jetzt anzeigen');
    const passPage = await caller.collectPass(started.link);
    expect(langOf(passPage.html)).toBe('de');
    expect(textOf(passPage.html)).toMatch(
      /Gültig von <time datetime="[^"]+">[^<]+ UTC<\/time> bis <time datetime="[^"]+">[^<]+ UTC<\/time> \(\d+ Minuten\)/,
    );
  });
});

describe('the language of a page nobody has a session for', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required');
  });
  afterAll(() => harness.close());
  const gone = async (acceptLanguage?: string) =>
    (await new CallerBrowser(harness, acceptLanguage).open(`${harness.bot.url}/verify/zzzz-zzzz`)).html;

  it.each(LANGUAGES)('is %s when the browser asks for it first', async (language) => {
    const html = await gone(`${language};q=0.9, en;q=0.5`);
    expect(langOf(html)).toBe(language);
    expect(titleOf(html)).toBe(translate('This link does not work any more', language));
  });

  it('follows the weights, not the order: "fr;q=0.3, ja;q=0.8, en;q=0.5" is Japanese', async () => {
    expect(langOf(await gone('fr;q=0.3, ja;q=0.8, en;q=0.5'))).toBe('ja');
  });

  it('skips a language the browser refuses (q=0) and one not shipped', async () => {
    expect(langOf(await gone('it-IT, de;q=0, es;q=0.2'))).toBe('es');
  });

  it('is English for a language not shipped, for "*", and with no header at all', async () => {
    for (const header of ['it-IT, pt;q=0.8', '*', undefined]) {
      const html = await gone(header);
      expect(langOf(html)).toBe('en');
      expect(titleOf(html)).toBe('This link does not work any more');
    }
  });
});
