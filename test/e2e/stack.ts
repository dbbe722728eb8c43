import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { CONTOSO, startDemoTenant } from '../../src/demo.js';
import { startLocalChat } from '../../src/localchat/server.js';
import { createLogger } from '../../src/log.js';
import { findLeaks, filesUnder } from '../leaks.js';

/** What `npm start` runs, on ephemeral ports: the Graph emulator with the demo tenant, the bot and the chat page. */
export interface Stack {
  chatUrl: string;
  /** Every Temporary Access Pass the emulated tenant issued, so tests can look for it on the page. */
  issuedPasses: string[];
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const issuedPasses: string[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-e2e-'));
  const demo = await startDemoTenant(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' }), 'contoso', {
    onPassIssued: (pass) => issuedPasses.push(pass),
  });
  const log = createLogger(demo.config.logLevel, sink);
  const bot = await startBot(demo.config, log, { sweepEveryMs: 0 });
  const chat = await startLocalChat({ botUrl: bot.url, tenantId: demo.tenantId, people: Object.values(CONTOSO.people), port: 0 });
  return {
    chatUrl: chat.url,
    issuedPasses,
    close: async () => {
      await chat.close();
      await bot.close();
      await demo.emulator.close();
      // The browser run goes through the same leak scan as the other suites: no pass in a log line or stored byte.
      const leaks = findLeaks([...logs.map((text, i) => ({ where: `log line ${i + 1}`, text })), ...(await filesUnder(dataDir))], issuedPasses);
      await rm(dataDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`Secrets leaked: ${[...new Set(leaks)].join('; ')}`);
    },
  };
}
