import { readdirSync, readFileSync } from 'node:fs';
import type { TemplateName } from '../../src/teams/card-views.js';
import { type AdaptiveCard, CardTemplates } from '../../src/teams/cards.js';
import { forReader, LANGUAGES, type Language } from '../../src/teams/locale.js';

const samplesDir = new URL('./samples/', import.meta.url);
const templates = new CardTemplates();

/** Every template bound to each of its samples in test/cards/samples, in every language. */
export function everyRenderedCard(): { name: string; language: Language; variant: number; card: AdaptiveCard }[] {
  return readdirSync(samplesDir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const name = file.replace(/\.json$/, '');
      const variants = JSON.parse(readFileSync(new URL(file, samplesDir), 'utf8')) as object[];
      return LANGUAGES.flatMap((language) =>
        variants.map((data, variant) => ({
          name,
          language,
          variant,
          card: forReader({ language, locale: language, timeZone: 'UTC' }, () =>
            templates.render(name as TemplateName, data as never),
          ),
        })),
      );
    });
}

/** Every element and action of a card, shown or collapsed, ShowCard cards included. */
export function elementsOf(node: unknown): Record<string, any>[] {
  const found: Record<string, any>[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      if (typeof (value as { type?: unknown }).type === 'string') found.push(value as Record<string, any>);
      Object.values(value).forEach(walk);
    }
  };
  walk(node);
  return found;
}
