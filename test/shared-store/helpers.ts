import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * Pieces for running several bot instances against one Azure store: a whole bot in its own
 * process (so it can really be killed), a Graph proxy that lets the pass be created but never
 * answers, and a storage link that can be cut.
 */

const REPO = new URL('../../', import.meta.url).pathname;

export interface BotProcess {
  url: string;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  kill(): Promise<void>;
}

/** `npm start`'s command in a child process; resolves once it listens. */
export async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'src/index.ts'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The bot process did not start:\n${output}`)), 20_000);
    child.stdout!.on('data', () => {
      const listening = /"url":"(http:\/\/[^"]+)"[^\n]*listening/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The bot process exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `src/index.ts` to its end; for start-up failures. */
export function runBotProcess(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child: ChildProcess = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'src/index.ts'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', PORT: '0', CHAT_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

export interface GraphProxy {
  baseUrl: string;
  /** Resolves when Graph has created a pass whose answer the proxy then kept to itself. */
  passCreated: Promise<void>;
  close(): Promise<void>;
}

/**
 * Stands between one bot instance and the Graph emulator. The pass creation reaches Graph, but its
 * answer never comes back: the instance dies waiting, as a crash at the worst moment would leave it.
 */
export async function swallowPassCreation(graphBaseUrl: string): Promise<GraphProxy> {
  const graph = new URL(graphBaseUrl);
  let signal!: () => void;
  const passCreated = new Promise<void>((resolve) => (signal = resolve));
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)) as [
        string,
        string,
      ][],
    );
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(new URL(req.url ?? '/', graph.origin), { method: req.method, headers, body });
    const text = Buffer.from(await answer.arrayBuffer());
    if (req.method === 'POST' && /temporaryAccessPassMethods$/.test(req.url ?? '')) {
      signal();
      return; // never answered
    }
    res.writeHead(
      answer.status,
      Object.fromEntries(
        [...answer.headers].filter(
          ([name]) => !['content-length', 'content-encoding', 'transfer-encoding'].includes(name),
        ),
      ),
    );
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${graph.pathname}`,
    passCreated,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface StorageLink {
  /** http://127.0.0.1:port, standing in for the storage endpoint. */
  endpoint: string;
  /** Every connection dropped and new ones refused, as in a network outage. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP pass-through to the storage emulator that a test can cut and restore. */
export async function storageLink(target: string): Promise<StorageLink> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = createConnection(Number(targetPort), hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };
  await listen();
  return { endpoint: `http://127.0.0.1:${port}`, cut: stop, restore: listen, close: stop };
}
