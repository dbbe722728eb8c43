/**
 * Runs the Graph emulator on its own:
 *   tsx src/emulator/main.ts [--port 5310] [--tenant path/to/tenant.json] [--latency 0]
 */
import { parseArgs } from 'node:util';
import { startGraphEmulator } from './graph-emulator.js';
import { DEMO_TENANT_PATH, loadTenant } from './tenant.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5310' },
    tenant: { type: 'string', default: DEMO_TENANT_PATH },
    latency: { type: 'string', default: '0' },
  },
});

const emulator = await startGraphEmulator({
  tenant: await loadTenant(values.tenant),
  port: Number(values.port),
  latencyMs: Number(values.latency),
});
console.log(emulator.baseUrl);

const shutdown = () => void emulator.close().then(() => process.exit(0));
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
