/**
 * Time as the code that waits on Graph sees it. Production uses the system clock; tests and the
 * benchmark run the Graph emulator and the bot on one scaled clock, so a Retry-After of 120 s or a
 * ten-minute throttling floor passes in a fraction of a second without changing any decision.
 */
export interface Clock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  /** Resolves after `ms` on this clock; rejects with the signal's reason when it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => realSleep(ms, signal),
};

/** A clock that runs `factor` times faster than real time, starting now. */
export function scaledClock(factor: number, start = Date.now()): Clock {
  if (!(factor > 0)) throw new Error('A clock factor must be positive');
  const realStart = performance.now();
  return {
    now: () => start + (performance.now() - realStart) * factor,
    sleep: (ms, signal) => realSleep(ms / factor, signal),
  };
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
