/**
 * `npm run playground -- [agent|colleague|manager|approver]`: Microsoft 365 Agents Playground
 * (@microsoft/m365agentsplayground, offline) against the demo bot, as one demo-tenant person, with
 * a ready-made configuration from playground/. Start the bot first with `npm start`.
 * README.md, "Microsoft 365 Agents Playground", says what it can and cannot do.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLAYGROUND_ROLES = ['agent', 'colleague', 'manager', 'approver'] as const;
export type PlaygroundRole = (typeof PLAYGROUND_ROLES)[number];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function playgroundConfigPath(role: PlaygroundRole): string {
  return fileURLToPath(new URL(`../playground/${role}.m365agentsplayground.yml`, import.meta.url));
}

export interface RunningPlayground {
  /** Its web UI and HTTP API, e.g. http://localhost:56150 */
  url: string;
  process: ChildProcess;
  /** Stops the Playground's whole process group. */
  close(): Promise<void>;
}

/** Starts the Playground and resolves once its web server answers. */
export async function startPlayground(options: {
  role: PlaygroundRole;
  botEndpoint: string;
  port: number;
  timeoutMs?: number;
}): Promise<RunningPlayground> {
  const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const child = spawn(
    process.execPath,
    [cli, '-e', options.botEndpoint, '-c', 'msteams', '-p', String(options.port), '--dt'],
    {
      cwd: ROOT,
      // No browser to open (without this it exits with `spawn xdg-open ENOENT`); the configuration names the demo user.
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: playgroundConfigPath(options.role),
        // Its log (which says why it stopped, e.g. an invalid configuration) goes where the bot's data lives, not into the repository.
        M365_AGENTS_PLAYGROUND_LOGFILE:
          process.env.M365_AGENTS_PLAYGROUND_LOGFILE ?? path.join(ROOT, '.data', 'm365agentsplayground.log'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://localhost:${options.port}`;
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    await exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`The Agents Playground exited with ${child.exitCode}: ${output.slice(-2000)}`);
    const up = await fetch(`${url}/_internal/v1/config`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, process: child, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(
        `The Agents Playground did not answer on ${url} within ${options.timeoutMs ?? 30_000} ms: ${output.slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'agent') as PlaygroundRole;
  if (!PLAYGROUND_ROLES.includes(role)) {
    console.error(
      `Who should the Playground be? One of: ${PLAYGROUND_ROLES.join(', ')} (for example: npm run playground -- manager)`,
    );
    process.exit(2);
  }
  const botEndpoint = process.env.BOT_ENDPOINT ?? 'http://127.0.0.1:3978/api/messages';
  const healthy = await fetch(new URL('/healthz', botEndpoint)).then(
    (r) => r.ok,
    () => false,
  );
  if (!healthy) {
    console.error(`No bot answers at ${botEndpoint}. Start it first with "npm start" (or set BOT_ENDPOINT).`);
    process.exit(1);
  }
  const port = Number(process.env.PLAYGROUND_PORT ?? 56150);
  const playground = await startPlayground({ role, botEndpoint, port });
  console.log(
    [
      '',
      `  Microsoft 365 Agents Playground is running as the demo ${role} (${playgroundConfigPath(role)}).`,
      `  Open ${playground.url} and say "hi".`,
      '  It listens on all network interfaces and accepts activities from anyone who can reach it:',
      '  run it only on a trusted machine. Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
  const stop = () => void playground.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  playground.process.once('exit', (code) => process.exit(code ?? 0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
