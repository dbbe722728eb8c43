import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTOSO } from '../src/demo.js';
import { startGraphEmulator } from '../src/emulator/graph-emulator.js';
import { DEMO_TENANT_PATH, loadTenant } from '../src/emulator/tenant.js';
import { startFakeConnector } from '../src/localchat/connector.js';
import type { BotReady } from './bot-process.js';
import { cpuMs, forkChild, type ProcessUsage } from './child.js';
import { percentile, requestCounts, round, slope } from './measure.js';

export const CHECK_TEXT = 'check adele.vance@contoso.com';
/** Fitted heap growth over the run below which memory counts as flat: under ~100 bytes a turn at 10,000 turns. */
const FLAT_HEAP_GROWTH_MIB = 1;
const BOT_PROCESS = join(import.meta.dirname, 'bot-process.ts');

export interface TurnPhase {
  turns: number;
  concurrency: number;
  turnsPerSecond: number;
  /** CPU time (user + system) of the bot's process per turn: the bot's own work, on whichever core. */
  cpuMsPerTurn: number;
  /** CPU time of the parent per turn: the emulator, the fake connector and the load generator. Not the bot's. */
  harnessCpuMsPerTurn: number;
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
  warmupTurns: number;
  /** Per warm turn, as the emulator counted them. */
  graphRequestsPerTurn: { topLevel: number; inBatch: number };
  sequential: TurnPhase;
  concurrent: TurnPhase;
  /** The bot process's memory after a forced collection, through the sequential phase. */
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
  /** The p99 target is judged on the sequential phase: with turns in flight on 2 cores, latency includes waiting for the turns ahead. */
  targets: { p99Under25ms: boolean; memoryFlat: boolean };
}

/**
 * The bot's own cost per turn: "check adele.vance@contoso.com" from the helpdesk agent, POSTed to
 * /api/messages the way Teams does, with the Graph emulator at zero latency and warm caches. The bot
 * runs in a child process (bench/bot-process.ts); the emulator, the fake connector and the load
 * generator run here, so the bot's CPU and memory are its own. A turn's latency still includes
 * its two loopback Graph round trips and the reply to the connector, served by this process.
 */
export async function benchmarkTurns(options: {
  turns: number;
  concurrentTurns: number;
  concurrency: number;
  warmupTurns: number;
  sampleEvery: number;
  /** The OpenTelemetry SDK on in the bot, exporting into memory (bench/in-memory-telemetry.ts). */
  telemetry?: boolean;
}): Promise<TurnBenchmark> {
  const connector = await startFakeConnector();
  const emulator = await startGraphEmulator({ tenant: await loadTenant(DEMO_TENANT_PATH) });
  const tenantId = emulator.tenant.tenantId;
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-bench-'));
  const { child: bot, ready } = await forkChild<BotReady>(BOT_PROCESS, [
    emulator.baseUrl,
    tenantId,
    dataDir,
    ...(options.telemetry ? ['telemetry'] : []),
  ]);
  const botCpuMs = async () => (await bot.ask<{ cpuMs: number }>({ kind: 'cpu' })).cpuMs;
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
      conversation: { id: conversationId, conversationType: 'personal', tenantId, isGroup: false },
      recipient: { id: '28:ssar-helpdesk-bot', name: 'SSAR Helpdesk' },
      channelData: { tenant: { id: tenantId } },
      locale: 'en-US',
      text: CHECK_TEXT,
      textFormat: 'plain',
    };
    const started = performance.now();
    const response = await fetch(`${ready.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    return response.ok ? elapsed : undefined;
  };

  /** Counts what the connector and emulator saw since the last drain, then forgets it, so the parent stays small. */
  const drain = () => {
    answered += connector.activities.filter((a) => a.kind === 'send' && a.activity.attachments?.length).length;
    connector.activities.length = 0;
    const counted = requestCounts(emulator.requests);
    graphRequests = {
      topLevel: graphRequests.topLevel + counted.topLevel,
      inBatch: graphRequests.inBatch + counted.inBatch,
    };
    emulator.resetRequests();
  };

  /** The bot's memory, and the bot CPU the forced collections cost (not a turn's). */
  const sampleMemory = async (turnNumber: number): Promise<{ sample: MemorySample; botCpuMs: number }> => {
    drain();
    const before = await botCpuMs();
    const usage = await bot.ask<ProcessUsage>({ kind: 'usage' });
    return {
      sample: { turn: turnNumber, rssMiB: round(usage.rssMiB, 3), heapUsedMiB: round(usage.heapUsedMiB, 3) },
      botCpuMs: usage.cpuMs - before,
    };
  };

  const phase = async (
    turns: number,
    concurrency: number,
    onTurn?: (done: number) => Promise<number>,
  ): Promise<TurnPhase> => {
    drain();
    answered = 0;
    graphRequests = { topLevel: 0, inBatch: 0 };
    const latencies: number[] = [];
    let failed = 0;
    let started = 0;
    // Time and CPU spent sampling memory are not the bot's.
    let pausedMs = 0;
    let pausedHarnessCpuMs = 0;
    let pausedBotCpuMs = 0;
    const worker = async () => {
      while (started < turns) {
        started += 1;
        const latency = await turn();
        if (latency === undefined) failed += 1;
        else latencies.push(latency);
        if (onTurn) {
          const [pauseStart, pauseCpu] = [performance.now(), process.cpuUsage()];
          pausedBotCpuMs += await onTurn(latencies.length + failed);
          pausedMs += performance.now() - pauseStart;
          pausedHarnessCpuMs += cpuMs(process.cpuUsage(pauseCpu));
        }
      }
    };
    const [beginBotCpu, begin, beginCpu] = [await botCpuMs(), performance.now(), process.cpuUsage()];
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - begin - pausedMs) / 1000;
    const harnessCpuMs = cpuMs(process.cpuUsage(beginCpu)) - pausedHarnessCpuMs;
    const usedBotCpuMs = (await botCpuMs()) - beginBotCpu - pausedBotCpuMs;
    drain();
    return {
      turns,
      concurrency,
      turnsPerSecond: round(turns / seconds, 1),
      cpuMsPerTurn: round(usedBotCpuMs / turns),
      harnessCpuMsPerTurn: round(harnessCpuMs / turns),
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
    const samples: MemorySample[] = [(await sampleMemory(0)).sample];
    const sequential = await phase(options.turns, 1, async (done) => {
      if (done % options.sampleEvery !== 0) return 0;
      const { sample, botCpuMs } = await sampleMemory(done);
      samples.push(sample);
      return botCpuMs;
    });
    const perTurn = {
      topLevel: round(graphRequests.topLevel / options.turns),
      inBatch: round(graphRequests.inBatch / options.turns),
    };
    const concurrent = await phase(options.concurrentTurns, options.concurrency);

    const toKiBPer1000 = (pick: (sample: MemorySample) => number, from = samples) =>
      round(slope(from.map((s) => ({ x: s.turn / 1000, y: pick(s) * 1024 }))), 1);
    const heapUsedKiBPer1000Turns = toKiBPer1000((s) => s.heapUsedMiB);
    const secondHalf = samples.filter((s) => s.turn >= options.turns / 2);
    const fittedHeapGrowthMiB = round((heapUsedKiBPer1000Turns * (options.turns / 1000)) / 1024);
    const flat = fittedHeapGrowthMiB < FLAT_HEAP_GROWTH_MIB;
    return {
      text: CHECK_TEXT,
      warmupTurns: options.warmupTurns,
      graphRequestsPerTurn: perTurn,
      sequential,
      concurrent,
      memory: {
        samples,
        heapUsedKiBPer1000Turns,
        heapUsedKiBPer1000TurnsSecondHalf: toKiBPer1000((s) => s.heapUsedMiB, secondHalf),
        rssKiBPer1000Turns: toKiBPer1000((s) => s.rssMiB),
        fittedHeapGrowthMiB,
        flat,
      },
      targets: { p99Under25ms: sequential.latencyMs.p99 < 25, memoryFlat: flat },
    };
  } finally {
    await bot.close();
    await connector.close();
    await emulator.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
