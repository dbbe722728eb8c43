import { startBot } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { CONTOSO } from '../src/demo.js';
import { createLogger } from '../src/log.js';
import { cpuMs, serveParent, usageAfterCollection } from './child.js';

/**
 * The bot alone in a process, for the turn benchmark (bench/turns.ts starts it with forkChild):
 *   bot-process.ts <graph base url> <tenant id> <data dir> [telemetry]
 * With `telemetry`, the OpenTelemetry SDK is registered first, exporting into memory.
 * Its Graph is the parent's emulator, its replies go to the parent's fake connector (the
 * activities' serviceUrl). It answers `usage` (CPU, and memory after a forced collection) and
 * `cpu` (CPU only, no collection).
 */

export type BotRequest = { kind: 'usage' } | { kind: 'cpu' };
export interface BotReady {
  url: string;
}

const [graphBaseUrl, tenantId, dataDir, telemetry] = process.argv.slice(2);
if (!graphBaseUrl || !tenantId || !dataDir)
  throw new Error('usage: bot-process.ts <graph base url> <tenant id> <data dir> [telemetry]');
if (telemetry === 'telemetry') await import('./in-memory-telemetry.js');

const config = loadConfig({
  PORT: '0',
  GRAPH_BASE_URL: graphBaseUrl,
  HELPDESK_GROUP_ID: CONTOSO.helpdeskGroupId,
  APPROVER_GROUP_ID: CONTOSO.approverGroupId,
  ALLOWED_TENANT_IDS: tenantId,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
});
// No escalation sweep: its timer would add work to some turns and not others.
const bot = await startBot(config, createLogger(config.logLevel), { sweepEveryMs: 0 });
const ready: BotReady = { url: bot.url };
serveParent(
  ready,
  async (request: BotRequest) =>
    request.kind === 'usage' ? usageAfterCollection() : { cpuMs: cpuMs(process.cpuUsage()) },
  () => bot.close(),
);
