import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { type Sentence, spoken, type Voice } from '../escalation/sentence.js';

/**
 * The language and time zone a person reads cards in, decided once per turn from the activity:
 * Teams sends the client's `locale` on every activity and a `clientInfo` entity with `locale` and
 * `timezone` (an IANA name such as "Europe/Berlin") on messages; where that entity has no zone, the
 * activity's own `localTimezone` (an IANA name too) is the reader's; with neither, UTC, which every
 * time on the card names.
 * https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-localization
 * https://learn.microsoft.com/dotnet/api/microsoft.teams.apps.schema.entities.clientinfoentity.-ctor
 * https://learn.microsoft.com/dotnet/api/microsoft.bot.schema.activity.localtimezone
 * Never from card data: a button cannot choose the language of the card it gets back.
 */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface Reader {
  language: Language;
  /** A BCP 47 tag for dates and numbers, e.g. "de-DE"; the language alone when the client sent none. */
  locale: string;
  /** IANA time zone; UTC when Teams sent none (or one this runtime does not know). */
  timeZone: string;
}

export const ENGLISH_UTC: Reader = { language: 'en', locale: 'en-GB', timeZone: 'UTC' };

interface ActivityLocale {
  locale?: unknown;
  entities?: unknown;
  localTimezone?: unknown;
}

/** Whatever the activity holds: a missing, malformed or unknown locale or zone reads as English and UTC. */
export function readerOf(activity: ActivityLocale): Reader {
  const clientInfo = clientInfoOf(activity);
  // The activity's own locale wins when it has one, shipped or not; the clientInfo entity's only without it.
  const shipped = shippedLocale(canonicalLocale(activity.locale) ?? clientInfo?.locale);
  const timeZone = timeZoneOf(activity) ?? 'UTC';
  return shipped ? { ...shipped, timeZone } : { ...ENGLISH_UTC, timeZone };
}

/** A language tag's canonical locale and the shipped language it is in; undefined for a language not shipped (or no tag). */
function shippedLocale(tag: unknown): { language: Language; locale: string } | undefined {
  const locale = canonicalLocale(tag);
  const language = LANGUAGES.find((l) => l === locale?.split('-')[0]?.toLowerCase());
  return language && locale ? { language, locale } : undefined;
}

/** The zone the activity names (its clientInfo entity's, else its localTimezone); undefined when none this runtime knows. */
export function timeZoneOf(activity: ActivityLocale): string | undefined {
  return knownTimeZone(clientInfoOf(activity)?.timezone) ?? knownTimeZone(activity.localTimezone);
}

function clientInfoOf(activity: ActivityLocale): { locale?: unknown; timezone?: unknown } | undefined {
  const entities = Array.isArray(activity.entities)
    ? (activity.entities as ({ type?: unknown; locale?: unknown; timezone?: unknown } | null)[])
    : [];
  return entities.find((entity) => entity?.type === 'clientInfo') ?? undefined;
}

function canonicalLocale(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag.length > 35) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

function knownTimeZone(zone: unknown): string | undefined {
  if (typeof zone !== 'string' || zone.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * A browser's reader (the caller's verification page): the shipped language its Accept-Language
 * header ranks highest (RFC 9110 section 12.5.4: ranges weighted by q, q=0 meaning "not
 * acceptable"; a range matches on its primary subtag, as RFC 4647 lookup falls back from "de-CH"
 * to "de"), English for "*" or when none is shipped. The server cannot know the browser's zone:
 * UTC, which every time then names.
 * https://www.rfc-editor.org/rfc/rfc9110#name-accept-language
 */
export function readerOfBrowser(acceptLanguage: string | undefined): Reader {
  const ranges = (acceptLanguage ?? '')
    .slice(0, 1000)
    .split(',')
    .slice(0, 50)
    .map((entry, order) => {
      const [range = '', ...parameters] = entry.split(';').map((part) => part.trim());
      const weight = parameters.find((p) => /^q=/i.test(p));
      const q =
        weight === undefined ? 1 : /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i.test(weight) ? Number(weight.slice(2)) : 0;
      return { range, q, order };
    })
    .filter(({ range, q }) => q > 0 && range !== '')
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { range } of ranges) {
    if (range === '*') return ENGLISH_UTC;
    const shipped = shippedLocale(range);
    if (shipped) return { ...shipped, timeZone: 'UTC' };
  }
  return ENGLISH_UTC;
}

const turnReader = new AsyncLocalStorage<Reader>();

/**
 * Everything rendered inside `work` (the turn's cards, its error card) is for this reader. Cards
 * rendered outside a turn, such as a proactive message to an approver, are English and UTC.
 */
export function forReader<T>(reader: Reader, work: () => T): T {
  return turnReader.run(reader, work);
}

export function currentReader(): Reader {
  return turnReader.getStore() ?? ENGLISH_UTC;
}

/** Catalogues keyed by the English text (gettext style, `${name}` placeholders kept verbatim). */
export type Catalogue = Record<string, string>;

const CATALOGUE_DIR = new URL('./locales/', import.meta.url);
const catalogues = new Map<Language, Catalogue>();

export function catalogue(language: Language): Catalogue {
  let found = catalogues.get(language);
  if (!found) {
    found =
      language === 'en'
        ? {}
        : (JSON.parse(readFileSync(new URL(`${language}.json`, CATALOGUE_DIR), 'utf8')) as Catalogue);
    catalogues.set(language, found);
  }
  return found;
}

/** The message in `language`, English when the catalogue lacks it. */
export function translate(english: string, language: Language): string {
  return catalogue(language)[english] ?? english;
}

/**
 * A message produced in code, in the turn's language, with `${name}` filled from `values`. Values
 * are inserted after translation, so a name can never be mistaken for a message.
 */
export function t(english: string, values: Record<string, string | number> = {}): string {
  return translate(english, currentReader().language).replace(/\$\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/**
 * A time of day inside a sentence ("expires at 11:32 CET"), on the same clock as `readerTime`: the
 * reader's zone, named, on a 24-hour dial.
 */
export function readerClock(at: string | Date, reader = currentReader()): string {
  return new Intl.DateTimeFormat(reader.locale, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: reader.timeZone,
    timeZoneName: 'short',
  }).format(new Date(at));
}

/** Every "2026-11-25 10:32 UTC" (src/time.ts utcMinute) the core wrote into a text, in the reader's clock. */
export function inReaderTime(text: string, reader = currentReader()): string {
  return text.replace(/\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC\b/g, (_whole, day: string, time: string) =>
    readerTime(`${day}T${time}:00Z`, reader),
  );
}

/**
 * A moment as the reader reads it: their language's date and time, in their zone, zone named, on
 * the 24-hour dial of `readerClock` so one card never shows "02:32 PM" beside "14:32".
 */
export function readerTime(at: string | Date, reader = currentReader()): string {
  return new Intl.DateTimeFormat(reader.locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: reader.timeZone,
    timeZoneName: 'short',
  }).format(new Date(at));
}

/**
 * A sentence the core said, as this reader hears it: their catalogue, their way of listing, and
 * moments on their clock, as a time of day (`clock`, for a status line about today) or whole; a UTC
 * moment the core wrote into free text it carries (a stored failure reason) is put on their clock too.
 */
export function inReaderWords(
  sentence: Sentence,
  moments: 'clock' | 'time' = 'time',
  reader = currentReader(),
): string {
  const voice: Voice = {
    words: (english) => translate(english, reader.language),
    moment: (at) => (moments === 'clock' ? readerClock(at, reader) : readerTime(at, reader)),
    list: (items) => new Intl.ListFormat(reader.locale, { type: 'conjunction' }).format(items),
  };
  return inReaderTime(spoken(sentence, voice), reader);
}
