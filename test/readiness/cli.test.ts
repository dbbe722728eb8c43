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

  it('writes a file Excel opens as UTF-8, with a header that says in words what each requirement is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssar-readiness-cli-'));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = join(dir, 'report.csv');
      expect(await main(['--out', out], { LOG_LEVEL: 'warn' })).toBe(0);
      const bytes = await readFile(out);
      // The UTF-8 byte-order mark: without it Excel reads the file in the legacy code page.
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const header = parseCsv(bytes.toString('utf8'))[0]!;
      expect(header).toContain('E3 Has signed in successfully before');
      expect(header).toContain('E5 No other recovery-group member with the same name');
      expect(header.some((cell) => /^E\d+$/.test(cell))).toBe(false);
      // Accented names survive the round trip.
      expect(bytes.toString('utf8')).toContain('Jón');
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--not-ready writes only the members who cannot recover today, and still prints the whole summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssar-readiness-cli-'));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = join(dir, 'not-ready.csv');
      expect(await main(['--out', out, '--not-ready'], { LOG_LEVEL: 'warn' })).toBe(0);
      const rows = parseCsv(await readFile(out, 'utf8'));
      expect(rows[0]).toEqual(CSV_HEADER);
      const upns = rows.slice(1).map((row) => row[0]);
      expect(upns).toContain('miriam.graham@contoso.com');
      expect(upns).not.toContain('adele.vance@contoso.com');
      expect(rows.slice(1).every((row) => row[4] === 'fail' || row[4] === 'unknown')).toBe(true);
      const printed = stdout.mock.calls.map(([text]) => String(text)).join('');
      const [, ready, scanned, notReady] = printed.match(/(\d+) of (\d+) members ready, (\d+) not ready/)!;
      expect(Number(ready) + Number(notReady)).toBe(Number(scanned));
      expect(rows.length - 1).toBe(Number(notReady));
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
