import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;
/** Stand-ins for Microsoft (the emulators and their demo data) are as large as the APIs they follow. */
const STAND_INS = ['emulator/'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? sourceFiles(join(dir, entry.name))
        : Promise.resolve(entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []),
    ),
  );
  return nested.flat();
}

async function linesOf(files: string[]): Promise<Array<[string, number]>> {
  return Promise.all(
    files.map(
      async (file) => [relative(SRC, file), (await readFile(file, 'utf8')).split('\n').length] as [string, number],
    ),
  );
}

describe('files small enough to read', () => {
  it('no source file passes 450 lines (the emulators aside)', async () => {
    const files = (await sourceFiles(SRC)).filter(
      (file) => !STAND_INS.some((dir) => relative(SRC, file).startsWith(dir)),
    );
    const long = (await linesOf(files)).filter(([, lines]) => lines > 450);
    expect(long).toEqual([]);
  });

  it('no escalation use case passes 250 lines', async () => {
    const long = (await linesOf(await sourceFiles(join(SRC, 'app/escalation')))).filter(([, lines]) => lines > 250);
    expect(long).toEqual([]);
  });
});
