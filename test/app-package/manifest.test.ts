import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const appPackage = new URL('../../appPackage/', import.meta.url);
const template = readFileSync(new URL('manifest.json', appPackage), 'utf8');

/** The values Agents Toolkit fills in at provision time, as a real environment would have them. */
const environment: Record<string, string> = {
  TEAMS_APP_ID: '3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a',
  BOT_ID: '0b6c4d2e-8f1a-4b3c-9d5e-6f7a8b9c0d1e',
  BOT_DOMAIN: 'ssar-helpdesk.azurewebsites.net',
  APP_NAME_SUFFIX: '',
};

function filled(): any {
  return JSON.parse(template.replace(/\$\{\{(\w+)\}\}/g, (_m, name: string) => environment[name] ?? `missing:${name}`));
}

function pngSize(file: string): { width: number; height: number; hasAlpha: boolean } {
  const png = readFileSync(new URL(file, appPackage));
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), hasAlpha: png[25] === 6 };
}

describe('the Teams app package', () => {
  it('manifest validates against its published JSON schema', () => {
    const manifest = filled();
    const version = manifest.manifestVersion as string;
    const schema = require(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(JSON.stringify(manifest)).not.toContain('missing:');
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
