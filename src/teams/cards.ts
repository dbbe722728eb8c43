import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { inSpanSync } from '../telemetry/telemetry.js';
import type { CardViews, TemplateName } from './card-views.js';

/** Card templates live as JSON in adaptive-cards/ and are bound to view models, never built in code. */
export const CARD_TEMPLATE_DIR = fileURLToPath(new URL('../../adaptive-cards/', import.meta.url));

export type AdaptiveCard = Record<string, any> & { type: 'AdaptiveCard' };

export class CardTemplates {
  private readonly templates = new Map<string, ACData.Template>();

  constructor(dir = CARD_TEMPLATE_DIR) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      this.templates.set(file.replace(/\.json$/, ''), new ACData.Template(json));
    }
  }

  names(): string[] {
    return [...this.templates.keys()];
  }

  render<N extends TemplateName>(name: N, data: CardViews[N]): AdaptiveCard {
    const template = this.templates.get(name);
    if (!template) throw new Error(`No card template named "${name}" in adaptive-cards/`);
    return inSpanSync(`card ${name}`, { 'ssar.card.template': name }, () => template.expand({ $root: data }) as AdaptiveCard);
  }

  attachment<N extends TemplateName>(name: N, data: CardViews[N]): Attachment {
    return CardFactory.adaptiveCard(this.render(name, data));
  }
}

/** A moment as people read it on a card: "2026-11-25 10:32 UTC". */
export { utcMinute } from '../time.js';

/**
 * Text a person typed or the directory holds, made safe for a TextBlock: Adaptive Cards render a
 * markdown subset, so a display name like "[click](https://evil)" must not become a link.
 */
export function plain(text: string | null | undefined, maxLength = 500): string {
  const clipped = (text ?? '').slice(0, maxLength);
  // Only the characters that start links, emphasis or HTML: names keep their hyphens, dots and apostrophes.
  return clipped.replace(/[\\`*_\[\]<>~]/g, (c) => `\\${c}`).replace(/\$\{/g, '$\u200b{');
}
