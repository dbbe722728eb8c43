import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The measured side of a benchmark runs in a child process of its own (the bot, or the readiness
 * scan), so its CPU time, memory and event loop are not shared with the Graph emulator, the fake
 * connector and the load generator, which stay in the parent. They talk over Node's IPC channel:
 * one request at a time, each answered once.
 */

const MiB = 1024 * 1024;

/** What the child reports about itself: CPU since it started, memory after a forced collection. */
export interface ProcessUsage {
  cpuMs: number;
  rssMiB: number;
  heapUsedMiB: number;
}

export interface BenchChild {
  /** Sends a request and waits for its answer; the child's handler errors reject here. */
  ask<T>(request: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts `script` with tsx and --expose-gc and waits for its first answer (the `ready` message).
 * With BENCH_CPU_PROF_DIR set, the child writes a V8 CPU profile there when it exits.
 */
export async function forkChild<Ready>(script: string, args: string[]): Promise<{ child: BenchChild; ready: Ready }> {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = fork(script, args, {
    execArgv: ['--no-deprecation', '--expose-gc', ...profile, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<{ resolve: (value: any) => void; reject: (error: Error) => void }> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: { ok: boolean; value?: unknown; error?: string }) => {
    const next = waiting.shift();
    if (message.ok) next?.resolve(message.value);
    else next?.reject(new Error(`${script}: ${message.error}`));
  });
  child.once('exit', (code) => {
    for (const next of waiting.splice(0)) next.reject(new Error(`${script} exited (${code}) before answering`));
  });
  const answer = <T>(): Promise<T> => new Promise<T>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = await answer<Ready>();
  return {
    ready,
    child: {
      ask: <T>(request: Record<string, unknown>) => {
        const answered = answer<T>();
        child.send(request);
        return answered;
      },
      close: async () => {
        if (child.exitCode === null && child.connected) child.send({ kind: 'close' });
        await Promise.race([exited, delay(5_000).then(() => stopChild(child))]);
      },
    },
  };
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null) child.kill();
}

/**
 * The child's side: sends `ready` once started, then answers each request with its handler's
 * value. `close` (or the parent going away) runs `onClose` and exits.
 */
export function serveParent(
  ready: unknown,
  handle: (request: any) => Promise<unknown>,
  onClose: () => Promise<void>,
): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('started without an IPC channel: run it through forkChild');
  const close = () => onClose().finally(() => process.exit(0));
  process.once('disconnect', close);
  process.on('message', (request: { kind: string }) => {
    if (request.kind === 'close') return void close();
    handle(request).then(
      (value) => send({ ok: true, value }),
      (error: Error) => send({ ok: false, error: error.stack ?? String(error) }),
    );
  });
  send({ ok: true, value: ready });
}

/** Memory after two forced collections (finalizers, which fetch registers for every response, run between them). */
export async function usageAfterCollection(): Promise<ProcessUsage> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('the child runs with --expose-gc');
  gc();
  await delay(20);
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { cpuMs: cpuMs(process.cpuUsage()), rssMiB: rss / MiB, heapUsedMiB: heapUsed / MiB };
}

export const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
