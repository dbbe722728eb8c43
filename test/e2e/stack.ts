import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { CONTOSO, startDemoTenant } from '../../src/demo.js';
import {
  DEMO_EXTENSION_AUDIENCE,
  DEMO_RECORDS_PATH,
  withDemoClaimValidation,
} from '../../src/emulator/claim-validation-demo.js';
import { withDemoVerifiedId } from '../../src/emulator/verified-id/demo.js';
import type { VerifiedIdEmulator } from '../../src/emulator/verified-id/request-service.js';
import { startLocalChat } from '../../src/localchat/server.js';
import { createLogger } from '../../src/log.js';
import { filesUnder, findLeaks } from '../leaks.js';

/** What `npm start` runs, on ephemeral ports: the Graph emulator with the demo tenant, the bot and the chat page. */
export interface Stack {
  chatUrl: string;
  /** Every Temporary Access Pass the emulated tenant issued, so tests can look for it on the page. */
  issuedPasses: string[];
  /** The Verified ID Request Service emulator, as `npm start` runs it. */
  verifiedId: VerifiedIdEmulator;
  /** Text the caller's browser was shown (not the pass page), for the leak scan. */
  pages: Array<{ where: string; text: string }>;
  close(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const issuedPasses: string[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-e2e-'));
  const demo = await startDemoTenant(
    loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env }),
    'contoso',
    {
      onPassIssued: (pass) => issuedPasses.push(pass),
    },
  );
  const verified = await withDemoVerifiedId(demo.config);
  const entra = await withDemoClaimValidation(verified.config, demo.tenantId);
  const log = createLogger(demo.config.logLevel, sink);
  const bot = await startBot(entra.config, log, { sweepEveryMs: 0 });
  const pages: Array<{ where: string; text: string }> = [];
  const chat = await startLocalChat({
    botUrl: bot.url,
    tenantId: demo.tenantId,
    people: Object.values(CONTOSO.people),
    port: 0,
    entra: { emulator: entra.emulator, audience: DEMO_EXTENSION_AUDIENCE, recordsPath: DEMO_RECORDS_PATH },
  });
  // Every date of birth and passport number on record, and the wrong date the page sends: never in a log, a stored byte or a card.
  const claimValues = (await readFile(DEMO_RECORDS_PATH, 'utf8'))
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const cells = line.split(',');
      return [cells[4] ?? '', cells[6] ?? ''];
    });
  return {
    chatUrl: chat.url,
    issuedPasses,
    verifiedId: verified.emulator,
    pages,
    close: async () => {
      await chat.close();
      await bot.close();
      await demo.emulator.close();
      await verified.emulator.close();
      await entra.emulator.close();
      // The browser run goes through the same leak scan as the other suites: no pass in a log line or stored byte.
      const stored = [
        ...logs.map((text, i) => ({ where: `log line ${i + 1}`, text })),
        ...pages,
        ...(await filesUnder(dataDir)),
      ];
      const leaks = findLeaks(stored, [
        ...issuedPasses,
        ...verified.emulator
          .requests()
          .flatMap((r) => [r.body.callback.state, r.body.callback.headers?.['api-key'] ?? '']),
      ]);
      // Claim values are looked for in what the bot sent to Teams too: no card ever shows one.
      const sent = chat.connector.activities.map((a, i) => ({
        where: `activity ${i + 1} the bot sent`,
        text: JSON.stringify(a),
      }));
      leaks.push(...findLeaks([...stored, ...sent], claimValues));
      await rm(dataDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`Secrets leaked: ${[...new Set(leaks)].join('; ')}`);
    },
  };
}
