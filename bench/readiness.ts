import { readEligibilityFacts } from '../src/directory/eligibility-facts.js';
import { Graph } from '../src/directory/graph.js';
import { TenantFacts, type RecoveryFallback } from '../src/directory/tenant-facts.js';
import { checkEligibility } from '../src/eligibility/rules.js';
import { startGraphEmulator, type GraphEmulator } from '../src/emulator/graph-emulator.js';
import { findUsers } from '../src/directory/users.js';
import { syntheticTenant } from '../src/emulator/synthetic.js';
import { createLogger } from '../src/log.js';
import { scanReadiness, MEMBER_PAGE_SIZE } from '../src/readiness/scan.js';
import { requestCounts, round, roundTripWaves } from './measure.js';
import { readEligibilityFactsNaively } from './naive-eligibility.js';

/**
 * The readiness scan (issue 9) over generated tenants: wall time, Graph requests and peak memory for
 * each group size and simulated latency, against two per-user baselines (timed on a sample of
 * members and scaled to the group: running them in full would take hours) and against the floor.
 *
 * Floor: every member's authentication methods need a read of their own (Graph has no tenant-wide
 * list that keeps method types and usability), 20 to a `$batch`, and the member list needs its
 * pages of 999: floorRequests = ceil(N/999) + ceil(N/20). The paging floor alone, the part that
 * cannot run in parallel (each page names the next), is ceil(N/999) × latency.
 */

const NO_FALLBACK: RecoveryFallback = { groupIds: [], mode: 'production' };
const MIB = 1024 * 1024;

export interface ReadinessRun {
  members: number;
  latencyMs: number;
  wallMs: number;
  topLevelRequests: number;
  inBatchRequests: number;
  waves: number;
  floorRequests: number;
  /** Our HTTP requests over the floor; the issue asks for a small factor. */
  requestsOverFloor: number;
  pagingFloorMs: number;
  /** Process memory, sampled every 50 ms; the emulator and its tenant live in the same process. */
  memory: { baselineRssMiB: number; peakRssMiB: number; baselineHeapMiB: number; peakHeapMiB: number; peakHeapGrowthMiB: number };
  /** Per-user baselines, timed on `sampled` members, scaled to the whole group. */
  perUser: Record<'naive' | 'botCheck', { sampled: number; msPerMember: number; requestsPerMember: number; estimatedWallMs: number; estimatedRequests: number }>;
  verdicts: { ready: number; notReady: number; matchGenerated: boolean };
}

export interface ReadinessBenchmark {
  runs: ReadinessRun[];
  /** Peak heap growth per 1,000 members between the smallest and largest group: flat is near 0. */
  heapGrowthKiBPer1000Members: number;
}

export async function benchmarkReadiness(options: { members?: number[]; latencies: number[]; sample?: number; concurrency?: number }): Promise<ReadinessBenchmark> {
  const sizes = options.members ?? [10_000, 50_000];
  const sample = options.sample ?? 10;
  const runs: ReadinessRun[] = [];
  for (const members of sizes) {
    const now = new Date();
    const generated = syntheticTenant({ members, seed: 9, now });
    const emulator = await startGraphEmulator({ tenant: generated.tenant, now: () => now });
    try {
      const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
      for (const latencyMs of options.latencies) {
        emulator.setLatency(latencyMs);
        globalThis.gc?.();
        const memory = sampleMemory();
        emulator.resetRequests();
        const started = performance.now();
        const summary = await scanReadiness(graph, new TenantFacts(graph, NO_FALLBACK), { now, concurrency: options.concurrency });
        const wallMs = performance.now() - started;
        const peaks = memory.stop();
        const counts = requestCounts(emulator.requests);
        const waves = roundTripWaves(emulator.requests);
        const floorRequests = Math.ceil(members / MEMBER_PAGE_SIZE) + Math.ceil(members / 20);
        const perUser = await perUserBaselines(graph, emulator, generated.tenant.users.slice(0, sample), members, now);
        runs.push({
          members,
          latencyMs,
          wallMs: Math.round(wallMs),
          topLevelRequests: counts.topLevel,
          inBatchRequests: counts.inBatch,
          waves,
          floorRequests,
          requestsOverFloor: round(counts.topLevel / floorRequests),
          pagingFloorMs: Math.ceil(members / MEMBER_PAGE_SIZE) * latencyMs,
          memory: peaks,
          perUser,
          verdicts: { ready: summary.ready, notReady: summary.notReady, matchGenerated: summary.ready === generated.expected.ready && summary.notReady === generated.expected.notReady },
        });
      }
    } finally {
      await emulator.close();
    }
  }
  const [first, last] = [runs[0], runs.at(-1)];
  const growth = first && last && last.members !== first.members ? ((last.memory.peakHeapGrowthMiB - first.memory.peakHeapGrowthMiB) * 1024) / ((last.members - first.members) / 1000) : 0;
  return { runs, heapGrowthKiBPer1000Members: round(growth) };
}

async function perUserBaselines(graph: Graph, emulator: GraphEmulator, users: Array<{ id: string; userPrincipalName: string }>, members: number, now: Date) {
  const measure = async (check: (user: { id: string; userPrincipalName: string }) => Promise<unknown>) => {
    emulator.resetRequests();
    const started = performance.now();
    for (const user of users) await check(user);
    const ms = (performance.now() - started) / users.length;
    const requests = requestCounts(emulator.requests).topLevel / users.length;
    return { sampled: users.length, msPerMember: round(ms), requestsPerMember: round(requests), estimatedWallMs: Math.round(ms * members), estimatedRequests: Math.round(requests * members) };
  };
  const tenant = new TenantFacts(graph, NO_FALLBACK);
  await tenant.getNameIndex((await tenant.getPolicies()).recoveryScope);
  return {
    naive: await measure(async (user) => checkEligibility((await readEligibilityFactsNaively(graph, user.userPrincipalName, NO_FALLBACK, now)).facts)),
    // The bot's own per-user check in a loop, with its tenant cache warm.
    botCheck: await measure(async (user) => {
      const [found] = await findUsers(graph, { kind: 'upn', upn: user.userPrincipalName });
      return checkEligibility(await readEligibilityFacts(graph, tenant, found!, now));
    }),
  };
}

function sampleMemory() {
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      const mib = (bytes: number) => round(bytes / MIB, 1);
      return {
        baselineRssMiB: mib(baseline.rss),
        peakRssMiB: mib(peakRss),
        baselineHeapMiB: mib(baseline.heapUsed),
        peakHeapMiB: mib(peakHeap),
        peakHeapGrowthMiB: mib(peakHeap - baseline.heapUsed),
      };
    },
  };
}

/** The readiness section of the bench table. */
export function readinessReport(result: ReadinessBenchmark): string {
  const rows = [['members', 'latency', 'wall s', 'requests', 'in $batch', 'floor', 'x floor', 'paging floor s', 'heap +MiB', 'rss peak MiB', 'naive est. s', 'per-user check est. s', 'counts ok']];
  for (const run of result.runs) {
    rows.push([
      run.members.toLocaleString('en-US'),
      `${run.latencyMs} ms`,
      String(round(run.wallMs / 1000, 1)),
      String(run.topLevelRequests),
      String(run.inBatchRequests),
      String(run.floorRequests),
      `${run.requestsOverFloor}x`,
      String(round(run.pagingFloorMs / 1000, 1)),
      String(run.memory.peakHeapGrowthMiB),
      String(run.memory.peakRssMiB),
      String(round(run.perUser.naive.estimatedWallMs / 1000, 0)),
      String(round(run.perUser.botCheck.estimatedWallMs / 1000, 0)),
      run.verdicts.matchGenerated ? 'yes' : 'NO',
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return [
    'Readiness scan of a generated recovery group (4 $batches in flight); per-user baselines timed on a sample and scaled',
    rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n'),
    `Peak heap growth per 1,000 members, smallest to largest group: ${result.heapGrowthKiBPer1000Members} KiB (the name index and member-id sets; no user objects are kept)`,
  ].join('\n');
}

// Standalone: node --expose-gc --import tsx bench/readiness.ts [members,...] [latency,...]
if (process.argv[1]?.endsWith('bench/readiness.ts')) {
  const [members = '10000,50000', latencies = '0,50'] = process.argv.slice(2);
  const result = await benchmarkReadiness({ members: members.split(',').map(Number), latencies: latencies.split(',').map(Number) });
  console.log(readinessReport(result));
}
