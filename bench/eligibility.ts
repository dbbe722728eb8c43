import { Directory } from '../src/directory/directory.js';
import { Graph } from '../src/directory/graph.js';
import { type RecoveryFallback, TenantFacts } from '../src/directory/tenant.js';
import type { EligibilityFacts } from '../src/eligibility/facts.js';
import { checkEligibility } from '../src/eligibility/rules.js';
import { type GraphEmulator, startGraphEmulator } from '../src/emulator/graph-emulator.js';
import { DEMO_TENANT_PATH, loadTenant } from '../src/emulator/tenant.js';
import { createLogger } from '../src/log.js';
import { median, requestCounts, round, roundTripWaves } from './measure.js';
import { readEligibilityFactsNaively } from './naive-eligibility.js';

/** What `npm start` uses with the demo tenant: the recovery groups come from the tenant's own setup. */
const NO_FALLBACK: RecoveryFallback = { groupIds: [], mode: 'production' };

export type Implementation = 'naive' | 'botCold' | 'botWarm';

export interface CheckMeasurement {
  userPrincipalName: string;
  wallMs: number;
  /** HTTP requests the emulator received; a `$batch` envelope is one. */
  topLevelRequests: number;
  /** Requests carried inside `$batch` envelopes; Graph throttles each of them. */
  inBatchRequests: number;
  waves: number;
}

export interface ImplementationSummary {
  checks: number;
  wallMs: { median: number; min: number; max: number };
  topLevelRequests: { median: number; max: number };
  inBatchRequests: { median: number; max: number };
  waves: { median: number; max: number };
  perCheck: CheckMeasurement[];
}

export interface LatencyResult {
  latencyMs: number;
  implementations: Record<Implementation, ImplementationSummary>;
  /** Median naive wall time over median bot wall time. */
  speedup: { cold: number; warm: number };
  targets: { wavesAtMost3: { cold: boolean; warm: boolean }; atLeast4xFaster: { cold: boolean; warm: boolean } };
}

export interface EligibilityBenchmark {
  /** Users of the demo tenant whose checks by the naive baseline and the bot were compared. */
  usersCompared: number;
  /** Users whose checks were timed at each latency. */
  castSize: number;
  /** Every cast member got the same verdict from the naive baseline and the bot, at every latency. */
  verdictsAgree: boolean;
  /** Same, for every requirement's status and evidence, not only the verdict. */
  checklistsAgree: boolean;
  disagreements: string[];
  byLatency: LatencyResult[];
}

/**
 * One eligibility check, as "check <upn>" runs it (find the user, read the facts), for the naive
 * baseline and for the bot with a cold and a warm tenant cache, at each simulated Graph latency.
 */
export async function benchmarkEligibility(options: {
  latencies: number[];
  castSize?: number;
}): Promise<EligibilityBenchmark> {
  const emulator = await startGraphEmulator({ tenant: await loadTenant(DEMO_TENANT_PATH) });
  try {
    const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
    const everyone = emulator.tenant.users.map((user) => user.userPrincipalName);
    const cast = everyone.slice(0, options.castSize);
    const now = new Date();
    const disagreements = new Set<string>();
    let verdictsAgree = true;

    // The same calls, in the same order, as the bot's check use case (src/app/check.ts).
    const botCheck = async (tenant: TenantFacts, upn: string) => {
      const directory = new Directory(graph, tenant, {});
      directory.prefetchTenantFacts();
      const warm = await directory.eligibilityFactsBySignInName(upn, now);
      if (warm) return warm.facts;
      const [user] = await directory.findUsers({ kind: 'upn', upn });
      if (!user) throw new Error(`${upn} is not in the demo tenant`);
      return directory.eligibilityFacts(user, now);
    };
    const naiveCheck = async (upn: string) => (await readEligibilityFactsNaively(graph, upn, NO_FALLBACK, now)).facts;
    const compare = (upn: string, bot: EligibilityFacts, naive: EligibilityFacts) => {
      const [fromBot, fromNaive] = [checkEligibility(bot), checkEligibility(naive)];
      if (fromBot.verdict !== fromNaive.verdict) {
        verdictsAgree = false;
        disagreements.add(`${upn}: verdict ${fromBot.verdict} (bot) vs ${fromNaive.verdict} (naive)`);
      }
      for (const [index, result] of fromBot.results.entries()) {
        if (JSON.stringify(result) !== JSON.stringify(fromNaive.results[index]))
          disagreements.add(`${upn}: ${result.id} differs`);
      }
    };

    // Unmeasured first pass over every user: warms the JIT and both clients, and checks the comparison is fair.
    for (const upn of everyone)
      compare(upn, await botCheck(new TenantFacts(graph, NO_FALLBACK), upn), await naiveCheck(upn));

    const byLatency: LatencyResult[] = [];
    for (const latencyMs of options.latencies) {
      emulator.setLatency(latencyMs);
      const warmTenant = new TenantFacts(graph, NO_FALLBACK);
      await botCheck(warmTenant, cast[0]!);
      const measurements: Record<Implementation, CheckMeasurement[]> = { naive: [], botCold: [], botWarm: [] };
      for (const upn of cast) {
        const naive = await measure(emulator, upn, () => naiveCheck(upn), measurements.naive);
        const cold = await measure(
          emulator,
          upn,
          () => botCheck(new TenantFacts(graph, NO_FALLBACK), upn),
          measurements.botCold,
        );
        await measure(emulator, upn, () => botCheck(warmTenant, upn), measurements.botWarm);
        compare(upn, cold, naive);
      }
      const implementations = {
        naive: summarise(measurements.naive),
        botCold: summarise(measurements.botCold),
        botWarm: summarise(measurements.botWarm),
      };
      const speedup = {
        cold: round(implementations.naive.wallMs.median / implementations.botCold.wallMs.median, 1),
        warm: round(implementations.naive.wallMs.median / implementations.botWarm.wallMs.median, 1),
      };
      byLatency.push({
        latencyMs,
        implementations,
        speedup,
        targets: {
          wavesAtMost3: { cold: implementations.botCold.waves.max <= 3, warm: implementations.botWarm.waves.max <= 3 },
          atLeast4xFaster: { cold: speedup.cold >= 4, warm: speedup.warm >= 4 },
        },
      });
    }
    emulator.setLatency(0);
    return {
      usersCompared: everyone.length,
      castSize: cast.length,
      verdictsAgree,
      checklistsAgree: disagreements.size === 0,
      disagreements: [...disagreements],
      byLatency,
    };
  } finally {
    await emulator.close();
  }
}

async function measure<T>(
  emulator: GraphEmulator,
  userPrincipalName: string,
  check: () => Promise<T>,
  into: CheckMeasurement[],
): Promise<T> {
  emulator.resetRequests();
  const started = performance.now();
  const result = await check();
  const wallMs = performance.now() - started;
  const { topLevel, inBatch } = requestCounts(emulator.requests);
  into.push({
    userPrincipalName,
    wallMs: round(wallMs),
    topLevelRequests: topLevel,
    inBatchRequests: inBatch,
    waves: roundTripWaves(emulator.requests),
  });
  return result;
}

function summarise(checks: CheckMeasurement[]): ImplementationSummary {
  const of = (pick: (check: CheckMeasurement) => number) => checks.map(pick);
  const wall = of((c) => c.wallMs);
  return {
    checks: checks.length,
    wallMs: { median: round(median(wall)), min: round(Math.min(...wall)), max: round(Math.max(...wall)) },
    topLevelRequests: {
      median: median(of((c) => c.topLevelRequests)),
      max: Math.max(...of((c) => c.topLevelRequests)),
    },
    inBatchRequests: { median: median(of((c) => c.inBatchRequests)), max: Math.max(...of((c) => c.inBatchRequests)) },
    waves: { median: median(of((c) => c.waves)), max: Math.max(...of((c) => c.waves)) },
    perCheck: checks,
  };
}
