import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, people, startHarness } from '../harness.js';

/**
 * A process that exited but was not reaped yet (a zombie) still answers kill(pid, 0). A bot that
 * crashed like that must not keep its data directory from the bot restarted in its place.
 */
async function zombiePid(): Promise<{ pid: number; reap: () => void }> {
  // The shell starts a child that waits for a line on fd 3, then becomes `sleep`, which never reaps
  // children. Only once the exec happened is the child let go: it exits and stays a zombie.
  const parent = spawn('sh', ['-c', 'read line <&3 & echo $!; exec sleep 30 3<&-'], {
    stdio: ['ignore', 'pipe', 'ignore', 'pipe'],
  });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout!.once('data', (chunk) => resolve(Number.parseInt(String(chunk), 10))),
  );
  const state = async (of: number) => {
    const stat = await readFile(`/proc/${of}/stat`, 'utf8').catch(() => '');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3),
    };
  };
  const until = async (done: () => Promise<boolean>) => {
    while (!(await done())) await new Promise((resolve) => setImmediate(resolve));
  };
  await until(async () => (await state(parent.pid!)).comm === 'sleep');
  (parent.stdio[3] as Writable).write('go\n');
  await until(async () => (await state(pid)).state === 'Z');
  return { pid, reap: () => parent.kill() };
}

describe.runIf(process.platform === 'linux')('restarting after a crash', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('a lock left by a zombie process does not keep the restarted bot from its data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ssar-zombie-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const zombie = await zombiePid();
    cleanup.push(zombie.reap);
    // The crashed bot's last heartbeat was a moment ago.
    await writeFile(join(dataDir, 'bot.lock'), JSON.stringify({ pid: zombie.pid, heartbeatAt: Date.now() }));
    const harness = await startHarness({ env: { DATA_DIR: dataDir } });
    cleanup.push(() => harness.close());
    const turn = await harness.say(people.agent, 'hi');
    expect(cardText(cardOf(turn.replies[0]))).toContain('Hi, I am the account recovery helper');
  });
});
