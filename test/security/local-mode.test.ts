import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type restify from 'restify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackAddress } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createServer } from '../../src/server.js';
import { type Harness, people, startHarness } from '../harness.js';

/**
 * Local mode (no BOT_ID) takes unsigned activities, so it must only ever answer this machine.
 * A test host has no second machine: the server below runs on a real socket whose peer address is
 * rewritten as it connects, so the request travels the whole HTTP path and reaches the check with
 * the address a remote client would have.
 */
describe('local mode answers only clients on this machine', () => {
  let server: restify.Server;
  let url: string;
  let peer: string | undefined;
  let turns = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) });
    server = createServer({
      adapter: new TeamsAdapter(),
      runTurn: async () => void turns++,
      localMode: true,
      allowedTenantIds: [],
      log: createLogger('info', sink),
    });
    server.server.prependListener('connection', (socket: Socket) => {
      if (peer) Object.defineProperty(socket, 'remoteAddress', { value: peer });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = async (from: string | undefined) => {
    peer = from;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({
        type: 'message',
        text: 'hi',
        serviceUrl: 'http://127.0.0.1:9/',
        conversation: { id: 'c' },
        from: { id: 'u' },
      }),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  };

  it.each(['203.0.113.7', '::ffff:192.0.2.10', '2001:db8::1', '10.0.0.5'])(
    'refuses an unsigned activity from %s with 403, before any turn runs',
    async (address) => {
      const before = turns;
      const response = await send(address);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('LocalModeLoopbackOnly');
      expect(turns).toBe(before);
      expect(logs.at(-1)).toContain(`"remote":"${address}"`);
    },
  );

  it('serves the same activity from this machine (the refusal above is the address, nothing else)', async () => {
    const before = turns;
    expect((await send(undefined)).status).toBe(200);
    expect(turns).toBe(before + 1);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['128.0.0.1', false],
    ['127.0.0.1.example.com', false],
    ['fe80::1', false],
    ['', false],
    [undefined, false],
  ])('a peer at %o is loopback: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});

describe('starting in local mode', () => {
  // The real entry point through tsx takes a few seconds.
  it('logs a loud warning that activities are not authenticated, also for the demo tenant', {
    timeout: 60_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ssar-local-mode-'));
    const child = spawn(process.execPath, ['--no-deprecation', '--import', 'tsx', 'src/index.ts'], {
      cwd: new URL('../../', import.meta.url),
      env: { ...process.env, PORT: '0', CHAT_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', BOT_ID: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      // The warning waits below the start banner.
      for (let waited = 0; !output.includes('LOCAL MODE') && waited < 40_000; waited += 100) await delay(100);
      const warning = output.split('\n').find((line) => line.includes('LOCAL MODE'));
      expect(warning, output).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: 40, host: '127.0.0.1' });
      expect(warning).toContain('NOT authenticated');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local mode replies only to this machine', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  // A complete activity from the served tenant, so the serviceUrl is the only thing wrong with it.
  it.each(['https://smba.trafficmanager.net/emea/', 'http://169.254.169.254/metadata/', 'http://10.0.0.5:8080/'])(
    'an activity asking for replies at %s is refused with 400, and nothing is sent',
    async (serviceUrl) => {
      const before = harness.connector.activities.length;
      const response = await harness.post(
        harness.activity(people.colleague, { type: 'message', text: 'hi', serviceUrl }),
      );
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('BadServiceUrl');
      expect(harness.connector.activities.length).toBe(before);
    },
  );
});

describe("a local client from another tenant (the Agents Playground's default user)", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('is refused with 403, and the log line names the tenant received, the tenant served and the README section', async () => {
    const activity = harness.activity(people.colleague, { type: 'message', text: 'hi' }) as any;
    activity.conversation.tenantId = '00000000-0000-0000-0000-0000000000001';
    activity.channelData = { tenant: { id: '00000000-0000-0000-0000-0000000000001' } };
    const response = await harness.post(activity);
    expect(response.status).toBe(403);
    const line = harness.logs.map((l) => JSON.parse(l)).find((entry) => entry.code === 'TenantNotAllowed');
    expect(line.msg).toContain('it came from "00000000-0000-0000-0000-0000000000001"');
    expect(line.msg).toContain(`this bot serves "${harness.tenantId}"`);
    expect(line.msg).toContain('README.md#microsoft-365-agents-playground');
  });
});
