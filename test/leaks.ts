import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { passGroups } from '../src/teams/read-aloud.js';

/**
 * Where any of the secrets appears: log lines, files under a directory, captured traffic. Reports
 * the place, never the secret itself, so a failing run does not leak it either.
 */
export function findLeaks(places: Array<{ where: string; text: string }>, secrets: string[]): string[] {
  // A pass is also shown in groups for reading aloud ("Kx7m #pT2"): that form must not leak either.
  const wanted = [...new Set(secrets.flatMap((s) => [s, passGroups(s)]))].filter((s) => s.length >= 6);
  const bearer = /Bearer\s+eyJ[\w-]+\.[\w-]+/;
  return places.flatMap(({ where, text }) => [
    ...wanted.filter((secret) => text.includes(secret)).map(() => `a secret appears in ${where}`),
    ...(bearer.test(text) ? [`a bearer token appears in ${where}`] : []),
  ]);
}

export async function filesUnder(dir: string): Promise<Array<{ where: string; text: string }>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile());
  return Promise.all(
    files.map(async (e) => {
      const path = join(e.parentPath ?? (e as any).path, e.name);
      return { where: path, text: await readFile(path, 'utf8').catch(() => '') };
    }),
  );
}
