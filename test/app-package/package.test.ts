import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildAppPackage, PackagingError, parseEnvironmentFile, readEnvironment } from '../../scripts/package.js';
import { manifestSchemaErrors, SAMPLE_ENVIRONMENT } from './schema.js';

const appPackageDir = fileURLToPath(new URL('../../appPackage/', import.meta.url));

describe('npm run package: the Teams app zip an admin uploads', () => {
  const zip = unzipSync(buildAppPackage(appPackageDir, SAMPLE_ENVIRONMENT));
  const manifestText = strFromU8(zip['manifest.json']!);

  it('holds exactly the manifest, its two icons and its four language files, at the root', () => {
    expect(Object.keys(zip).sort()).toEqual([
      'color.png',
      'de.json',
      'es.json',
      'fr.json',
      'ja.json',
      'manifest.json',
      'outline.png',
    ]);
  });

  it('fills the name suffix in the language files too', () => {
    const german = JSON.parse(strFromU8(zip['de.json']!));
    expect(german['name.short']).toBe(`SSAR Helpdesk${SAMPLE_ENVIRONMENT.APP_NAME_SUFFIX}`);
    expect(strFromU8(zip['de.json']!)).not.toContain('${{');
  });

  it('has the environment ids filled in and no placeholder left', () => {
    expect(manifestText).not.toContain('${{');
    const manifest = JSON.parse(manifestText);
    expect(manifest.id).toBe(SAMPLE_ENVIRONMENT.TEAMS_APP_ID);
    expect(manifest.bots[0].botId).toBe(SAMPLE_ENVIRONMENT.BOT_ID);
    expect(manifest.validDomains).toEqual([SAMPLE_ENVIRONMENT.BOT_DOMAIN]);
  });

  it('names the Graph app registration as the app behind it, so that app may install it for people (proactive installation)', () => {
    // https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages#permissions
    const manifest = JSON.parse(manifestText);
    expect(manifest.webApplicationInfo.id).toBe(SAMPLE_ENVIRONMENT.GRAPH_CLIENT_ID);
  });

  it('validates against the published Teams manifest schema', () => {
    expect(manifestSchemaErrors(JSON.parse(manifestText))).toEqual([]);
  });

  it('carries the icons byte for byte', async () => {
    expect(Buffer.from(zip['color.png']!)).toEqual(await readFile(join(appPackageDir, 'color.png')));
    expect(Buffer.from(zip['outline.png']!)).toEqual(await readFile(join(appPackageDir, 'outline.png')));
  });

  it('the same environment always gives the same zip', () => {
    expect(buildAppPackage(appPackageDir, SAMPLE_ENVIRONMENT)).toEqual(
      buildAppPackage(appPackageDir, SAMPLE_ENVIRONMENT),
    );
  });

  it('an environment without a bot id fails with one line that names BOT_ID', () => {
    const { BOT_ID: _omitted, ...withoutBot } = SAMPLE_ENVIRONMENT;
    expect(() => buildAppPackage(appPackageDir, withoutBot)).toThrow(PackagingError);
    expect(() => buildAppPackage(appPackageDir, withoutBot)).toThrow(
      /^appPackage\/manifest\.json needs BOT_ID: set it in/,
    );
    expect(() => buildAppPackage(appPackageDir, { ...SAMPLE_ENVIRONMENT, BOT_ID: '' })).toThrow(/needs BOT_ID\b/);
  });

  it('names every unset id at once, not one per attempt', () => {
    expect(() => buildAppPackage(appPackageDir, { APP_NAME_SUFFIX: 'dev' })).toThrow(
      /needs TEAMS_APP_ID, BOT_ID, BOT_DOMAIN, GRAPH_CLIENT_ID:/,
    );
  });

  it('a production app may have an empty name suffix', () => {
    const manifest = JSON.parse(
      strFromU8(
        unzipSync(buildAppPackage(appPackageDir, { ...SAMPLE_ENVIRONMENT, APP_NAME_SUFFIX: '' }))['manifest.json']!,
      ),
    );
    expect(manifest.name.short).toBe('SSAR Helpdesk');
  });
});

describe('environment files', () => {
  it('reads KEY=value lines and skips comments, blanks and quotes', () => {
    expect(
      parseEnvironmentFile(
        '# a comment\n\nBOT_ID=abc\nBOT_DOMAIN="x.example"\n  # GRAPH_BASE_URL=https://graph\nEMPTY=\n',
      ),
    ).toEqual({
      BOT_ID: 'abc',
      BOT_DOMAIN: 'x.example',
      EMPTY: '',
    });
  });

  it('secrets and overrides in .env.<env>.user win over .env.<env>', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssar-env-'));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, '.env.dev'), 'BOT_ID=from-env\nBOT_DOMAIN=a.example\n');
      await writeFile(join(dir, '.env.dev.user'), 'BOT_ID=from-user\n');
      expect(readEnvironment(dir, 'dev')).toEqual({ BOT_ID: 'from-user', BOT_DOMAIN: 'a.example' });
      expect(() => readEnvironment(dir, 'prod')).toThrow(/No environment "prod"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
