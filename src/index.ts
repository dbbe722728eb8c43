/**
 * Entry point: `npm start`. With no tenant configured it runs the whole product locally: the Graph
 * emulator with the demo tenant, the bot, and a chat page to talk to it as different people.
 */
// First, so the warning is printed before any other module loads (and perhaps fails to on that runtime).
import './runtime-check.js';
import { startBot } from './compose.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { consoleLogOutput, wantsReadableLogs } from './console-log.js';
import { CONTOSO, startDemoTenant } from './demo.js';
import { DEMO_RECORDS_PATH, withDemoClaimValidation } from './emulator/claim-validation-demo.js';
import { withDemoVerifiedId } from './emulator/verified-id/demo.js';
import { startLocalChat } from './localchat/server.js';
import { createLogger } from './log.js';
import { StoreUnavailableError } from './storage/store.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// The demo's banner comes first: log lines written while starting wait below it.
const logOutput = consoleLogOutput({
  readable: wantsReadableLogs(process.stdout.isTTY, process.env),
  hold: config.demoTenant !== undefined,
});
process.once('exit', () => logOutput.release());
const log = createLogger(config.logLevel, logOutput);
const closers: Array<() => Promise<void>> = [];

if (!config.botAuth) {
  log.warn(
    { host: config.host },
    'LOCAL MODE: BOT_ID is not set, so activities are NOT authenticated. Only clients on this machine are answered and replies only go to loopback; never expose this to a network.',
  );
}

/** A port someone else holds stops start-up with one line naming the variable that moves it. */
function exitIfPortInUse(error: unknown, variable: 'PORT' | 'CHAT_PORT', port: number): void {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return;
  console.error(
    `Port ${port} is already in use (another ssar-helpdesk?): set ${variable} to a free port, e.g. ${variable}=${port + 10} npm start`,
  );
  process.exit(1);
}

/** An unreachable store or a port in use stops start-up with one line that names no key or connection string. */
async function startOrExit(config: Config) {
  try {
    return await startBot(config, log);
  } catch (error) {
    exitIfPortInUse(error, 'PORT', config.port);
    if (!(error instanceof StoreUnavailableError)) throw error;
    console.error(`Storage error: ${error.message}`);
    process.exit(1);
  }
}

if (config.demoTenant) {
  // Proactive installation is on in the demo, so an approver who never opened the app still gets the card.
  const demo = await startDemoTenant({
    ...config,
    teamsAppCatalogId: config.teamsAppCatalogId ?? CONTOSO.teamsAppCatalogId,
  });
  closers.push(() => demo.emulator.close());
  // The Verified ID Request Service emulator too, so caller verification works with no Azure.
  const verifiedId = await withDemoVerifiedId(demo.config);
  closers.push(() => verifiedId.emulator.close());
  // And Entra's sign-in host, which signs the claim validation callouts the chat page sends.
  const entra = await withDemoClaimValidation(verifiedId.config, demo.tenantId);
  closers.push(() => entra.emulator.close());
  config = entra.config;
  log.info(
    { graph: demo.emulator.baseUrl, verifiedId: verifiedId.emulator.baseUrl, entra: entra.emulator.baseUrl },
    `demo tenant "${config.demoTenant}" served by the Graph, Verified ID and Entra sign-in emulators`,
  );
  const bot = await startOrExit(config);
  closers.unshift(() => bot.close());
  const chatPort = Number(process.env.CHAT_PORT ?? 3979);
  const chat = await startLocalChat({
    botUrl: bot.url,
    tenantId: demo.tenantId,
    people: Object.values(CONTOSO.people),
    port: chatPort,
    entra: {
      emulator: entra.emulator,
      audience: config.recoveryExtension.audience ?? '',
      recordsPath:
        config.recoveryExtension.claimsSource?.kind === 'csv'
          ? config.recoveryExtension.claimsSource.path
          : DEMO_RECORDS_PATH,
    },
  }).catch((error: unknown) => {
    exitIfPortInUse(error, 'CHAT_PORT', chatPort);
    throw error;
  });
  closers.unshift(() => chat.close());
  console.log(
    [
      '',
      `  ssar-helpdesk is running against the demo tenant (no Azure, no secrets).`,
      `  Bot endpoint:  ${bot.url}/api/messages`,
      `  Chat with it:  ${chat.url}  (pick who you are: helpdesk agent, colleague, manager or approver)`,
      `  Try: "check jon.doe@contoso.com", "check Adele Vance", "guide", or paste an AADSTS error.`,
      `  Caller verification (${config.verification.policy}): on a request card choose "Verify with Face Check" and open the link in another tab;`,
      `  the Verified ID emulator plays Authenticator: ${verifiedId.emulator.baseUrl.replace(/\/v1\.0$/, '')}/wallet`,
      `  Claim validation: on the chat page open "Play Entra" to send a recovery attempt for a demo person`,
      `  (their own ID, a wrong date of birth, a namesake's ID), then "check" them as the helpdesk agent.`,
      `  Stop with Ctrl+C.`,
      '',
    ].join('\n'),
  );
  logOutput.release();
} else {
  const bot = await startOrExit(config);
  closers.push(() => bot.close());
  log.info({ url: bot.url }, 'ssar-helpdesk listening on /api/messages');
}

/** In-flight turns get this long to finish after a stop signal; a turn's Graph calls rarely take longer. */
const SHUTDOWN_GRACE_MS = 10_000;

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  // Closing the server stops new requests at once and resolves when the in-flight turns have answered.
  log.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'shutting down: finishing in-flight turns');
  setTimeout(() => {
    log.warn('in-flight turns did not finish in time; exiting anyway');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  for (const close of closers) await close().catch(() => undefined);
  log.info('stopped');
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
