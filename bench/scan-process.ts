import { Graph } from '../src/directory/graph.js';
import { type RecoveryFallback, TenantFacts } from '../src/directory/tenant.js';
import { createLogger } from '../src/log.js';
import { scanReadiness } from '../src/readiness/scan.js';
import { cpuMs, serveParent, usageAfterCollection } from './child.js';
import { round } from './measure.js';

/**
 * The readiness scan alone in a process, for bench/readiness.ts (started with forkChild):
 *   scan-process.ts <graph base url> <now, ISO 8601>
 * Each `scan` request runs one full scan against the parent's emulator with a fresh tenant cache
 * and reports its wall time, this process's CPU and memory: the emulator and its generated tenant
 * live in the parent, so the memory is the scanner's own.
 */

export interface ScanRequest {
  kind: 'scan';
  concurrency: number;
}

export interface ScanResult {
  wallMs: number;
  cpuMs: number;
  ready: number;
  notReady: number;
  memory: {
    /** After a forced collection, before the scan. */
    baselineHeapMiB: number;
    baselineRssMiB: number;
    /** Highest seen, sampled every 50 ms without forcing a collection: garbage not yet collected counts. */
    peakHeapMiB: number;
    peakRssMiB: number;
    peakHeapGrowthMiB: number;
    /** After a forced collection at the end, with the tenant cache (name index, group sets) still held. */
    retainedHeapGrowthMiB: number;
  };
}

const NO_FALLBACK: RecoveryFallback = { groupIds: [], mode: 'production' };
const MiB = 1024 * 1024;

const [graphBaseUrl, nowText] = process.argv.slice(2);
if (!graphBaseUrl || !nowText) throw new Error('usage: scan-process.ts <graph base url> <now>');
const now = new Date(nowText);
const graph = new Graph({ baseUrl: graphBaseUrl, log: createLogger('silent') });

async function scan(request: ScanRequest): Promise<ScanResult> {
  const baseline = await usageAfterCollection();
  let [peakRss, peakHeap] = [0, 0];
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    [peakRss, peakHeap] = [Math.max(peakRss, rss), Math.max(peakHeap, heapUsed)];
  };
  const sampler = setInterval(sample, 50);
  const tenantFacts = new TenantFacts(graph, NO_FALLBACK);
  const [started, startedCpu] = [performance.now(), process.cpuUsage()];
  try {
    const summary = await scanReadiness(graph, tenantFacts, { now });
    const [wallMs, usedCpuMs] = [performance.now() - started, cpuMs(process.cpuUsage(startedCpu))];
    sample();
    clearInterval(sampler);
    const retained = await usageAfterCollection();
    // Keeps the cache alive through the collection above, as it is while the bot runs.
    void tenantFacts;
    const mib = (value: number) => round(value, 1);
    return {
      wallMs: Math.round(wallMs),
      cpuMs: Math.round(usedCpuMs),
      ready: summary.ready,
      notReady: summary.notReady,
      memory: {
        baselineHeapMiB: mib(baseline.heapUsedMiB),
        baselineRssMiB: mib(baseline.rssMiB),
        peakHeapMiB: mib(peakHeap / MiB),
        peakRssMiB: mib(peakRss / MiB),
        peakHeapGrowthMiB: mib(peakHeap / MiB - baseline.heapUsedMiB),
        retainedHeapGrowthMiB: mib(retained.heapUsedMiB - baseline.heapUsedMiB),
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

serveParent({}, scan, async () => undefined);
