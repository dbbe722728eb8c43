import type { RecordedRequest } from '../src/emulator/graph-emulator.js';

/**
 * How many Graph round trips a client waited for one after another.
 *
 * A wave is a maximal set of top-level requests (`$batch` envelopes count once; their inner
 * requests never) whose time intervals at the emulator, [arrival, response written], overlap or
 * chain through overlaps: sorted by arrival, a request joins the current wave when it arrived
 * before every request so far in the wave had been answered, else it starts the next wave. A
 * client that sends N requests together and waits makes one wave; N requests each sent after the
 * previous answer make N waves. The count is only meaningful when the simulated latency is
 * larger than the emulator's own processing time (at 0 ms, requests sent together can be served
 * one after another and count as separate waves).
 */
export function roundTripWaves(requests: readonly RecordedRequest[]): number {
  const topLevel = requests.filter((request) => !request.inBatch).sort((a, b) => a.startedAt - b.startedAt);
  let waves = 0;
  let waveEnd = -Infinity;
  for (const request of topLevel) {
    if (request.startedAt > waveEnd) waves += 1;
    waveEnd = Math.max(waveEnd, request.endedAt);
  }
  return waves;
}

/** Requests as Graph's throttling sees them: HTTP requests sent, and requests carried inside `$batch`. */
export function requestCounts(requests: readonly RecordedRequest[]): { topLevel: number; inBatch: number } {
  const inBatch = requests.filter((request) => request.inBatch).length;
  return { topLevel: requests.length - inBatch, inBatch };
}

/** The value below which `fraction` of the samples fall (nearest rank). */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 0.5);

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const covariance = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const variance = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

/** Rounded for the JSON results and the table: measurements are not more precise than this. */
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
