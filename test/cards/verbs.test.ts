import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_TEMPLATE_DIR } from '../../src/teams/cards.js';
import { ANSWER_AS_NEW_CARD } from '../../src/teams/turn.js';
import { VERBS } from '../../src/teams/verbs.js';
import { cardText, type Harness, people, startHarness } from '../harness.js';

/** Every Action.Execute (verb and data) anywhere in a template, refresh actions included. */
function actionsIn(node: unknown, found: { verb: string; data: Record<string, unknown> }[] = []) {
  if (Array.isArray(node)) node.forEach((child) => actionsIn(child, found));
  else if (node && typeof node === 'object') {
    const element = node as Record<string, unknown>;
    if (element.type === 'Action.Execute' && typeof element.verb === 'string')
      found.push({ verb: element.verb, data: (element.data ?? {}) as Record<string, unknown> });
    Object.values(element).forEach((child) => actionsIn(child, found));
  }
  return found;
}

const templates = readdirSync(CARD_TEMPLATE_DIR).filter((f) => f.endsWith('.json'));
const inTemplates = templates.flatMap((file) =>
  actionsIn(JSON.parse(readFileSync(`${CARD_TEMPLATE_DIR}${file}`, 'utf8'))).map((action) => ({ file, ...action })),
);
// Input.* values join Action.Execute data under their ids; the form's inputs are declared in the spec too.
const UNHANDLED = 'That button is not something I can do';

describe('card verbs', () => {
  it('the templates use verbs at all (the walk finds them)', () => {
    expect(inTemplates.length).toBeGreaterThan(10);
  });

  it.each(inTemplates.map((a) => [a.file, a.verb, a.data] as const))(
    '%s: "%s" has a data spec that accepts what the card sends',
    (_file, verb, data) => {
      expect(Object.hasOwn(VERBS, verb)).toBe(true);
      const spec = VERBS[verb as keyof typeof VERBS] as Record<string, unknown>;
      // answerAs is the kit's own field, read for every verb (src/teams/turn.ts), never the verb's.
      expect(data.answerAs ?? ANSWER_AS_NEW_CARD.answerAs).toBe(ANSWER_AS_NEW_CARD.answerAs);
      for (const key of Object.keys(data).filter((key) => key !== 'answerAs'))
        expect(Object.hasOwn(spec, key), `field "${key}"`).toBe(true);
    },
  );

  describe('every verb has a route', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await startHarness();
    });
    afterAll(() => harness.close());

    it.each(Object.keys(VERBS))(
      '"%s" is answered by its own route, not the fallback for unknown buttons',
      async (verb) => {
        const turn = await harness.invoke(people.agent, verb, {});
        expect(turn.status).toBe(200);
        expect(cardText(turn.body?.value) + JSON.stringify(turn.body?.value ?? '')).not.toContain(UNHANDLED);
      },
    );

    it('the fallback itself answers a verb nobody registered', async () => {
      const turn = await harness.invoke(people.agent, 'no.such.verb', {});
      expect(cardText(turn.body?.value)).toContain(UNHANDLED);
    });
  });
});
