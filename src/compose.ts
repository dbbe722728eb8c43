import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { createServer } from './server.js';
import { CardTemplates } from './teams/cards.js';
import { createAdapter, createBot } from './teams/app.js';

/** Everything the running bot is made of, wired once: config -> Graph -> stores -> app -> HTTP. */
export interface RunningBot {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const cards = new CardTemplates();
  const adapter = createAdapter(config.botAuth);
  const app = createBot(adapter, { cards, log });
  const server = createServer({
    adapter,
    runTurn: (context) => app.run(context).then(() => undefined),
    localMode: !config.botAuth,
    appId: config.botAuth?.appId,
    allowedTenantIds: config.allowedTenantIds,
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
