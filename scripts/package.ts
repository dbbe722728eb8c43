/**
 * `npm run package [-- --env dev]`: builds appPackage/build/appPackage.<env>.zip from appPackage/,
 * with the ${{NAME}} placeholders filled from env/.env.<env> and env/.env.<env>.user, the way
 * Agents Toolkit's zipAppPackage does. Upload the zip in the Teams admin center.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { strToU8, zipSync } from 'fflate';

export type Environment = Record<string, string>;

export class PackagingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackagingError';
  }
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** A production app has no name suffix; every other placeholder needs a value. */
const MAY_BE_EMPTY = new Set(['APP_NAME_SUFFIX']);
/** A fixed timestamp, so the same inputs always give the same zip. */
const ENTRY_TIME = new Date('2025-01-01T00:00:00Z');

/** `KEY=value` lines; `#` comments and blank lines skipped, surrounding quotes removed. */
export function parseEnvironmentFile(text: string): Environment {
  const values: Environment = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** env/.env.<environment>, overlaid with the git-ignored env/.env.<environment>.user. */
export function readEnvironment(envDir: string, environment: string): Environment {
  const file = join(envDir, `.env.${environment}`);
  if (!existsSync(file)) throw new PackagingError(`No environment "${environment}": ${file} does not exist.`);
  const user = `${file}.user`;
  return {
    ...parseEnvironmentFile(readFileSync(file, 'utf8')),
    ...(existsSync(user) ? parseEnvironmentFile(readFileSync(user, 'utf8')) : {}),
  };
}

/** The template with every placeholder replaced; one error naming all unset ones. */
export function fillPlaceholders(template: string, values: Environment, source: string, whereToSet: string): string {
  const unset = new Set<string>();
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    const value = values[name!];
    if (value === undefined || (value === '' && !MAY_BE_EMPTY.has(name!))) unset.add(name!);
  }
  if (unset.size > 0) {
    throw new PackagingError(
      `${source} needs ${[...unset].join(', ')}: set ${unset.size === 1 ? 'it' : 'them'} in ${whereToSet} (teamsapp provision writes the ids).`,
    );
  }
  // JSON-escaped, so a value can never break the manifest's syntax.
  return template.replace(PLACEHOLDER, (_match, name: string) => JSON.stringify(values[name]).slice(1, -1));
}

/** The zip Teams accepts: manifest.json, the two icons and the language files it names, at the root. */
export function buildAppPackage(
  appPackageDir: string,
  values: Environment,
  whereToSet = 'the environment',
): Uint8Array {
  const template = readFileSync(join(appPackageDir, 'manifest.json'), 'utf8');
  const manifestText = fillPlaceholders(template, values, 'appPackage/manifest.json', whereToSet);
  const manifest = JSON.parse(manifestText) as {
    icons?: { color?: string; outline?: string };
    localizationInfo?: { additionalLanguages?: { file: string }[] };
  };
  const icons = [manifest.icons?.color, manifest.icons?.outline];
  if (icons.some((icon) => !icon))
    throw new PackagingError('appPackage/manifest.json must name a color and an outline icon.');
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {
    'manifest.json': [strToU8(manifestText), { mtime: ENTRY_TIME }],
  };
  for (const icon of icons as string[])
    entries[icon] = [readFileSync(join(appPackageDir, icon)), { mtime: ENTRY_TIME }];
  // The localized name carries the same suffix as the manifest's.
  for (const { file } of manifest.localizationInfo?.additionalLanguages ?? []) {
    const text = fillPlaceholders(
      readFileSync(join(appPackageDir, file), 'utf8'),
      values,
      `appPackage/${file}`,
      whereToSet,
    );
    entries[file] = [strToU8(text), { mtime: ENTRY_TIME }];
  }
  return zipSync(entries, { level: 9 });
}

/** Writes appPackage/build/appPackage.<environment>.zip under `rootDir`; returns its path. */
export function packageForEnvironment(rootDir: string, environment: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(environment)) throw new PackagingError(`"${environment}" is not an environment name.`);
  const appPackageDir = join(rootDir, 'appPackage');
  const values = readEnvironment(join(rootDir, 'env'), environment);
  const zip = buildAppPackage(appPackageDir, values, `env/.env.${environment} or env/.env.${environment}.user`);
  const outputDir = join(appPackageDir, 'build');
  mkdirSync(outputDir, { recursive: true });
  const output = join(outputDir, `appPackage.${environment}.zip`);
  writeFileSync(output, zip);
  return output;
}

function environmentArgument(argv: string[]): string {
  const flag = argv.indexOf('--env');
  if (flag >= 0) return argv[flag + 1] ?? '';
  return argv.find((arg) => !arg.startsWith('-')) ?? 'dev';
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const output = packageForEnvironment(root, environmentArgument(process.argv.slice(2)));
    console.log(`Teams app package: ${relative(process.cwd(), output)}`);
  } catch (error) {
    if (!(error instanceof PackagingError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
