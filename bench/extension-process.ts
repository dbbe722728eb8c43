import { startBot } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { cpuMs, serveParent, usageAfterCollection } from './child.js';

/**
 * The bot alone in a process with the claim validation extension on, for bench/claim-validation.ts:
 *   extension-process.ts <graph base url> <tenant id> <data dir> <entra login base url> <records csv> <audience>
 * Its Graph is the parent's emulator and Entra's keys the parent's Entra emulator. It answers
 * `cpu` (CPU since start) and `usage` (CPU and memory after a forced collection).
 */
const [graphBaseUrl, tenantId, dataDir, loginBaseUrl, recordsPath, audience] = process.argv.slice(2);
if (!graphBaseUrl || !tenantId || !dataDir || !loginBaseUrl || !recordsPath || !audience)
  throw new Error('usage: extension-process.ts <graph> <tenant> <data dir> <entra> <records csv> <audience>');

const loaded = loadConfig({
  PORT: '0',
  GRAPH_BASE_URL: graphBaseUrl,
  ALLOWED_TENANT_IDS: tenantId,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  ENTRA_LOGIN_BASE_URL: loginBaseUrl,
});
const config = {
  ...loaded,
  recoveryExtension: {
    ...loaded.recoveryExtension,
    claimsSource: { kind: 'csv' as const, path: recordsPath },
    audience,
    tenantId,
  },
};
const bot = await startBot(config, createLogger(config.logLevel), { sweepEveryMs: 0 });
serveParent(
  { url: bot.url },
  async (request: { kind: 'usage' | 'cpu' }) =>
    request.kind === 'usage' ? usageAfterCollection() : { cpuMs: cpuMs(process.cpuUsage()) },
  () => bot.close(),
);
