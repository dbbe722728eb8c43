import { join } from 'node:path';
import { readEligibilityFacts } from '../src/directory/facts.js';
import { Graph } from '../src/directory/graph.js';
import { type RecoveryFallback, TenantFacts } from '../src/directory/tenant.js';
import { findUsers } from '../src/directory/users.js';
import { checkEligibility } from '../src/eligibility/rules.js';
import { type GraphEmulator, startGraphEmulator } from '../src/emulator/graph-emulator.js';
import { syntheticTenant } from '../src/emulator/synthetic.js';
import { createLogger } from '../src/log.js';
import { MEMBER_PAGE_SIZE } from '../src/readiness/scan.js';
import { cpuMs, forkChild } from './child.js';
import { requestCounts, round, roundTripWaves } from './measure.js';
import { readEligibilityFactsNaively } from './naive-eligibility.js';
import type { ScanRequest, ScanResult } from './scan-process.js';

/**
 * The readiness scan (issue 9) over generated tenants: wall time, Graph requests and memory for each
 * group size, simulated latency and number of `$batch`es in flight, against two per-user baselines
 * (timed on a sample of members and scaled to the group: running them in full would take hours)
 * and against two floors. The scan runs in a child process (bench/scan-process.ts); the emulator
 * and its tenant stay here, so the scan's CPU and memory are its own.
 *
 * Request floor: every member's authentication methods need a read of their own (Graph has no
 * tenant-wide list that keeps method types and usability), 20 to a `$batch`, and the member list
 * needs its pages of 999: ceil(N/999) + ceil(N/20) requests.
 * Time floor (the "page-count floor"): the member list's pages cannot overlap (each names
 * the next), so no scan finishes before ceil(N/999) × latency.
 */

const NO_FALLBACK: RecoveryFallback = { groupIds: [], mode: 'production' };
const SCAN_PROCESS = join(import.meta.dirname, 'scan-process.ts');
/** The scan's `$batch`es in flight when nothing else is asked (`npm run readiness` defaults to it too). */
export const BOT_CONCURRENCY = 4;
/**
 * Retained heap growth per member, between the smallest and the largest group, below which memory
 * counts as flat: less than one user object as Graph returns it, so no member is kept after its row.
 */
const FLAT_BYTES_PER_MEMBER = 1024;

export interface ReadinessPlan {
  members: number;
  latencyMs: number;
  /** `$batch`es in flight. */
  concurrency: number;
}

export interface ReadinessRun extends ReadinessPlan {
  wallMs: number;
  /** The scan process's CPU time; the emulator's is not in it. */
  cpuMs: number;
  /** This process's CPU time during the scan: the emulator serving it. On loopback it bounds how fast a scan with many requests in flight can go. */
  emulatorCpuMs: number;
  topLevelRequests: number;
  inBatchRequests: number;
  waves: number;
  floorRequests: number;
  /** Our HTTP requests over the request floor. */
  requestsOverFloor: number;
  pagingFloorMs: number;
  /** Wall time over the time floor; absent at 0 ms, where the floor is 0. */
  timeOverFloor?: number;
  memory: ScanResult['memory'];
  /** Per-user baselines, timed on `sampled` members at this latency, scaled to the whole group. */
  perUser: PerUserBaselines;
  verdicts: { ready: number; notReady: number; matchGenerated: boolean };
}

type PerUserBaselines = Record<
  'naive' | 'botCheck',
  {
    sampled: number;
    msPerMember: number;
    requestsPerMember: number;
    estimatedWallMs: number;
    estimatedRequests: number;
  }
>;

export interface ReadinessBenchmark {
  runs: ReadinessRun[];
  /** Peak and retained heap growth per member between the smallest and the largest group (at the bot's concurrency). */
  heapGrowthBytesPerMember: { peak: number; retained: number };
  targets: {
    /** Largest group, at the largest latency: wall time within 1.5x of the time floor, at the bot's concurrency and at the best one tried. */
    within1_5xOfFloor: {
      members: number;
      latencyMs: number;
      atBotConcurrency: boolean;
      atBestConcurrency: boolean;
      bestConcurrency: number;
    };
    memoryFlat: boolean;
  };
}

export async function benchmarkReadiness(options: {
  plan: ReadinessPlan[];
  sample?: number;
}): Promise<ReadinessBenchmark> {
  const sample = options.sample ?? 5;
  const runs: ReadinessRun[] = [];
  for (const members of [...new Set(options.plan.map((p) => p.members))]) {
    const now = new Date();
    const generated = syntheticTenant({ members, seed: 9, now });
    const emulator = await startGraphEmulator({ tenant: generated.tenant, now: () => now });
    const { child: scanner } = await forkChild(SCAN_PROCESS, [emulator.baseUrl, now.toISOString()]);
    try {
      const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
      const forSize = options.plan.filter((p) => p.members === members);
      for (const latencyMs of [...new Set(forSize.map((p) => p.latencyMs))]) {
        emulator.setLatency(latencyMs);
        const perUser = await perUserBaselines(graph, emulator, generated.tenant.users.slice(0, sample), members, now);
        for (const { concurrency } of forSize.filter((p) => p.latencyMs === latencyMs)) {
          emulator.resetRequests();
          const emulatorCpu = process.cpuUsage();
          const scan = await scanner.ask<ScanResult>({ kind: 'scan', concurrency } satisfies ScanRequest);
          const emulatorCpuMs = Math.round(cpuMs(process.cpuUsage(emulatorCpu)));
          const counts = requestCounts(emulator.requests);
          const floorRequests = Math.ceil(members / MEMBER_PAGE_SIZE) + Math.ceil(members / 20);
          const pagingFloorMs = Math.ceil(members / MEMBER_PAGE_SIZE) * latencyMs;
          runs.push({
            members,
            latencyMs,
            concurrency,
            wallMs: scan.wallMs,
            cpuMs: scan.cpuMs,
            emulatorCpuMs,
            topLevelRequests: counts.topLevel,
            inBatchRequests: counts.inBatch,
            waves: roundTripWaves(emulator.requests),
            floorRequests,
            requestsOverFloor: round(counts.topLevel / floorRequests),
            pagingFloorMs,
            timeOverFloor: pagingFloorMs > 0 ? round(scan.wallMs / pagingFloorMs, 1) : undefined,
            memory: scan.memory,
            perUser,
            verdicts: {
              ready: scan.ready,
              notReady: scan.notReady,
              matchGenerated: scan.ready === generated.expected.ready && scan.notReady === generated.expected.notReady,
            },
          });
          emulator.resetRequests();
        }
      }
    } finally {
      await scanner.close();
      await emulator.close();
    }
  }
  return { runs, ...judge(runs) };
}

function judge(runs: ReadinessRun[]): Pick<ReadinessBenchmark, 'heapGrowthBytesPerMember' | 'targets'> {
  const atBot = runs.filter((run) => run.concurrency === BOT_CONCURRENCY);
  const [smallest, largest] = [atBot[0], atBot.at(-1)];
  const perMember = (pick: (run: ReadinessRun) => number) =>
    smallest && largest && largest.members !== smallest.members
      ? round(((pick(largest) - pick(smallest)) * 1024 * 1024) / (largest.members - smallest.members), 0)
      : 0;
  const peak = perMember((run) => run.memory.peakHeapGrowthMiB);
  const retained = perMember((run) => run.memory.retainedHeapGrowthMiB);
  const members = Math.max(...runs.map((run) => run.members));
  const latencyMs = Math.max(...runs.filter((run) => run.members === members).map((run) => run.latencyMs));
  const target = runs.filter((run) => run.members === members && run.latencyMs === latencyMs);
  const within = (run: ReadinessRun | undefined) => run?.timeOverFloor !== undefined && run.timeOverFloor <= 1.5;
  const best = target.reduce((a, b) => (b.wallMs < a.wallMs ? b : a), target[0]!);
  return {
    heapGrowthBytesPerMember: { peak, retained },
    targets: {
      within1_5xOfFloor: {
        members,
        latencyMs,
        atBotConcurrency: within(target.find((run) => run.concurrency === BOT_CONCURRENCY)),
        atBestConcurrency: within(best),
        bestConcurrency: best.concurrency,
      },
      memoryFlat: retained < FLAT_BYTES_PER_MEMBER,
    },
  };
}

async function perUserBaselines(
  graph: Graph,
  emulator: GraphEmulator,
  users: Array<{ id: string; userPrincipalName: string }>,
  members: number,
  now: Date,
): Promise<PerUserBaselines> {
  const measure = async (check: (user: { id: string; userPrincipalName: string }) => Promise<unknown>) => {
    emulator.resetRequests();
    const started = performance.now();
    for (const user of users) await check(user);
    const ms = (performance.now() - started) / users.length;
    const requests = requestCounts(emulator.requests).topLevel / users.length;
    return {
      sampled: users.length,
      msPerMember: round(ms),
      requestsPerMember: round(requests),
      estimatedWallMs: Math.round(ms * members),
      estimatedRequests: Math.round(requests * members),
    };
  };
  const tenant = new TenantFacts(graph, NO_FALLBACK);
  await tenant.getPeople((await tenant.getPolicies()).recoveryScope);
  return {
    naive: await measure(async (user) =>
      checkEligibility((await readEligibilityFactsNaively(graph, user.userPrincipalName, NO_FALLBACK, now)).facts),
    ),
    // The bot's own per-user check in a loop, with its tenant cache warm.
    botCheck: await measure(async (user) => {
      const [found] = await findUsers(graph, { kind: 'upn', upn: user.userPrincipalName });
      return checkEligibility(await readEligibilityFacts(graph, tenant, found!, now));
    }),
  };
}

/** The readiness section of the bench table. */
export function readinessReport(result: ReadinessBenchmark): string {
  const seconds = (ms: number) => String(round(ms / 1000, 1));
  const rows = [
    [
      'members',
      'latency',
      'in flight',
      'wall s',
      'CPU s',
      'emulator CPU s',
      'requests',
      'in $batch',
      'req. floor',
      'x req.',
      'time floor s',
      'x time',
      'heap peak +MiB',
      'retained +MiB',
      'rss peak MiB',
      'naive est. s',
      'per-user check est. s',
      'counts ok',
    ],
  ];
  for (const run of result.runs) {
    rows.push([
      run.members.toLocaleString('en-US'),
      `${run.latencyMs} ms`,
      String(run.concurrency),
      seconds(run.wallMs),
      seconds(run.cpuMs),
      seconds(run.emulatorCpuMs),
      String(run.topLevelRequests),
      String(run.inBatchRequests),
      String(run.floorRequests),
      `${run.requestsOverFloor}x`,
      seconds(run.pagingFloorMs),
      run.timeOverFloor === undefined ? '' : `${run.timeOverFloor}x`,
      String(run.memory.peakHeapGrowthMiB),
      String(run.memory.retainedHeapGrowthMiB),
      String(run.memory.peakRssMiB),
      String(round(run.perUser.naive.estimatedWallMs / 1000, 0)),
      String(round(run.perUser.botCheck.estimatedWallMs / 1000, 0)),
      run.verdicts.matchGenerated ? 'yes' : 'NO',
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const { within1_5xOfFloor: floor, memoryFlat } = result.targets;
  const yes = (met: boolean) => (met ? 'yes' : 'NO');
  return [
    'Readiness scan of a generated recovery group, in a process of its own; per-user baselines timed on a sample and scaled',
    '',
    rows
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n'),
    '',
    `Heap growth per member, smallest to largest group: peak ${result.heapGrowthBytesPerMember.peak} bytes, retained ${result.heapGrowthBytesPerMember.retained} bytes (the people index and member-id sets; no user objects are kept)`,
    `Targets at ${floor.members.toLocaleString('en-US')} members, ${floor.latencyMs} ms: within 1.5x of the time floor: at ${BOT_CONCURRENCY} in flight ${yes(floor.atBotConcurrency)}, at ${floor.bestConcurrency} in flight ${yes(floor.atBestConcurrency)}; memory flat (retained under ${FLAT_BYTES_PER_MEMBER} bytes a member): ${yes(memoryFlat)}`,
  ].join('\n');
}
