import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardTemplates, hasOwnWords, templateTexts } from '../../src/teams/cards.js';
import { catalogue, forReader, LANGUAGES, type Language, readerOf, readerTime } from '../../src/teams/locale.js';
import { approvalCard, cardsIn, cast, clientInfo, personalChatId } from '../escalation-bot/helpers.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';
import { allMessageIds, templateMessages } from './messages.js';
import { cardProblems } from './validate.js';

const TRANSLATED = LANGUAGES.filter((l) => l !== 'en');
const templates = new CardTemplates();
const sample = (name: string) =>
  JSON.parse(readFileSync(new URL(`./samples/${name}.json`, import.meta.url), 'utf8')) as object[];

/** Messages that stay as they are in every language: commands the bot understands, and a sample of Microsoft's own error text. */
const KEPT_AS_IS = new Set([
  'check NAME',
  'guide',
  'diagnose',
  'requests',
  'AADSTS55200: The continuation_token is invalid ...',
]);

/** Proper nouns, product names and codes, which no language translates. */
const PROPER_NOUNS = [
  'Microsoft Authenticator',
  'Authenticator',
  'Self-Service Account Recovery',
  'Verified ID',
  'Face Check',
  'InPrivate',
  'Incognito',
  'Edge',
  'Chrome',
  'Safari',
  'SSAR Helpdesk',
  'SSAR',
  'TAP',
  'AADSTS55200',
  'continuation_token',
  'Microsoft Graph',
  'Graph',
  'Teams',
  'Entra ID',
  'OneDrive',
  'RECOVERY_CLAIMS_SOURCE',
  'CALLER_VERIFICATION',
  'Entra',
  // Each language by its own name, on the choice of the plain-text guide's language.
  'English',
  'Deutsch',
  'Français',
  'Español',
];

/** Words a language shares with English. */
const SHARED_WORDS: Record<Exclude<Language, 'en'>, string[]> = {
  de: [
    'pass',
    'helpdesk',
    'chat',
    'selfie',
    'name',
    'passkey',
    'details',
    'optional',
    'person',
    'browser',
    'code',
    'text',
    'symptom',
    'hand',
    'organisation',
    'minute',
    'live',
    'version',
    'administrator',
    'mail',
    'link',
    'limit',
  ],
  fr: [
    'guide',
    'selfie',
    'passe',
    'passes',
    'minutes',
    'page',
    'type',
    'code',
    'message',
    'causes',
    'principal',
    'catalogue',
    'mode',
    'configuration',
    'exact',
    'organisation',
    'minute',
    'audit',
    'version',
    'long',
    'licence',
    'agent',
    'agents',
    'production',
    'mail',
    'exclamation',
    'plus',
    'apostrophes',
    'contact',
  ],
  es: ['selfie', 'chat', 'error', 'compare', 'principal'],
  ja: [],
};

function comparableWords(text: string): Set<string> {
  let rest = text
    .replace(/\$\{[^}]*\}/g, ' ')
    .replace(/\b(?:escalate|check) (?=[\w.+-]+@)/g, ' ')
    .replace(/https?:\/\/\S+|[\w.+-]+@[\w.-]+|\b[\w.-]+\.(?:com|ms)(?:\/\S*)?/g, ' ')
    // The commands the bot understands, shown as commands.
    .replace(
      /\*\*(?:check|guide|diagnose|requests|readiness report)\*\*|"(?:escalate|requests|readiness report|recovery feed here|recovery feed off)"/g,
      ' ',
    );
  for (const noun of PROPER_NOUNS) rest = rest.split(noun).join(' ');
  return new Set((rest.toLowerCase().match(/\p{L}{4,}/gu) ?? []).map((w) => w));
}

/** English words of the source that are still in the translation, outside names, codes and shared words. */
function englishLeft(english: string, translated: string, language: Exclude<Language, 'en'>): string[] {
  if (KEPT_AS_IS.has(english)) return [];
  const source = comparableWords(english);
  return [...comparableWords(translated)].filter((word) => source.has(word) && !SHARED_WORDS[language].includes(word));
}

describe('every card in every language', () => {
  const ids = allMessageIds();

  it.each(TRANSLATED)(
    'the %s catalogue has every message, no stale ones, and the same ${...} expressions',
    (language) => {
      const messages = catalogue(language);
      expect(
        ids.filter((id) => !(id in messages)),
        'missing',
      ).toEqual([]);
      expect(
        Object.keys(messages).filter((id) => !ids.includes(id)),
        'stale',
      ).toEqual([]);
      const expressions = (text: string) => (text.match(/\$\{[^}]*\}/g) ?? []).sort();
      for (const id of ids) expect(expressions(messages[id]!), id).toEqual(expressions(id));
    },
  );

  it.each(TRANSLATED)('nothing is left in English by mistake in %s', (language) => {
    const messages = catalogue(language);
    const left = ids.flatMap((id) =>
      englishLeft(id, messages[id]!, language).map((word) => `"${word}" in ${JSON.stringify(messages[id])}`),
    );
    expect(left).toEqual([]);
  });

  it.each(LANGUAGES.flatMap((language) => [...templateMessages().keys()].map((name) => [language, name] as const)))(
    'in %s, %s renders as a valid card with every text translated',
    (language, name) => {
      for (const data of sample(name)) {
        const card = forReader({ language, locale: language, timeZone: 'UTC' }, () =>
          templates.render(name as never, data as never),
        );
        expect(cardProblems(card)).toEqual([]);
        if (language === 'en') continue;
        // No template text reaches the card in its English form.
        const shown = new Set(templateTexts(card));
        const english = templateMessages()
          .get(name)!
          .filter((text) => !KEPT_AS_IS.has(text) && catalogue(language)[text] !== text);
        expect(english.filter((text) => shown.has(text))).toEqual([]);
      }
    },
  );

  it('the extraction finds texts with words of their own only', () => {
    expect(hasOwnWords('${title}')).toBe(false);
    expect(hasOwnWords('**${id} ${title}**: ${statusLabel}')).toBe(false);
    expect(hasOwnWords('Fix: ${fix}')).toBe(true);
  });
});

describe('the reader of a turn, from the activity', () => {
  it('takes the activity locale, then the clientInfo entity, and the clientInfo time zone', () => {
    expect(
      readerOf({ locale: 'de-DE', entities: [{ type: 'clientInfo', locale: 'fr-FR', timezone: 'Europe/Berlin' }] }),
    ).toEqual({
      language: 'de',
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
    });
    expect(readerOf({ entities: [{ type: 'clientInfo', locale: 'ja-jp', timezone: 'Asia/Tokyo' }] })).toEqual({
      language: 'ja',
      locale: 'ja-JP',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('falls back to English and UTC for a language it does not ship and a zone it does not know', () => {
    expect(readerOf({ locale: 'pt-BR', entities: [{ type: 'clientInfo', timezone: 'Mars/Olympus' }] })).toMatchObject({
      language: 'en',
      timeZone: 'UTC',
    });
    expect(readerOf({ locale: 'not a locale!' })).toMatchObject({ language: 'en', timeZone: 'UTC' });
    expect(readerOf({})).toMatchObject({ language: 'en', timeZone: 'UTC' });
    expect(readerOf({ locale: 42, entities: {} })).toMatchObject({ language: 'en', timeZone: 'UTC' });
    expect(readerOf({ entities: [null, { type: 'clientInfo', locale: ['de'], timezone: 7 }] })).toMatchObject({
      language: 'en',
      timeZone: 'UTC',
    });
  });

  it('writes times in the reader language and zone', () => {
    const at = '2026-12-01T14:30:00Z';
    expect(readerTime(at, { language: 'de', locale: 'de-DE', timeZone: 'Europe/Berlin' })).toBe(
      '1. Dez. 2026, 15:30 MEZ',
    );
    expect(readerTime(at, { language: 'ja', locale: 'ja-JP', timeZone: 'Asia/Tokyo' })).toBe('2026年12月1日 23:30 JST');
    expect(readerTime(at, { language: 'en', locale: 'en-GB', timeZone: 'UTC' })).toBe('1 Dec 2026, 14:30 UTC');
  });
});

describe('a person whose Teams is in another language', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each(TRANSLATED)('gets the whole guide in %s, down to its last step', async (language) => {
    const english = cardText(cardOf((await harness.say(people.colleague, 'guide')).replies[0]));
    const card = cardOf(
      (await harness.say(people.colleague, 'guide', undefined, clientInfo(language, 'UTC'))).replies[0],
    );
    const text = cardText(card);
    expect(text).not.toBe(english);
    expect(englishLeft(english, text, language)).toEqual([]);
    expect(text).toContain('https://aka.ms/mfasetup');
    expect(text).toContain('Microsoft Authenticator');
  });

  it('an agent in Tokyo reads the checklist in Japanese with the time in Japan', async () => {
    const card = cardOf(
      (await harness.say(people.agent, 'check jon.doe@contoso.com', undefined, clientInfo('ja-JP', 'Asia/Tokyo')))
        .replies[0],
    );
    const text = cardText(card);
    expect(text).toContain('まだ SSAR を使えません');
    expect(text).toMatch(/確認日時: \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d JST/);
    expect(text).toMatch(/❌ \*\*E5 [^*]+\*\*: 不合格/);
  });

  it('notices and failures are in the reader language too', async () => {
    const missing = cardText(
      cardOf(
        (
          await harness.say(
            people.agent,
            'check nobody.here@contoso.com',
            undefined,
            clientInfo('fr-FR', 'Europe/Paris'),
          )
        ).replies[0],
      ),
    );
    expect(missing).toContain("Cet utilisateur n'existe pas dans ce locataire");
    expect(missing).toContain('nobody.here@contoso.com');
    harness.graph.failNext({ path: /^\/users\/diego/ }, { status: 500 }, 10);
    const failed = cardText(
      cardOf(
        (
          await harness.say(
            people.agent,
            'check diego.siciliani@contoso.com',
            undefined,
            clientInfo('es-ES', 'Europe/Madrid'),
          )
        ).replies[0],
      ),
    );
    expect(failed).toContain('No pude leer el directorio');
  });

  it('a card the bot writes first is in its recipient language, not in that of the person whose turn sent it', async () => {
    await harness.say(cast.megan, 'hi', undefined, clientInfo('fr-FR', 'Europe/Paris'));
    const german = clientInfo('de-DE', 'Europe/Berlin');
    await harness.say(cast.helen, 'hi', undefined, german);
    await harness.post(
      harness.activity(cast.helen, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'c1',
        ...german,
        value: {
          action: { type: 'Action.Execute', verb: 'escalate.start', data: { userId: cast.adele.aadObjectId } },
          trigger: 'manual',
        },
      }),
    );
    const filed = await harness.post(
      harness.activity(cast.helen, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'c1',
        ...german,
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'escalate.submit',
            data: { userId: cast.adele.aadObjectId, reason: 'Telefon verloren', verification: 'video-call-with-id' },
          },
          trigger: 'manual',
        },
      }),
    );
    const requestId = filed.body.value.refresh.action.data.requestId;
    expect(cardText(filed.body.value)).toContain('Wartet auf Genehmigung');
    const forMegan = cardText(approvalCard(harness, cast.megan, requestId));
    expect(forMegan).toContain("En attente d'approbation");
    expect(forMegan).toContain('Approuver');

    await harness.post(
      harness.activity(cast.megan, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'c2',
        ...clientInfo('fr-FR', 'Europe/Paris'),
        value: {
          action: { type: 'Action.Execute', verb: 'escalation.approve', data: { requestId } },
          trigger: 'manual',
        },
      }),
    );
    const passCard = cardsIn(harness, personalChatId(cast.helen)).find((card) =>
      card?.body?.some?.((e: any) => e.type === 'RichTextBlock'),
    );
    expect(cardText(passCard)).toContain('Befristeter Zugriffspass für Adele Vance');
  });

  it('a button press is answered in the language of the person who pressed it', async () => {
    const turn = await harness.invoke(people.agent, 'guide', {}, undefined);
    expect(cardText(cardOf(turn.replies[0]))).toContain('How to get back into your work account');
    const pressed = harness.activity(people.agent, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: 'card-1',
      locale: 'de-DE',
      value: { action: { type: 'Action.Execute', verb: 'guide', data: {} }, trigger: 'manual' },
    });
    expect((await harness.post(pressed)).status).toBe(200);
    const reply = harness.connector.activities.find((a) => a.replyToId === pressed.id && cardOf(a));
    const text = cardText(cardOf(reply));
    expect(text).toContain('So kommen Sie wieder in Ihr Arbeitskonto');
  });
});
