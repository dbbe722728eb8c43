import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/teams/locale.js';
import { localizationSchemaErrors, manifestSchemaErrors, SAMPLE_ENVIRONMENT } from './schema.js';

const appPackage = new URL('../../appPackage/', import.meta.url);
const template = readFileSync(new URL('manifest.json', appPackage), 'utf8');

function filled(): any {
  return JSON.parse(
    template.replace(/\$\{\{(\w+)\}\}/g, (_m, name: string) => SAMPLE_ENVIRONMENT[name] ?? `missing:${name}`),
  );
}

function pngSize(file: string): { width: number; height: number; hasAlpha: boolean } {
  const png = readFileSync(new URL(file, appPackage));
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), hasAlpha: png[25] === 6 };
}

describe('the Teams app package', () => {
  it('manifest validates against its published JSON schema', () => {
    const manifest = filled();
    expect(manifestSchemaErrors(manifest)).toEqual([]);
    expect(JSON.stringify(manifest)).not.toContain('missing:');
  });

  it('is localized in the languages the cards speak, each file valid against the Teams localization schema', () => {
    const manifest = filled();
    const { defaultLanguageTag, additionalLanguages } = manifest.localizationInfo;
    expect(
      [
        defaultLanguageTag.split('-')[0],
        ...additionalLanguages.map((l: { languageTag: string }) => l.languageTag),
      ].sort(),
    ).toEqual([...LANGUAGES].sort());
    expect(localizationSchemaErrors(manifest.manifestVersion, { 'name.short': 'x', 'bots[0].title': 'y' })).not.toEqual(
      [],
    );
    for (const { file } of additionalLanguages) {
      const strings = JSON.parse(
        readFileSync(new URL(file, appPackage), 'utf8').replace(
          /\$\{\{(\w+)\}\}/g,
          (_m, name: string) => SAMPLE_ENVIRONMENT[name] ?? '',
        ),
      );
      expect(localizationSchemaErrors(manifest.manifestVersion, strings), file).toEqual([]);
      expect(strings.$schema).toContain(`/v${manifest.manifestVersion}/`);
      // Every command the manifest lists has its description translated; the titles stay the words the bot understands.
      manifest.bots[0].commandLists[0].commands.forEach((_c: unknown, i: number) => {
        expect(strings[`bots[0].commandLists[0].commands[${i}].description`], `${file} command ${i}`).toBeTruthy();
      });
    }
  });

  it('declares a bot for personal, group chat and team scopes', () => {
    const bot = filled().bots[0];
    expect(bot.scopes).toEqual(['personal', 'groupChat', 'team']);
  });

  it('has a 192x192 color icon and a 32x32 transparent outline icon', () => {
    expect(pngSize('color.png')).toMatchObject({ width: 192, height: 192 });
    const outline = pngSize('outline.png');
    expect(outline).toMatchObject({ width: 32, height: 32, hasAlpha: true });
  });
});
