import { round } from './measure.js';
import { benchmarkTurns, type TurnPhase } from './turns.js';

export interface TelemetryOverhead {
  turnsPerRun: number;
  rounds: number;
  /** Means over the rounds of each run's sequential phase. */
  off: { meanMs: number; p50Ms: number; p99Ms: number; botCpuMsPerTurn: number };
  on: { meanMs: number; p50Ms: number; p99Ms: number; botCpuMsPerTurn: number };
  ratio: { meanMs: number; p50Ms: number; p99Ms: number; botCpuMsPerTurn: number };
  target: { meanLatencyWithin5Percent: boolean };
}

/**
 * Turn latency with telemetry off and on (the SDK exporting into memory), in alternating runs of
 * the same size so drift on a busy machine falls on both: off, on, off, on, ...
 */
export async function benchmarkTelemetryOverhead(options: {
  turns: number;
  rounds: number;
  warmupTurns: number;
}): Promise<TelemetryOverhead> {
  const runs: Record<'off' | 'on', TurnPhase[]> = { off: [], on: [] };
  for (let round = 0; round < options.rounds; round++) {
    for (const mode of ['off', 'on'] as const) {
      const result = await benchmarkTurns({
        turns: options.turns,
        concurrentTurns: 1,
        concurrency: 1,
        warmupTurns: options.warmupTurns,
        sampleEvery: options.turns,
        telemetry: mode === 'on',
      });
      runs[mode].push(result.sequential);
    }
  }
  const summary = (phases: TurnPhase[]) => {
    const mean = (pick: (p: TurnPhase) => number) => round(phases.reduce((sum, p) => sum + pick(p), 0) / phases.length);
    return {
      meanMs: mean((p) => p.latencyMs.mean),
      p50Ms: mean((p) => p.latencyMs.p50),
      p99Ms: mean((p) => p.latencyMs.p99),
      botCpuMsPerTurn: mean((p) => p.cpuMsPerTurn),
    };
  };
  const off = summary(runs.off);
  const on = summary(runs.on);
  const ratio = {
    meanMs: round(on.meanMs / off.meanMs, 3),
    p50Ms: round(on.p50Ms / off.p50Ms, 3),
    p99Ms: round(on.p99Ms / off.p99Ms, 3),
    botCpuMsPerTurn: round(on.botCpuMsPerTurn / off.botCpuMsPerTurn, 3),
  };
  return {
    turnsPerRun: options.turns,
    rounds: options.rounds,
    off,
    on,
    ratio,
    target: { meanLatencyWithin5Percent: ratio.meanMs <= 1.05 },
  };
}

export function telemetryReport(result: TelemetryOverhead): string {
  const row = (name: string, s: TelemetryOverhead['off']) =>
    `${name.padEnd(14)} mean ${s.meanMs} ms  p50 ${s.p50Ms} ms  p99 ${s.p99Ms} ms  bot CPU ${s.botCpuMsPerTurn} ms/turn`;
  return [
    `Telemetry overhead: the same check turn with the OpenTelemetry SDK off and on (exporting into memory), ${result.rounds} alternating rounds of ${result.turnsPerRun} sequential turns`,
    row('telemetry off', result.off),
    row('telemetry on', result.on),
    `ratio on/off   mean ${result.ratio.meanMs}  p50 ${result.ratio.p50Ms}  p99 ${result.ratio.p99Ms}  bot CPU ${result.ratio.botCpuMsPerTurn}`,
    `Target: mean turn latency at most 5% higher with telemetry on: ${result.target.meanLatencyWithin5Percent ? 'yes' : 'NO'}`,
  ].join('\n');
}
