import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { readableLogLine } from '../../src/console-log.js';
import { startedOutput } from './start-process.js';

const START_ARGS = packageJson.scripts.start.split(' ').slice(1);
const ROOT = new URL('../../', import.meta.url);

/** Runs `npm start` until it exits (or prints its banner, then stops it); resolves with its output and exit code. */
async function runStart(env: Record<string, string>, options: { tty?: boolean } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-console-'));
  const fullEnv = { ...process.env, PORT: '0', CHAT_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env };
  // `script` gives the child a pseudo-terminal, as a person running `npm start` has.
  const command = [process.execPath, ...START_ARGS].map((part) => `'${part}'`).join(' ');
  const child = options.tty
    ? spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, START_ARGS, { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    const code = await new Promise<number | null>((resolve) => {
      const collect = (chunk: Buffer) => {
        output += chunk;
        // Started: wait for the held log lines to follow the banner, then stop.
        if (output.includes('Stop with Ctrl+C') && /LOCAL MODE[^\n]*\n/.test(output.replace(/\r/g, ''))) resolve(null);
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    return { output: output.replace(/\r/g, ''), code };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('the operator at a terminal', () => {
  // Starting the real entry point through tsx takes seconds on a busy machine.
  it('`npm start` prints its banner first and the log lines below it', { timeout: 60_000 }, async () => {
    const output = await startedOutput({ LOG_LEVEL: 'info' });
    const banner = output.indexOf('ssar-helpdesk is running');
    const firstLog = output.indexOf('{"level"');
    expect(banner).toBeGreaterThanOrEqual(0);
    // Not a terminal (a pipe, as in a container): the lines stay JSON, for a log pipeline.
    if (firstLog >= 0) expect(firstLog).toBeGreaterThan(banner);
  });

  it('on a terminal the log lines are readable text, not JSON', { timeout: 60_000 }, async () => {
    const { output } = await runStart({ BOT_ID: '' }, { tty: true });
    const warning = output.split('\n').find((line) => line.includes('LOCAL MODE'));
    expect(warning, output).toMatch(/^\d\d:\d\d:\d\d WARN {2}LOCAL MODE: BOT_ID is not set/);
    expect(output).not.toContain('{"level"');
    expect(output.indexOf('ssar-helpdesk is running')).toBeLessThan(output.indexOf('LOCAL MODE'));
  });

  it('in production the log lines stay JSON even on a terminal', { timeout: 60_000 }, async () => {
    const { output } = await runStart({ BOT_ID: '', NODE_ENV: 'production' }, { tty: true });
    const warning = output.split('\n').find((line) => line.includes('LOCAL MODE'));
    expect(JSON.parse(warning ?? '')).toMatchObject({ level: 40 });
  });

  it('a readable line keeps the fields, quoted where they have spaces', () => {
    const line = readableLogLine(
      JSON.stringify({
        level: 50,
        time: Date.UTC(2026, 0, 2, 3, 4, 5),
        msg: 'turn failed',
        activityId: 'a1',
        err: { name: 'Error', message: 'it broke' },
      }),
    );
    expect(line).toBe('03:04:05 ERROR turn failed  activityId=a1  err="Error: it broke"');
  });

  for (const variable of ['PORT', 'CHAT_PORT'] as const) {
    it(`a port in use (${variable}) ends start-up with one line naming ${variable}, no stack trace`, {
      timeout: 60_000,
    }, async () => {
      const held = await holdPort();
      try {
        const { output, code } = await runStart({ [variable]: String(held.port) });
        expect(code).toBe(1);
        const lines = output.split('\n').filter((line) => line.includes('in use'));
        expect(lines).toEqual([
          `Port ${held.port} is already in use (another ssar-helpdesk?): set ${variable} to a free port, e.g. ${variable}=${held.port + 10} npm start`,
        ]);
        expect(output).not.toMatch(/\n\s+at /);
      } finally {
        held.server.close();
      }
    });
  }
});
