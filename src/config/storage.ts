/** The shared store on Azure Blob Storage (STORAGE_*). */
import { ConfigError, type ConfigVariable, isLoopbackHost } from './env.js';

/** The shared store on Azure Blob Storage; absent means the embedded file store in `dataDir`. */
export type BlobStorageConfig = { container: string } & ({ connectionString: string } | { accountUrl: string });

export const DEFAULT_STORAGE_CONTAINER = 'ssar-helpdesk';

/** Azure's container naming rule: 3-63 lower-case letters, digits and single hyphens, starting with a letter or digit. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Never echoes the connection string: it holds the account key or a SAS token. */
export function blobStorageConfig(read: (name: ConfigVariable) => string | undefined): BlobStorageConfig | undefined {
  const connectionString = read('STORAGE_CONNECTION_STRING');
  const accountUrl = read('STORAGE_ACCOUNT_URL');
  const containerName = read('STORAGE_CONTAINER');
  if (connectionString && accountUrl) {
    throw new ConfigError('STORAGE_ACCOUNT_URL', 'cannot be combined with STORAGE_CONNECTION_STRING: set one of them');
  }
  if (!connectionString && !accountUrl) {
    if (containerName)
      throw new ConfigError(
        'STORAGE_CONTAINER',
        'needs STORAGE_ACCOUNT_URL or STORAGE_CONNECTION_STRING (without them the bot uses DATA_DIR)',
      );
    return undefined;
  }
  const container = containerName ?? DEFAULT_STORAGE_CONTAINER;
  if (!CONTAINER_NAME.test(container)) {
    throw new ConfigError(
      'STORAGE_CONTAINER',
      `must be 3-63 lower-case letters, digits and single hyphens (got "${container}")`,
    );
  }
  if (connectionString) {
    const problem = connectionStringProblem(connectionString);
    if (problem)
      throw new ConfigError('STORAGE_CONNECTION_STRING', `${problem} (the value is not shown: it holds a key)`);
    return { container, connectionString };
  }
  let url: URL | undefined;
  try {
    url = new URL(accountUrl!);
  } catch {
    // reported below
  }
  if (!url || url.protocol !== 'https:' || url.pathname.replace(/\/+$/, '') !== '') {
    const shown = url?.search ? 'a URL with a query string' : `"${accountUrl}"`;
    throw new ConfigError(
      'STORAGE_ACCOUNT_URL',
      `must be the account's blob endpoint, like https://<account>.blob.core.windows.net (got ${shown})`,
    );
  }
  if (url.search || url.username || url.password) {
    throw new ConfigError(
      'STORAGE_ACCOUNT_URL',
      'must not carry a SAS token or credentials (the bot signs in with its managed identity); use STORAGE_CONNECTION_STRING for key or SAS access',
    );
  }
  return { container, accountUrl: url.origin };
}

/** What is wrong with an Azure Storage connection string, in words that do not repeat it; undefined when usable. */
function connectionStringProblem(connectionString: string): string | undefined {
  const parts = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    const at = pair.indexOf('=');
    if (pair.trim() === '') continue;
    if (at <= 0) return 'is not an Azure Storage connection string (Name=value pairs separated by ";")';
    parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return undefined;
  const blobEndpoint = parts.get('blobendpoint');
  const hasKey = parts.has('accountname') && parts.has('accountkey');
  if (!hasKey && !(blobEndpoint && parts.has('sharedaccesssignature'))) {
    return 'needs AccountName and AccountKey, BlobEndpoint and SharedAccessSignature, or UseDevelopmentStorage=true';
  }
  if (blobEndpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(blobEndpoint);
    } catch {
      return 'has a BlobEndpoint that is not a URL';
    }
    if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname))
      return 'has a BlobEndpoint that must use https unless it points at a loopback emulator such as Azurite';
  } else if (parts.get('defaultendpointsprotocol')?.toLowerCase() === 'http') {
    return 'must use DefaultEndpointsProtocol=https (http is only for a loopback emulator, given as BlobEndpoint)';
  }
  return undefined;
}
