import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/readiness/cli.js';
import { CSV_HEADER, parseCsv } from '../../src/readiness/csv.js';

describe('npm run readiness', () => {
  it('writes the demo tenant report to disk and prints the summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssar-readiness-cli-'));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = join(dir, 'report.csv');
      expect(await main(['--out', out], { LOG_LEVEL: 'warn' })).toBe(0);
      const rows = parseCsv(await readFile(out, 'utf8'));
      expect(rows[0]).toEqual(CSV_HEADER);
      const byUpn = new Map(rows.slice(1).map((row) => [row[0], row]));
      expect(byUpn.get('adele.vance@contoso.com')?.[4]).toBe('pass');
      expect(byUpn.get('miriam.graham@contoso.com')?.[7]).toBe('fail');
      expect(byUpn.has('lidia.holloway@contoso.com')).toBe(false);
      const printed = stdout.mock.calls.map(([text]) => String(text)).join('');
      expect(printed).toMatch(/SSAR readiness: \d+ of \d+ members ready/);
      expect(printed).toContain('never signed in');
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says how to use it when --out is missing', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main([], {})).toBe(2);
      expect(String(stderr.mock.calls[0]?.[0])).toContain('--out report.csv');
    } finally {
      stderr.mockRestore();
    }
  });
});
