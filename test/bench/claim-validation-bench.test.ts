import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Runs `npm run bench -- --only claim-validation --quick` so the claim validation benchmark keeps
 * working. Only the shape is checked, never a timing (docs/performance.md has the measured runs).
 */
describe('the claim validation benchmark, in --quick mode', () => {
  let dir: string;
  let results: any;
  let printed: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssar-bench-cv-test-'));
    const out = join(dir, 'results.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--no-deprecation',
        '--expose-gc',
        '--import',
        'tsx',
        'bench/run.ts',
        '--only',
        'claim-validation',
        '--quick',
        '--out',
        out,
      ],
      { cwd: join(import.meta.dirname, '../..'), timeout: 170_000 },
    );
    printed = stdout;
    results = JSON.parse(await readFile(out, 'utf8'));
  }, 180_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('sends signed callouts, 20 in flight with Graph at 50 ms, answers each, and retries get the same answer', () => {
    const cv = results.claimValidation;
    expect(cv).toMatchObject({ callouts: 20, concurrency: 20, graphLatencyMs: 50, reportsBudgetRequests: 0 });
    expect(cv.answers).toEqual({ pass: 8, failed: 12, other: 0 });
    expect(cv.retries).toBe(20);
    expect(cv.retriesAnsweredDifferently).toBe(0);
    expect(cv.botCpuMsPerCallout).toBeGreaterThan(0);
    expect(cv.graphRequestsPerCallout.topLevel).toBeGreaterThan(0);
    expect(Object.keys(cv.latencyMs)).toEqual(['p50', 'p95', 'p99', 'max', 'mean']);
    expect(printed).toMatch(/p99 [\d.]+, max/);
  });
});
