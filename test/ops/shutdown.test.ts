import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { people, startHarness } from '../harness.js';

describe('stopping the bot (a deployment or a scale-in)', () => {
  it('a turn already under way still gets its answer, and new requests are refused', async () => {
    const harness = await startHarness();
    try {
      harness.graph.setLatency(300);
      const inFlight = harness.say(people.agent, 'check jon.doe@contoso.com');
      await delay(100);
      const closed = harness.bot.close();
      const turn = await inFlight;
      expect(turn.status).toBe(200);
      expect(turn.replies.length).toBeGreaterThan(0);
      await closed;
      await expect(fetch(`${harness.bot.url}/healthz`)).rejects.toThrow();
    } finally {
      await harness.close();
    }
  });

  // Starting the real entry point through tsx takes seconds on a busy machine.
  it('SIGTERM makes the process finish and exit cleanly', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ssar-shutdown-'));
    const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'src/index.ts'], {
      cwd: new URL('../../', import.meta.url),
      env: { ...process.env, PORT: '0', CHAT_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let waited = 0; !output.includes('Stop with Ctrl+C') && waited < 40_000; waited += 100) await delay(100);
      expect(output).toContain('Stop with Ctrl+C');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, delay(12_000, 'still running')]);
      expect(code).toBe(0);
      expect(output).toContain('finishing in-flight turns');
      expect(output).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
