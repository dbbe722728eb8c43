/** The environment variables the bot reads, their errors, and the loopback rule every URL follows. */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`Configuration error: ${variable} ${expected}`);
    this.name = 'ConfigError';
  }
}

/** Long enough to read a pass out on a call and sign in with it; the tenant's minimum wins when higher. */
export const DEFAULT_TAP_LIFETIME_MINUTES = 30;

/**
 * Every environment variable the bot reads. The readers only accept these names, so a new
 * variable must be added here, where the deployment check (test/ops) finds it.
 */
export const CONFIG_VARIABLES = [
  'PORT',
  'HOST',
  'BOT_ID',
  'BOT_TYPE',
  'BOT_TENANT_ID',
  'BOT_PASSWORD',
  'ALLOWED_TENANT_IDS',
  'DEMO_TENANT',
  'GRAPH_TENANT_ID',
  'GRAPH_BASE_URL',
  'GRAPH_CLIENT_ID',
  'GRAPH_CLIENT_SECRET',
  'AUTHORITY_HOST',
  'MANAGED_IDENTITY_CLIENT_ID',
  'HELPDESK_GROUP_ID',
  'APPROVER_GROUP_ID',
  'SSAR_GROUP_IDS',
  'SSAR_MODE',
  'REQUEST_TTL_MINUTES',
  'APPROVAL_REMIND_MINUTES',
  'APPROVAL_WIDEN_MINUTES',
  'ALLOW_PRIVILEGED_WITH_TWO_APPROVERS',
  'RATE_LIMIT_PER_REQUESTER_PER_HOUR',
  'RATE_LIMIT_PER_TARGET_PER_HOUR',
  'NOTIFY_MAIL_FROM',
  'TEAMS_APP_CATALOG_ID',
  'HELPDESK_CONTACT',
  'TAP_LIFETIME_MINUTES',
  'DATA_DIR',
  'STORAGE_CONNECTION_STRING',
  'STORAGE_ACCOUNT_URL',
  'STORAGE_CONTAINER',
  'LOG_LEVEL',
  'CALLER_VERIFICATION',
  'VERIFIED_ID_AUTHORITY',
  'VERIFIED_ID_ACCEPTED_ISSUERS',
  'VERIFIED_ID_CREDENTIAL_TYPES',
  'VERIFIED_ID_IDENTITY_ISSUERS',
  'FACE_CHECK_THRESHOLD',
  'PASS_DELIVERY',
  'PUBLIC_BASE_URL',
  'VERIFIED_ID_BASE_URL',
  'VERIFICATION_LINK_MINUTES',
  'RECOVERY_CLAIMS_SOURCE',
  'RECOVERY_REQUIRED_CLAIMS',
  'RECOVERY_PRIVILEGED',
  'RECOVERY_EXTENSION_AUDIENCE',
  'ENTRA_LOGIN_BASE_URL',
  // Read before the rest of the configuration, by src/telemetry/register.ts.
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
] as const;

export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

/** A base URL without a trailing slash, https unless it points at a loopback emulator. */
export function httpsOrLoopback(name: ConfigVariable, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (got "${raw}")`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigError(name, 'must use https unless it points at this machine');
  }
  if (url.search || url.username || url.password)
    throw new ConfigError(name, 'must be a plain base URL, without a query string or credentials');
  return url.href.replace(/\/+$/, '');
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** A remote socket address is loopback (IPv4, IPv6 or IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return isLoopbackHost(address.replace(/^::ffff:/, ''));
}
