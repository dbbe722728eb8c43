import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/teams/locale.js';

/** The fonts fontconfig (and so Chromium) has for a language: `fc-list :lang=xx`. */
const fontsFor = (language: string) =>
  execFileSync('fc-list', [`:lang=${language}`, 'family'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

describe('fonts for every language the cards speak (scripts/install-chromium.sh)', () => {
  for (const language of LANGUAGES)
    it(`a font covers ${language}, so its cards do not render as boxes`, () => {
      expect(fontsFor(language), `no font for ${language}: run bash scripts/install-chromium.sh`).not.toEqual([]);
    });
});
