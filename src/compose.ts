import type { AddressInfo } from 'node:net';
import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { isLoopbackUrl, type Config } from './config.js';
import { defaultCatalogue } from './diagnosis/catalogue.js';
import { Directory } from './directory/directory.js';
import { Graph } from './directory/graph.js';
import { TenantFacts } from './directory/tenant-facts.js';
import type { Logger } from './log.js';
import { createServer } from './server.js';
import { CardTemplates } from './teams/cards.js';
import { createAdapter, createBot } from './teams/app.js';

/** Everything the running bot is made of, wired once: config -> Graph -> stores -> app -> HTTP. */
export interface RunningBot {
  url: string;
  port: number;
  directory: Directory;
  close(): Promise<void>;
}

export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const cards = new CardTemplates();
  const graph = new Graph({ baseUrl: config.graph.baseUrl, credential: graphCredential(config), log });
  const tenant = new TenantFacts(graph, { groupIds: config.recoveryGroupIds, mode: config.recoveryMode });
  const directory = new Directory(graph, tenant, { helpdeskGroupId: config.helpdeskGroupId, approverGroupId: config.approverGroupId });
  const adapter = createAdapter(config.botAuth);
  const catalogue = defaultCatalogue();
  const app = createBot(adapter, { cards, directory, catalogue, log });
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
    directory,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Client secret when one is configured, else the App Service's managed identity; none for an emulator. */
function graphCredential(config: Config): TokenCredential | undefined {
  const { tenantId, clientId, clientSecret, baseUrl } = config.graph;
  if (isLoopbackUrl(baseUrl) || !tenantId) return undefined;
  const authorityHost = config.graph.authorityHost;
  if (clientId && clientSecret) return new ClientSecretCredential(tenantId, clientId, clientSecret, { authorityHost });
  return new ManagedIdentityCredential(clientId ? { clientId } : {});
}
