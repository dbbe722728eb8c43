import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };

/** `npm start`'s own command line (package.json), run with this test's Node. */
const START_ARGS = packageJson.scripts.start.split(' ').slice(1);

/**
 * Runs `npm start` against the demo tenant on ephemeral ports until it says it is up; resolves
 * with everything it printed by then, and stops it.
 */
export async function startedOutput(env: Record<string, string>, extraNodeArgs: string[] = []): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-start-'));
  const child = spawn(process.execPath, [...extraNodeArgs, ...START_ARGS], {
    cwd: new URL('../../', import.meta.url),
    env: { ...process.env, PORT: '0', CHAT_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('Stop with Ctrl+C')) resolve(output);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('exit', (code) => reject(new Error(`exited with ${code} before starting:\n${output}`)));
    });
  } finally {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}
