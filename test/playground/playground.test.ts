import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPlayground, startPlayground } from '../../scripts/playground.js';
import { type RunningBot, startBot } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { CONTOSO, startDemoTenant } from '../../src/demo.js';
import type { GraphEmulator } from '../../src/emulator/graph-emulator.js';
import { createLogger } from '../../src/log.js';
import { cardText } from '../harness.js';

/**
 * The Microsoft 365 Agents Playground (0.2.28, offline) started with the ready-made configuration
 * for the demo agent, against the demo bot: a message sent through the Playground's own HTTP API
 * gets the welcome card back on the Playground's conversation stream, the way its web UI sees it.
 */

interface Stream {
  messages: any[];
  waitFor(predicate: (message: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

/** Node 22+ has WebSocket built in; Node 20 uses the `ws` package botframework-streaming already brings. */
function openSocket(url: string): {
  onMessage(handler: (data: string) => void): void;
  opened: Promise<void>;
  close(): void;
} {
  const Native = (globalThis as { WebSocket?: new (url: string) => any }).WebSocket;
  const Socket: new (url: string) => any = Native ?? createRequire(import.meta.url)('ws');
  const socket = new Socket(url);
  return {
    onMessage: (handler) =>
      socket.addEventListener('message', (event: { data: unknown }) => handler(String(event.data))),
    opened: new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error(`WebSocket ${url} did not open`)));
    }),
    close: () => socket.close(),
  };
}

async function conversationStream(playgroundUrl: string): Promise<Stream> {
  const socket = openSocket(`${playgroundUrl.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
  const messages: any[] = [];
  const waiters = new Set<{ predicate: (m: any) => boolean; resolve: (m: any) => void }>();
  socket.onMessage((data) => {
    const event = JSON.parse(data);
    if (event.action !== 'createMessage') return;
    messages.push(event.message);
    for (const waiter of waiters)
      if (waiter.predicate(event.message)) waiters.delete(waiter), waiter.resolve(event.message);
  });
  await socket.opened;
  return {
    messages,
    waitFor: (predicate, timeoutMs = 15_000) => {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.add(waiter);
        setTimeout(
          () => waiters.delete(waiter) && reject(new Error('The Playground showed no such message')),
          timeoutMs,
        ).unref();
      });
    },
    close: () => socket.close(),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the Agents Playground as the demo helpdesk agent, against the demo bot', () => {
  let emulator: GraphEmulator;
  let bot: RunningBot;
  let playground: RunningPlayground;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ssar-playground-'));
    const demo = await startDemoTenant(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), 'contoso');
    emulator = demo.emulator;
    bot = await startBot(demo.config, createLogger('silent'), { sweepEveryMs: 0 });
    playground = await startPlayground({
      role: 'agent',
      botEndpoint: `${bot.url}/api/messages`,
      port: await freePort(),
    });
  }, 60_000);

  afterAll(async () => {
    await playground?.close();
    await bot?.close();
    await emulator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs as Helen Desk of the demo tenant, as the configuration says', async () => {
    const { config } = await (await fetch(`${playground.url}/_internal/v1/config`)).json();
    expect(config.tenantId).toBe(emulator.tenant.tenantId);
    expect(config.currentUser).toMatchObject({ aadObjectId: CONTOSO.people.agent.aadObjectId, name: 'Helen Desk' });
  });

  it('"hi" sent through its HTTP API brings the welcome card back, and a check answers as to an agent', async () => {
    const { config } = await (await fetch(`${playground.url}/_internal/v1/config`)).json();
    const chatId = config.personalChat.id as string;
    const stream = await conversationStream(playground.url);
    try {
      const say = (text: string) =>
        fetch(`${playground.url}/_conversation/v1/conversations/${encodeURIComponent(chatId)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'text', text, textFormat: 'plain', from: { id: config.currentUser.id } }),
        });
      expect((await say('hi')).status).toBe(200);
      const welcome = await stream.waitFor((m) =>
        cardText(m.attachments?.[0]?.content).includes('Hi, I am the account recovery helper'),
      );
      expect(welcome.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');

      expect((await say('check jon.doe@contoso.com')).status).toBe(200);
      const checklist = await stream.waitFor((m) => cardText(m.attachments?.[0]?.content).includes('E5'));
      expect(cardText(checklist.attachments[0].content)).toContain('Jon Doe');
    } finally {
      stream.close();
    }
  });
});

describe('the ready-made Playground configurations', () => {
  it('make each of the four demo people a user of the demo tenant', async () => {
    const { readFile } = await import('node:fs/promises');
    const { playgroundConfigPath, PLAYGROUND_ROLES } = await import('../../scripts/playground.js');
    const tenant = JSON.parse(
      await readFile(new URL('../../src/emulator/tenants/contoso.json', import.meta.url), 'utf8'),
    );
    for (const role of PLAYGROUND_ROLES) {
      const text = await readFile(playgroundConfigPath(role), 'utf8');
      const person = CONTOSO.people[role];
      expect(text).toContain(`tenantId: ${tenant.tenantId}`);
      expect(text).toMatch(new RegExp(`currentUser:\\n  id: "29:${person.aadObjectId}"\\n  name: ${person.name}\\n`));
      expect(text).toContain(`personalChat:\n  id: "a:personal-${person.aadObjectId}"`);
    }
  });
});
