/**
 * The readiness report from a terminal, with the bot's own configuration (environment variables):
 *   npm run readiness -- --out report.csv [--not-ready] [--synthetic 50000]
 * --not-ready writes only the members who could not recover today (verdict fail or unknown).
 * With no tenant configured it runs against the demo tenant in the Graph emulator (or, with
 * --synthetic N, a generated tenant of N members). Progress goes to stderr, the summary to stdout;
 * Ctrl+C cancels cleanly and leaves the rows written so far.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { graphCredential } from '../credentials.js';
import { startDemoTenant } from '../demo.js';
import { Graph } from '../directory/graph.js';
import { TenantFacts } from '../directory/tenant.js';
import { type GraphEmulator, startGraphEmulator } from '../emulator/graph-emulator.js';
import { syntheticTenant } from '../emulator/synthetic.js';
import { createLogger } from '../log.js';
import { csvRow, csvStart } from './csv.js';
import type { ReadinessSummary } from './report.js';
import { scanReadiness } from './scan.js';

const USAGE = 'usage: npm run readiness -- --out report.csv [--not-ready] [--synthetic N]';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { out?: string; synthetic?: string; 'not-ready'?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, synthetic: { type: 'string' }, 'not-ready': { type: 'boolean' } },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const notReadyOnly = values['not-ready'] === true;
  if (!values.out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  let emulator: GraphEmulator | undefined;
  if (config.demoTenant && values.synthetic) {
    const generated = syntheticTenant({ members: Number(values.synthetic), seed: 1 });
    emulator = await startGraphEmulator({ tenant: generated.tenant });
    config = { ...config, graph: { baseUrl: emulator.baseUrl } };
  } else if (config.demoTenant) {
    const demo = await startDemoTenant(config);
    emulator = demo.emulator;
    config = demo.config;
    process.stderr.write(`No tenant configured: reporting on the demo tenant (${config.demoTenant}).\n`);
  } else if (values.synthetic) {
    process.stderr.write('--synthetic only works without a configured tenant.\n');
    return 2;
  }

  const log = createLogger(config.logLevel === 'debug' ? 'info' : 'warn', process.stderr);
  const graph = new Graph({ baseUrl: config.graph.baseUrl, credential: graphCredential(config), log });
  const tenant = new TenantFacts(graph, { groupIds: config.recoveryGroupIds, mode: config.recoveryMode });
  const out = createWriteStream(values.out, { encoding: 'utf8' });
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  const controller = new AbortController();
  const cancel = () => {
    process.stderr.write('\nCancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', cancel);
  const started = Date.now();
  try {
    await write(csvStart());
    const summary = await scanReadiness(graph, tenant, {
      signal: controller.signal,
      onMember: (user, eligibility) =>
        notReadyOnly && eligibility.canSelfRecover ? undefined : write(csvRow(user, eligibility)),
      // One updating line on a terminal; whole lines when stderr goes to a file or a CI log.
      onProgress: ({ scanned, ready, notReady, waitingFor }) =>
        process.stderr.write(
          `${process.stderr.isTTY ? '\r' : ''}${scanned} checked: ${ready} ready, ${notReady} not ready${waitingFor ? ` (${waitingFor})` : ''}${process.stderr.isTTY ? '' : '\n'}`,
        ),
    });
    process.stderr.write(
      `\n${summary.cancelled ? 'Cancelled' : 'Done'} in ${((Date.now() - started) / 1000).toFixed(1)} s; ${notReadyOnly ? 'members not ready' : 'rows'} in ${values.out}\n`,
    );
    process.stdout.write(summaryText(summary));
    return summary.cancelled ? 130 : 0;
  } catch (error) {
    process.stderr.write(`\nThe report stopped: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', cancel);
    out.end();
    await once(out, 'finish');
    await emulator?.close();
  }
}

export function summaryText(summary: ReadinessSummary): string {
  const lines = [
    `SSAR readiness${summary.cancelled ? ' (cancelled, partial)' : ''}: ${summary.ready} of ${summary.scanned} members ready, ${summary.notReady} not ready`,
    `Recovery group(s): ${summary.groups.join(', ') || 'none'}${summary.scopeSource ? ` (from ${summary.scopeSource})` : ''}`,
    ...summary.topFixes.map((fix) => `  - ${fix}`),
    ...summary.notes,
  ];
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  process.exitCode = await main(process.argv.slice(2));
}
