import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { approveReport, benchmarkApprove } from './approve.js';
import { benchmarkClaimValidation, claimValidationReport } from './claim-validation.js';
import { benchmarkEligibility, type EligibilityBenchmark, type Implementation } from './eligibility.js';
import { BOT_CONCURRENCY, benchmarkReadiness, type ReadinessPlan, readinessReport } from './readiness.js';
import { benchmarkBudgetedReadiness, budgetReport } from './readiness-budgets.js';
import { benchmarkTelemetryOverhead, telemetryReport } from './telemetry.js';
import { benchmarkTurns, type TurnBenchmark, type TurnPhase } from './turns.js';
import { benchmarkWarmCheckRoundTrips, warmCheckReport } from './warm-check.js';

/**
 * `npm run bench`: the bot's speed and Graph cost against the naive way, on loopback against the
 * Graph emulator. Prints a table and writes the results as JSON. See docs/performance.md.
 *
 *   --latency 0,50     simulated Graph latency per HTTP request, in ms (comma list)
 *   --turns 10000      bot turns in the sequential phase, where memory is sampled every tenth of the run
 *   --concurrent-turns 2000, --concurrency 8   turns, and turns in flight, in the concurrent phase
 *   --readiness-members 10000,50000   group sizes for the readiness scan; the largest only at the largest latency
 *   --readiness-concurrency 4,64      `$batch`es in flight in the readiness scan (4 is the bot's default)
 *   --budget-members 10000,50000      group sizes for the readiness scan under Graph's documented budgets
 *   --budget-speed 10                 how much faster than real time the shared clock runs there
 *   --budget-latency 50               simulated Graph latency there, real-tenant ms
 *   --callouts 2000, --callout-concurrency 20, --callout-latency 50   claim validation callouts, in flight, Graph ms
 *   --only claim-validation   just that section (its results alone in the JSON)
 *   --quick            tiny sizes, for the test that keeps this runnable
 *   --out bench/results/latest.json
 */
const { values } = parseArgs({
  options: {
    latency: { type: 'string', default: '0,50' },
    turns: { type: 'string' },
    'concurrent-turns': { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'readiness-members': { type: 'string' },
    'readiness-concurrency': { type: 'string', default: `${BOT_CONCURRENCY},64` },
    'budget-members': { type: 'string' },
    'budget-speed': { type: 'string' },
    'budget-latency': { type: 'string', default: '50' },
    callouts: { type: 'string' },
    'callout-concurrency': { type: 'string', default: '20' },
    'callout-latency': { type: 'string', default: '50' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/latest.json' },
  },
});

const latencies = values.latency.split(',').map((part) => wholeNumber('--latency', part));
const quick = values.quick;
const turns = values.turns === undefined ? (quick ? 200 : 10_000) : wholeNumber('--turns', values.turns);
const concurrentTurns =
  values['concurrent-turns'] === undefined
    ? quick
      ? 100
      : 2_000
    : wholeNumber('--concurrent-turns', values['concurrent-turns']);
const concurrency = wholeNumber('--concurrency', values.concurrency);
const readinessMembers = (values['readiness-members'] ?? (quick ? '300' : '10000,50000'))
  .split(',')
  .map((part) => wholeNumber('--readiness-members', part));
const readinessConcurrency = values['readiness-concurrency']
  .split(',')
  .map((part) => wholeNumber('--readiness-concurrency', part));
if (turns < 10 || concurrentTurns < 1 || concurrency < 1)
  fail('--turns must be at least 10, --concurrent-turns and --concurrency at least 1');
if (readinessMembers.some((members) => members < 1) || readinessConcurrency.some((c) => c < 1))
  fail('--readiness-members and --readiness-concurrency take numbers of at least 1');

if (values.only !== undefined && values.only !== 'claim-validation') fail('--only takes claim-validation');
const claimValidationOptions = {
  callouts: wholeNumber('--callouts', values.callouts ?? (quick ? '20' : '2000')),
  concurrency: wholeNumber('--callout-concurrency', values['callout-concurrency']),
  graphLatencyMs: wholeNumber('--callout-latency', values['callout-latency']),
};
if (claimValidationOptions.callouts < 1 || claimValidationOptions.concurrency < 1)
  fail('--callouts and --callout-concurrency take numbers of at least 1');

// Other work on the machine shows in the timings: the load when the run began is kept with them.
const loadAverage = os.loadavg().map((load) => Math.round(load * 100) / 100);
const started = Date.now();
const machine = () => ({
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverageAtStart: loadAverage,
});
if (values.only === 'claim-validation') {
  const claimValidation = await benchmarkClaimValidation(claimValidationOptions);
  const results = { date: new Date().toISOString(), machine: machine(), claimValidation };
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(claimValidationReport(claimValidation));
  console.log(`\nResults written to ${values.out} (${Math.round((Date.now() - started) / 1000)} s).`);
  process.exit(0);
}
const eligibility = await benchmarkEligibility({ latencies, castSize: quick ? 3 : undefined });
const warmCheck = await benchmarkWarmCheckRoundTrips();
const turnResults = await benchmarkTurns({
  turns,
  concurrentTurns,
  concurrency,
  warmupTurns: quick ? 20 : 1_000,
  sampleEvery: Math.max(1, Math.floor(turns / 10)),
});
const telemetry = await benchmarkTelemetryOverhead({
  turns: quick ? 100 : 3_000,
  rounds: quick ? 1 : 3,
  warmupTurns: quick ? 20 : 500,
});
const approve = await benchmarkApprove();
const readiness = await benchmarkReadiness({ plan: readinessPlan(), sample: quick ? 2 : 5 });
const budgetSpeed = wholeNumber('--budget-speed', values['budget-speed'] ?? (quick ? '600' : '10'));
const budgetLatency = wholeNumber('--budget-latency', values['budget-latency']);
const budgeted = await benchmarkBudgetedReadiness(
  (values['budget-members'] ?? (quick ? '2000' : '10000,50000')).split(',').map((part) => ({
    members: wholeNumber('--budget-members', part),
    latencyMs: budgetLatency,
    speed: Math.max(1, budgetSpeed),
  })),
);

// In --quick mode only with --only claim-validation (test/bench/claim-validation-bench.test.ts), so
// the quick run of everything else stays as long as it was.
const claimValidation = quick ? undefined : await benchmarkClaimValidation(claimValidationOptions);

const results = {
  date: new Date().toISOString(),
  machine: machine(),
  options: { latencies, turns, concurrentTurns, concurrency, readinessMembers, readinessConcurrency, quick },
  durationSeconds: Math.round((Date.now() - started) / 1000),
  eligibility,
  warmCheck,
  turns: turnResults,
  telemetry,
  approve,
  readiness,
  budgetedReadiness: budgeted,
  claimValidation,
};
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `${report(eligibility, turnResults)}\n\n${warmCheckReport(warmCheck)}\n\n${telemetryReport(telemetry)}\n\n${approveReport(approve)}\n\n${readinessReport(readiness)}\n\n${budgetReport(budgeted)}${claimValidation ? `\n\n${claimValidationReport(claimValidation)}` : ''}`,
);
console.log(`\nResults written to ${values.out} (${results.durationSeconds} s).`);

/** Every size at every latency, except the largest (the scale target), which only runs at the largest latency to keep the run short. */
function readinessPlan(): ReadinessPlan[] {
  const largest = Math.max(...readinessMembers);
  const runsAt = (members: number) =>
    members === largest && readinessMembers.length > 1 ? [Math.max(...latencies)] : latencies;
  return [...new Set(readinessMembers)]
    .sort((a, b) => a - b)
    .flatMap((members) =>
      runsAt(members).flatMap((latencyMs) =>
        readinessConcurrency.map((concurrency) => ({ members, latencyMs, concurrency })),
      ),
    );
}

function report(eligibility: EligibilityBenchmark, turns: TurnBenchmark): string {
  const lines = [
    `One eligibility check ("check <upn>": find the user, read every fact), median of ${eligibility.castSize} demo users`,
    `Verdicts of naive and bot agree for all ${eligibility.usersCompared} demo users: ${yes(eligibility.verdictsAgree)}; every requirement agrees: ${yes(eligibility.checklistsAgree)}`,
    '',
  ];
  const names: Record<Implementation, string> = {
    naive: 'naive (sequential)',
    botCold: 'bot, cold cache',
    botWarm: 'bot, warm cache',
  };
  const rows = [['latency', 'implementation', 'wall ms', 'HTTP requests', 'in $batch', 'waves (max)', 'speed-up']];
  for (const result of eligibility.byLatency) {
    for (const implementation of ['naive', 'botCold', 'botWarm'] as const) {
      const summary = result.implementations[implementation];
      const speedup =
        implementation === 'botCold'
          ? result.speedup.cold
          : implementation === 'botWarm'
            ? result.speedup.warm
            : undefined;
      rows.push([
        `${result.latencyMs} ms`,
        names[implementation],
        String(summary.wallMs.median),
        String(summary.topLevelRequests.median),
        String(summary.inBatchRequests.median),
        `${summary.waves.median} (${summary.waves.max})`,
        speedup === undefined ? '' : `${speedup}x`,
      ]);
    }
  }
  lines.push(table(rows), '');
  for (const result of eligibility.byLatency.filter((r) => r.latencyMs >= 50)) {
    const { wavesAtMost3, atLeast4xFaster } = result.targets;
    lines.push(
      `Targets at ${result.latencyMs} ms: at most 3 waves: cold ${yes(wavesAtMost3.cold)}, warm ${yes(wavesAtMost3.warm)}; at least 4x faster: cold ${yes(atLeast4xFaster.cold)}, warm ${yes(atLeast4xFaster.warm)}`,
    );
  }

  const phase = (name: string, p: TurnPhase) => [
    name,
    String(p.turns),
    String(p.turnsPerSecond),
    String(p.cpuMsPerTurn),
    String(p.harnessCpuMsPerTurn),
    String(p.latencyMs.p50),
    String(p.latencyMs.p99),
    String(p.latencyMs.max),
    `${p.answered}/${p.turns}`,
  ];
  lines.push(
    '',
    `Bot turn overhead: "${turns.text}" through POST /api/messages to the bot in a process of its own, Graph at 0 ms, warm caches; ${turns.graphRequestsPerTurn.topLevel} Graph HTTP requests (${turns.graphRequestsPerTurn.inBatch} in $batch) a turn`,
    '',
    table([
      ['phase', 'turns', 'turns/s', 'bot CPU ms/turn', 'harness CPU ms/turn', 'p50 ms', 'p99 ms', 'max ms', 'answered'],
      phase('sequential', turns.sequential),
      phase(`${turns.concurrent.concurrency} concurrent`, turns.concurrent),
    ]),
    '',
    'Bot process memory after forced GC: ' +
      turns.memory.samples.map((s) => `${s.turn}: heap ${s.heapUsedMiB} / rss ${s.rssMiB} MiB`).join(', '),
    `Heap slope ${turns.memory.heapUsedKiBPer1000Turns} KiB per 1,000 turns (fitted growth ${turns.memory.fittedHeapGrowthMiB} MiB; second half ${turns.memory.heapUsedKiBPer1000TurnsSecondHalf} KiB per 1,000), rss slope ${turns.memory.rssKiBPer1000Turns} KiB per 1,000 turns`,
    `Targets: p99 under 25 ms (sequential; the concurrent phase's latency includes queueing): ${yes(turns.targets.p99Under25ms)}; memory flat: ${yes(turns.targets.memoryFlat)}`,
  );
  return lines.join('\n');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function yes(met: boolean): string {
  return met ? 'yes' : 'NO';
}

function wholeNumber(option: string, text: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 0) fail(`${option} takes whole numbers (got "${text}")`);
  return value;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
