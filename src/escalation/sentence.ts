import { utcMinute } from '../time.js';

/**
 * A sentence the core says to a person, kept as its English template and values so each reader gets
 * it in their own language and clock: the Teams layer translates the template by its text (the
 * catalogues in src/teams/locales/) and writes moments on the reader's clock; logs, the audit trail
 * and tests read the English. Values are filled in after translation, so a name is never taken for
 * a template.
 */
export interface Sentence {
  /** English with `${name}` placeholders, e.g. "Cancelled by ${name} at ${at}." */
  text: string;
  values?: Record<string, SentenceValue>;
}

/** Words as they are (a name, a reason someone typed), a moment, a sentence of its own, or a list of them. */
export type SentenceValue = string | { at: string } | Sentence | Sentence[];

export const say = (text: string, values?: Record<string, SentenceValue>): Sentence =>
  values ? { text, values } : { text };

/**
 * A value as it is, in every language (an account name, a list of sentences, a moment): a sentence
 * with nothing to translate around it, so it needs no catalogue entry.
 */
export const asIs = (value: SentenceValue): Sentence => ({ text: '${value}', values: { value } });

/** How a reader hears a sentence: their words for a template, their clock, their way of listing. */
export interface Voice {
  words(english: string): string;
  moment(at: string): string;
  list(items: string[]): string;
}

/** English, moments in UTC: for logs, the audit trail, mail and anyone whose language is unknown. */
export const ENGLISH: Voice = {
  words: (english) => english,
  moment: utcMinute,
  list: (items) => items.join(' and '),
};

export function spoken(sentence: Sentence, voice: Voice = ENGLISH): string {
  const value = (v: SentenceValue): string => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return voice.list(v.map((item) => spoken(item, voice)));
    if ('at' in v) return voice.moment(v.at);
    return spoken(v, voice);
  };
  const values = sentence.values ?? {};
  return voice
    .words(sentence.text)
    .replace(/\$\{(\w+)\}/g, (whole, name: string) => (name in values ? value(values[name]!) : whole));
}

/**
 * Words only a machine or the log reads (a callback's answer to the Request Service): English, never
 * looked up in a catalogue, so they need no translation.
 */
export const forMachines = (text: string): Sentence => ({ text });
