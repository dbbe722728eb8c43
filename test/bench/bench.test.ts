import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Runs `npm run bench` at its smallest so the benchmark keeps working. Only the shape of the
 * results is checked here, never a timing: performance claims come from real runs (docs/performance.md).
 */
describe('the benchmark, run in --quick mode', () => {
  let dir: string;
  let results: any;
  let printed: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssar-bench-test-'));
    const out = join(dir, 'results.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--no-deprecation',
        '--expose-gc',
        '--import',
        'tsx',
        'bench/run.ts',
        '--quick',
        '--latency',
        '0,10',
        '--out',
        out,
      ],
      { cwd: join(import.meta.dirname, '../..'), timeout: 290_000 },
    );
    printed = stdout;
    results = JSON.parse(await readFile(out, 'utf8'));
  }, 300_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the same verdict as the naive baseline for every demo user', () => {
    expect(results.eligibility.usersCompared).toBeGreaterThan(10);
    expect(results.eligibility.verdictsAgree).toBe(true);
    expect(results.eligibility.disagreements).toEqual([]);
  });

  it('measures the naive baseline and the bot, cold and warm, at each latency asked for', () => {
    expect(results.eligibility.byLatency.map((r: any) => r.latencyMs)).toEqual([0, 10]);
    for (const result of results.eligibility.byLatency) {
      for (const implementation of ['naive', 'botCold', 'botWarm']) {
        const summary = result.implementations[implementation];
        expect(summary.checks).toBe(results.eligibility.castSize);
        expect(summary.wallMs.median).toBeGreaterThan(0);
        expect(summary.waves.max).toBeGreaterThan(0);
      }
      expect(result.speedup).toEqual({ cold: expect.any(Number), warm: expect.any(Number) });
    }
  });

  it('reports round trips per warm check: one for a recovery-group member', () => {
    expect(results.warmCheck.everyone.users).toBeGreaterThan(10);
    expect(results.warmCheck.everyone.max).toBe(1);
    expect(results.warmCheck.createdSince).toBeLessThanOrEqual(2);
    expect(printed).toMatch(/Round trips per warm check/);
  });

  it('sends fewer HTTP requests to Graph than the naive baseline, cold or warm', () => {
    for (const { implementations } of results.eligibility.byLatency) {
      expect(implementations.botCold.topLevelRequests.max).toBeLessThan(implementations.naive.topLevelRequests.median);
      expect(implementations.botWarm.topLevelRequests.max).toBeLessThan(
        implementations.botCold.topLevelRequests.median,
      );
      expect(implementations.naive.inBatchRequests.max).toBe(0);
    }
  });

  it('counts the Graph requests of one Approve, which reads only what the decision uses', () => {
    expect(results.approve.graphRequestsPerApprove).toBeGreaterThan(0);
    expect(results.approve.graphRequestsPerApprove).toBeLessThanOrEqual(12);
    expect(results.approve.requests.some((line: string) => line.includes('temporaryAccessPassMethods'))).toBe(true);
  });

  it('answers every benchmarked turn with a card, sequential and concurrent', () => {
    const { sequential, concurrent, memory } = results.turns;
    expect(sequential).toMatchObject({ turns: 200, answered: 200, failed: 0, concurrency: 1 });
    expect(concurrent).toMatchObject({ answered: concurrent.turns, failed: 0, concurrency: 8 });
    for (const phase of [sequential, concurrent])
      expect(Object.keys(phase.latencyMs)).toEqual(['p50', 'p99', 'mean', 'max']);
    expect(memory.samples).toHaveLength(11);
    expect(memory).toHaveProperty('heapUsedKiBPer1000Turns');
    expect(results.turns.graphRequestsPerTurn.topLevel).toBeGreaterThan(0);
  });

  it('measures the same turns with telemetry off and on, and the ratio between them', () => {
    const { off, on, ratio, turnsPerRun } = results.telemetry;
    expect(turnsPerRun).toBe(100);
    for (const side of [off, on]) expect(side.meanMs).toBeGreaterThan(0);
    expect(ratio.meanMs).toBeCloseTo(on.meanMs / off.meanMs, 2);
    expect(typeof results.telemetry.target.meanLatencyWithin5Percent).toBe('boolean');
  });

  it("measures the bot's CPU in its own process, apart from the emulator and load generator", () => {
    const { sequential } = results.turns;
    expect(sequential.cpuMsPerTurn).toBeGreaterThan(0);
    expect(sequential.harnessCpuMsPerTurn).toBeGreaterThan(0);
    // The bot process's heap, not the parent's: the parent also holds the emulator and the connector.
    expect(results.turns.memory.samples.every((s: any) => s.heapUsedMiB > 0 && s.rssMiB > s.heapUsedMiB)).toBe(true);
  });

  it('scans a generated recovery group at each latency and concurrency, and arrives at the generated counts', () => {
    const { runs, targets } = results.readiness;
    expect(runs.map((r: any) => [r.members, r.latencyMs, r.concurrency])).toEqual([
      [300, 0, 4],
      [300, 0, 64],
      [300, 10, 4],
      [300, 10, 64],
    ]);
    for (const run of runs) {
      expect(run.verdicts.matchGenerated).toBe(true);
      expect(run.topLevelRequests).toBeGreaterThanOrEqual(run.floorRequests);
      expect(run.perUser.naive.estimatedRequests).toBeGreaterThan(run.topLevelRequests);
      expect(run.memory.peakHeapMiB).toBeGreaterThan(0);
    }
    expect(runs[2].timeOverFloor).toBeGreaterThan(0);
    expect(targets.within1_5xOfFloor).toMatchObject({ members: 300, latencyMs: 10 });
  });

  it('prints a table with the speed-up and the turn latencies', () => {
    expect(printed).toMatch(/bot, warm cache .*x/);
    expect(printed).toMatch(/sequential +200 /);
    expect(printed).toMatch(/^300 +10 ms +64 /m);
  });
});
