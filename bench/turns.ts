import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { CONTOSO, startDemoTenant } from '../src/demo.js';
import { createLogger } from '../src/log.js';
import { startFakeConnector } from '../src/localchat/connector.js';
import { percentile, requestCounts, round, slope } from './measure.js';

export const CHECK_TEXT = 'check adele.vance@contoso.com';
const MiB = 1024 * 1024;
/** Fitted heap growth over the run below which memory counts as flat: under ~100 bytes a turn at 10,000 turns. */
const FLAT_HEAP_GROWTH_MIB = 1;

export interface TurnPhase {
  turns: number;
  concurrency: number;
  turnsPerSecond: number;
  /** Process CPU time (user + system) per turn: bot, emulator, connector and load generator together. Less sensitive to other load on the machine than wall time. */
  cpuMsPerTurn: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
  /** Turns whose reply (the eligibility card) reached the connector. */
  answered: number;
  failed: number;
}

export interface MemorySample {
  turn: number;
  rssMiB: number;
  heapUsedMiB: number;
}

export interface TurnBenchmark {
  text: string;
  /** True when memory was sampled after a forced collection (node --expose-gc). */
  gcForced: boolean;
  warmupTurns: number;
  /** Per warm turn, as the emulator counted them. */
  graphRequestsPerTurn: { topLevel: number; inBatch: number };
  sequential: TurnPhase;
  concurrent: TurnPhase;
  memory: {
    samples: MemorySample[];
    /** Least-squares slopes over the sequential run. */
    heapUsedKiBPer1000Turns: number;
    /** The same over the second half only: a leak keeps its slope, JIT warm-up (more optimised code) flattens out. */
    heapUsedKiBPer1000TurnsSecondHalf: number;
    rssKiBPer1000Turns: number;
    fittedHeapGrowthMiB: number;
    flat: boolean;
  };
  targets: { p99Under25ms: { sequential: boolean; concurrent: boolean }; memoryFlat: boolean };
}

/**
 * The bot's own cost per turn: "check adele.vance@contoso.com" from the helpdesk agent, POSTed to
 * /api/messages the way Teams does, with the Graph emulator at zero latency and warm caches. The
 * emulator and the fake connector share the bot's process and event loop, so the latencies are an
 * upper bound on the bot's overhead. Their request and activity logs are cleared at every memory
 * sample so that only the bot can grow.
 */
export async function benchmarkTurns(options: {
  turns: number;
  concurrentTurns: number;
  concurrency: number;
  warmupTurns: number;
  sampleEvery: number;
}): Promise<TurnBenchmark> {
  const connector = await startFakeConnector();
  const demo = await startDemoTenant(loadConfig({ PORT: '0', LOG_LEVEL: 'info' }), 'contoso');
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-bench-'));
  const bot = await startBot({ ...demo.config, dataDir }, createLogger(demo.config.logLevel, discard));
  const { emulator } = demo;
  const agent = CONTOSO.people.agent;
  let answered = 0;
  let graphRequests = { topLevel: 0, inBatch: 0 };

  // The agent's one personal chat, as in Teams: every turn, sequential or concurrent, comes from it.
  const conversationId = `a:personal-${agent.aadObjectId}`;
  const turn = async (): Promise<number | undefined> => {
    const activity = {
      type: 'message',
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      serviceUrl: connector.serviceUrl,
      channelId: 'msteams',
      from: { id: `29:${agent.aadObjectId}`, name: agent.name, aadObjectId: agent.aadObjectId },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: demo.tenantId, isGroup: false },
      recipient: { id: '28:ssar-helpdesk-bot', name: 'SSAR Helpdesk' },
      channelData: { tenant: { id: demo.tenantId } },
      locale: 'en-US',
      text: CHECK_TEXT,
      textFormat: 'plain',
    };
    const started = performance.now();
    const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    return response.ok ? elapsed : undefined;
  };

  /** Counts what the connector and emulator saw since the last drain, then forgets it. */
  const drain = () => {
    answered += connector.activities.filter((a) => a.kind === 'send' && a.activity.attachments?.length).length;
    connector.activities.length = 0;
    const counted = requestCounts(emulator.requests);
    graphRequests = { topLevel: graphRequests.topLevel + counted.topLevel, inBatch: graphRequests.inBatch + counted.inBatch };
    emulator.resetRequests();
  };

  const gc = (globalThis as { gc?: () => void }).gc;
  const sampleMemory = async (turnNumber: number): Promise<MemorySample> => {
    drain();
    gc?.();
    // Lets FinalizationRegistry callbacks (fetch registers every response) run before the second collection.
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    return { turn: turnNumber, rssMiB: round(rss / MiB, 3), heapUsedMiB: round(heapUsed / MiB, 3) };
  };

  const phase = async (turns: number, concurrency: number, onTurn?: (done: number) => Promise<void>): Promise<TurnPhase> => {
    drain();
    answered = 0;
    graphRequests = { topLevel: 0, inBatch: 0 };
    const latencies: number[] = [];
    let failed = 0;
    let started = 0;
    // Time and CPU spent sampling memory are not the bot's.
    let pausedMs = 0;
    let pausedCpuMs = 0;
    const worker = async () => {
      while (started < turns) {
        started += 1;
        const latency = await turn();
        if (latency === undefined) failed += 1;
        else latencies.push(latency);
        if (onTurn) {
          const [pauseStart, pauseCpu] = [performance.now(), process.cpuUsage()];
          await onTurn(latencies.length + failed);
          pausedMs += performance.now() - pauseStart;
          pausedCpuMs += cpuMs(process.cpuUsage(pauseCpu));
        }
      }
    };
    const [begin, beginCpu] = [performance.now(), process.cpuUsage()];
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - begin - pausedMs) / 1000;
    const usedCpuMs = cpuMs(process.cpuUsage(beginCpu)) - pausedCpuMs;
    drain();
    return {
      turns,
      concurrency,
      turnsPerSecond: round(turns / seconds, 1),
      cpuMsPerTurn: round(usedCpuMs / turns),
      latencyMs: {
        p50: round(percentile(latencies, 0.5)),
        p99: round(percentile(latencies, 0.99)),
        mean: round(latencies.reduce((sum, l) => sum + l, 0) / Math.max(1, latencies.length)),
        max: round(Math.max(...latencies)),
      },
      answered,
      failed,
    };
  };

  try {
    // Warms the JIT, the tenant-policy cache and the agent's standing.
    await phase(options.warmupTurns, 1);
    const samples: MemorySample[] = [await sampleMemory(0)];
    const sequential = await phase(options.turns, 1, async (done) => {
      if (done % options.sampleEvery === 0) samples.push(await sampleMemory(done));
    });
    const perTurn = { topLevel: round(graphRequests.topLevel / options.turns), inBatch: round(graphRequests.inBatch / options.turns) };
    const concurrent = await phase(options.concurrentTurns, options.concurrency);

    const toKiBPer1000 = (pick: (sample: MemorySample) => number, from = samples) => round(slope(from.map((s) => ({ x: s.turn / 1000, y: pick(s) * 1024 }))), 1);
    const heapUsedKiBPer1000Turns = toKiBPer1000((s) => s.heapUsedMiB);
    const secondHalf = samples.filter((s) => s.turn >= options.turns / 2);
    const fittedHeapGrowthMiB = round((heapUsedKiBPer1000Turns * (options.turns / 1000)) / 1024);
    const flat = fittedHeapGrowthMiB < FLAT_HEAP_GROWTH_MIB;
    return {
      text: CHECK_TEXT,
      gcForced: Boolean(gc),
      warmupTurns: options.warmupTurns,
      graphRequestsPerTurn: perTurn,
      sequential,
      concurrent,
      memory: {
        samples,
        heapUsedKiBPer1000Turns,
        heapUsedKiBPer1000TurnsSecondHalf: toKiBPer1000((s) => s.heapUsedMiB, secondHalf),
        rssKiBPer1000Turns: toKiBPer1000((s) => s.rssMiB), fittedHeapGrowthMiB,
        flat,
      },
      targets: { p99Under25ms: { sequential: sequential.latencyMs.p99 < 25, concurrent: concurrent.latencyMs.p99 < 25 }, memoryFlat: flat },
    };
  } finally {
    await bot.close();
    await connector.close();
    await emulator.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
