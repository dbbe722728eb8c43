import { describe, expect, it } from 'vitest';
import { elementsOf, everyRenderedCard } from './samples.js';

/**
 * What a screen reader or a colour-blind reader needs from every card: inputs that say what they
 * are for, required inputs that say what is missing, and no meaning carried by colour or an emoji
 * alone. Walks every template with its samples, in every language.
 */
const cards = everyRenderedCard();
const where = ({ name, language, variant }: (typeof cards)[number]) => `${name} (${language}, sample ${variant + 1})`;

const STATUS_ICONS = /[✅❌⚠❔🔎▫]/u;
const hasWords = (text: unknown) => typeof text === 'string' && /\p{L}{2,}/u.test(text.replace(/\$\{[^}]*\}/g, ''));
/** Every text a person reads in a part of a card, facts included (they have no `type`). */
function textsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(textsOf);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    typeof value === 'string' ? (['text', 'value', 'title'].includes(key) ? [value] : []) : textsOf(value),
  );
}

describe('accessible cards', () => {
  it('every input has a label', () => {
    const unlabelled = cards.flatMap((c) =>
      elementsOf(c.card)
        .filter((e) => e.type.startsWith('Input.') && !hasWords(e.label))
        .map((e) => `${where(c)}: ${e.id}`),
    );
    expect(unlabelled).toEqual([]);
  });

  it('every required input says what is missing', () => {
    const silent = cards.flatMap((c) =>
      elementsOf(c.card)
        .filter((e) => e.type.startsWith('Input.') && e.isRequired && !hasWords(e.errorMessage))
        .map((e) => `${where(c)}: ${e.id}`),
    );
    expect(silent).toEqual([]);
  });

  it('the inputs a request cannot go without are required', () => {
    const required = (name: string) =>
      new Set(
        cards
          .filter((c) => c.name === name)
          .flatMap((c) =>
            elementsOf(c.card)
              .filter((e) => e.isRequired)
              .map((e) => e.id),
          ),
      );
    expect([...required('escalation-request')].sort()).toEqual(['reason', 'verification']);
    expect([...required('welcome')]).toEqual(['target']);
  });

  it('a button that does not need the inputs is not blocked by them', () => {
    for (const c of cards.filter((c) => c.name === 'welcome')) {
      const others = (c.card.actions as Record<string, any>[]).filter((a) => a.verb !== 'check');
      expect(others.map((a) => a.associatedInputs)).toEqual(others.map(() => 'none'));
    }
  });

  it('each status icon shares its line with a word', () => {
    const bare = cards.flatMap((c) =>
      textsOf(c.card)
        .filter((text) => STATUS_ICONS.test(text) && !hasWords(text))
        .map((text) => `${where(c)}: "${text}"`),
    );
    expect(bare).toEqual([]);
  });

  it('colour never carries meaning alone: coloured text and styled containers have words', () => {
    const meaningful = new Set(['good', 'warning', 'attention']);
    const onlyColour = cards.flatMap((c) =>
      elementsOf(c.card)
        .filter(
          (e) =>
            (e.type === 'TextBlock' && meaningful.has(String(e.color).toLowerCase())) ||
            (e.type === 'Container' && meaningful.has(String(e.style).toLowerCase())),
        )
        .filter((e) => !textsOf(e).some(hasWords))
        .map((e) => `${where(c)}: ${e.type} ${e.color ?? e.style}`),
    );
    expect(onlyColour).toEqual([]);
  });

  it('the checks themselves catch a bare icon and an unlabelled input', () => {
    const card = {
      body: [
        { type: 'TextBlock', text: '❌' },
        { type: 'FactSet', facts: [{ title: '10:32', value: '✅' }] },
        { type: 'Input.Text', id: 'x' },
      ],
    };
    const elements = elementsOf(card);
    expect(textsOf(card).filter((text) => STATUS_ICONS.test(text) && !hasWords(text))).toEqual(['❌', '✅']);
    expect(elements.filter((e) => e.type.startsWith('Input.') && !hasWords(e.label))).toHaveLength(1);
  });
});
