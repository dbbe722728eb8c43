import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ACData from 'adaptivecards-templating';
import { inSpanSync } from '../telemetry/telemetry.js';
import type { CardViews, TemplateName } from './card-views.js';
import { currentReader, type Language, readerTime, translate } from './locale.js';

/** Card templates live as JSON in adaptive-cards/ and are bound to view models, never built in code. */
export const CARD_TEMPLATE_DIR = fileURLToPath(new URL('../../adaptive-cards/', import.meta.url));

export type AdaptiveCard = Record<string, any> & { type: 'AdaptiveCard' };

export class CardTemplates {
  private readonly sources = new Map<string, object>();
  private readonly templates = new Map<string, ACData.Template>();

  constructor(dir = CARD_TEMPLATE_DIR) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      this.sources.set(file.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    }
  }

  names(): string[] {
    return [...this.sources.keys()];
  }

  /** Bound for the turn's reader (src/teams/locale.ts): their language, English where a message is missing. */
  render<N extends TemplateName>(name: N, data: CardViews[N]): AdaptiveCard {
    const template = this.template(name, currentReader().language);
    return inSpanSync(
      `card ${name}`,
      { 'ssar.card.template': name },
      () => template.expand({ $root: data }) as AdaptiveCard,
    );
  }

  /** The template with its texts translated, once per language and before binding, so data is never translated. */
  private template(name: string, language: Language): ACData.Template {
    const key = `${language}/${name}`;
    let template = this.templates.get(key);
    if (!template) {
      const source = this.sources.get(name);
      if (!source) throw new Error(`No card template named "${name}" in adaptive-cards/`);
      template = new ACData.Template(translateTexts(source, (text) => translate(text, language)));
      this.templates.set(key, template);
    }
    return template;
  }
}

/** Properties a person reads. `value` only where it is text: a fact's or a TextRun's, never an input's or a choice's. */
const TEXT_PROPERTIES = new Set(['text', 'title', 'label', 'placeholder', 'errorMessage', 'altText', 'fallbackText']);

/** Whether a template string carries words of its own, not only `${...}` expressions and punctuation. */
export function hasOwnWords(text: string): boolean {
  return /\p{L}/u.test(text.replace(/\$\{[^}]*\}/g, ''));
}

/**
 * A copy of a template with each text a person reads passed through `translate`. The English text,
 * `${...}` expressions included, is the message id (see src/teams/locales/).
 */
export function translateTexts<T>(node: T, translateText: (english: string) => string, inFacts = false): T {
  if (Array.isArray(node)) return node.map((item) => translateTexts(item, translateText, inFacts)) as T;
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const isText = (key: string) =>
    TEXT_PROPERTIES.has(key) || (key === 'value' && (inFacts || record.type === 'TextRun'));
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? isText(key) && hasOwnWords(value)
          ? translateText(value)
          : value
        : translateTexts(value, translateText, key === 'facts'),
    ]),
  ) as T;
}

/** Every text of a template that needs a message in each catalogue. */
export function templateTexts(template: object): string[] {
  const texts: string[] = [];
  translateTexts(template, (text) => (texts.push(text), text));
  return texts;
}

/** A moment as people read it on a card, in the turn reader's language and time zone. */
export const cardTime = (at: string | Date): string => readerTime(at);

/**
 * Text a person typed or the directory holds, made safe for a TextBlock: Adaptive Cards render a
 * markdown subset, so a display name like "[click](https://evil)" must not become a link.
 */
export function plain(text: string | null | undefined, maxLength = 500): string {
  const clipped = (text ?? '').slice(0, maxLength);
  // Only the characters that start links, emphasis or HTML: names keep their hyphens, dots and apostrophes.
  return clipped.replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`).replace(/\$\{/g, '$\u200b{');
}
