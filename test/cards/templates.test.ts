import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_NAMES, type TemplateName } from '../../src/teams/card-views.js';
import { CardTemplates } from '../../src/teams/cards.js';
import { cardProblems } from './validate.js';

const templates = new CardTemplates();
const samplesDir = new URL('./samples/', import.meta.url);
const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.json'));

describe('every card template', () => {
  it.each(templates.names())('%s has sample data in test/cards/samples', (name) => {
    expect(samples).toContain(`${name}.json`);
  });

  it.each(samples.map((f) => f.replace(/\.json$/, '')))(
    '%s renders as a valid Adaptive Card 1.5 with nothing left unbound',
    (name) => {
      const variants = JSON.parse(readFileSync(new URL(`${name}.json`, samplesDir), 'utf8')) as object[];
      expect(variants.length).toBeGreaterThan(0);
      for (const data of variants) {
        // Sample data is checked by the validator, not the compiler: it is JSON.
        expect(cardProblems(templates.render(name as TemplateName, data as never))).toEqual([]);
      }
    },
  );

  it('the typed list of templates and their view models is exactly the folder', () => {
    expect([...TEMPLATE_NAMES].sort()).toEqual(templates.names().sort());
  });

  it('the validator itself catches an unknown element and an unbound expression', () => {
    const problems = cardProblems({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'Bogus' }, { type: 'TextBlock', text: '${nope}' }],
    });
    expect(problems.join('\n')).toMatch(/Bogus/);
    expect(problems.join('\n')).toMatch(/unbound/);
  });
});
