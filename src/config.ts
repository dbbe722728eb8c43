/**
 * Environment -> typed configuration, read once at start-up. A bad value stops start-up with one
 * line naming the variable and what is expected; nothing else reads process.env.
 */
import { isObjectId } from './object-id.js';

export type Env = Record<string, string | undefined>;

export interface BotAuthConfig {
  appId: string;
  password?: string;
  appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  tenantId?: string;
}

export interface GraphConfig {
  baseUrl: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Entra sign-in host for the tenant's cloud; national clouds differ. */
  authorityHost?: string;
  /**
   * The App Service's user-assigned managed identity. With GRAPH_CLIENT_ID and no secret, the bot
   * signs in as that app registration using this identity as its federated credential.
   */
  managedIdentityClientId?: string;
}

/** The shared store on Azure Blob Storage; absent means the embedded file store in `dataDir`. */
export type BlobStorageConfig = { container: string } & ({ connectionString: string } | { accountUrl: string });

export interface Config {
  port: number;
  host: string;
  /** Absent in local mode: activities are then accepted unsigned, from loopback clients only. */
  botAuth?: BotAuthConfig;
  /** Tenants whose activities are served; empty means any (only in local mode). */
  allowedTenantIds: string[];
  /** Set when no tenant is configured: the bot starts the Graph emulator with this fixture. */
  demoTenant?: string;
  graph: GraphConfig;
  helpdeskGroupId?: string;
  approverGroupId?: string;
  /** Fallback recovery groups and mode when the tenant does not expose them through Graph. */
  recoveryGroupIds: string[];
  recoveryMode: 'production' | 'evaluation';
  escalation: {
    requestTtlMinutes: number;
    allowPrivilegedWithTwoApprovers: boolean;
    perRequesterPerHour: number;
    perTargetPerHour: number;
    /** The lifetime asked for each pass, clamped to the tenant's TAP policy (at least its minimum). */
    tapLifetimeMinutes: number;
    /** A request still waiting reminds its approvers after this long (src/app/escalation/nudges.ts). */
    remindMinutes: number;
    /** ... and goes to every approver who has not had it yet after this long. */
    widenMinutes: number;
  };
  /** HELPDESK_CONTACT: how a colleague reaches the helpdesk; the demo has a made-up number. */
  helpdeskContact?: HelpdeskContact;
  /** The mailbox (object id or UPN) the bot mails "a pass was issued for your account" from; unset: Teams only. */
  noticeMailFrom?: string;
  dataDir: string;
  blobStorage?: BlobStorageConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  verification: VerificationConfig;
  recoveryExtension: RecoveryExtensionConfig;
}

/** Where the organisation's records for claim validation come from (issue 30). */
export type ClaimsSourceConfig = { kind: 'csv'; path: string } | { kind: 'hr-api'; baseUrl: string };

/**
 * The bot as Entra's claim validation custom authentication extension (OnVerifiedIdClaimValidation).
 * Off (the route answers 404) unless a claims source is configured.
 */
export interface RecoveryExtensionConfig {
  claimsSource?: ClaimsSourceConfig;
  /** Claim keys that must be present and match the record, besides first and last name. */
  requiredClaims: string[];
  /** `refuse`: holders of any directory role fail, so they go through the helpdesk. */
  privileged: 'refuse' | 'allow';
  /** The `aud` Entra's token must carry: the API app registration's application (client) id for v2 tokens. */
  audience?: string;
  /** Entra's sign-in host; the tenant's OpenID configuration and keys are read under it. */
  loginBaseUrl: string;
  /** The tenant whose Entra may call (`tid` and issuer); GRAPH_TENANT_ID, or the demo tenant's. */
  tenantId?: string;
}

export const PUBLIC_LOGIN_BASE_URL = 'https://login.microsoftonline.com';

export const VERIFICATION_POLICIES = ['off', 'optional', 'required-for-privileged', 'required'] as const;
export type VerificationPolicy = (typeof VERIFICATION_POLICIES)[number];
export const CREDENTIAL_TYPES = ['VerifiedEmployee', 'VerifiedIdentity'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];
/** https://learn.microsoft.com/entra/verified-id/presentation-request-api (the Request Service's own host). */
export const PUBLIC_VERIFIED_ID_BASE_URL = 'https://verifiedid.did.msidentity.com/v1.0';

/**
 * Caller verification with Microsoft Entra Verified ID and Face Check (issue 19). Off unless
 * CALLER_VERIFICATION says otherwise; when on, the verifier DID and the pinned issuers are required.
 */
export interface VerificationConfig {
  policy: VerificationPolicy;
  /** The tenant's verifier DID: `authority` of every presentation request. */
  authority?: string;
  /** Never empty when verification is on: an empty list would accept any issuer. */
  acceptedIssuers: string[];
  credentialTypes: CredentialType[];
  /**
   * Issuers of the identity credential (VerifiedIdentity) chosen here instead of the tenant's
   * recovery profile; empty means the profile decides, and without one VERIFIED_ID_ACCEPTED_ISSUERS.
   */
  identityIssuers: string[];
  /** Face Check's matchConfidenceThreshold, 50-100 as the Request Service accepts. */
  faceCheckThreshold: number;
  /** `verified-person`: after approval the pass goes to the browser that passed verification; `agent-chat`: always to the agent. */
  passDelivery: 'verified-person' | 'agent-chat';
  /** Where the Request Service calls back and the caller opens the page; absent only when the Request Service is a loopback emulator (then the bot's own URL). */
  publicBaseUrl?: string;
  requestServiceUrl: string;
  /** How long the link given to the caller works. */
  linkMinutes: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
  ) {
    super(`Configuration error: ${variable} ${expected}`);
    this.name = 'ConfigError';
  }
}

/**
 * Every environment variable the bot reads. The readers below only accept these names, so a new
 * variable must be added here, where the deployment check (test/ops) finds it.
 */
/** Long enough to read a pass out on a call and sign in with it; the tenant's minimum wins when higher. */
export const DEFAULT_TAP_LIFETIME_MINUTES = 30;

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

export const PUBLIC_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env): Config {
  const read = (name: ConfigVariable): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const integer = (name: ConfigVariable, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  };
  const boolean = (name: ConfigVariable, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(name, `must be true or false (got "${raw}")`);
  };
  const guid = (name: ConfigVariable): string | undefined => {
    const raw = read(name);
    if (raw !== undefined && !isObjectId(raw)) {
      throw new ConfigError(
        name,
        `must be an Entra object id (a GUID like 00000000-0000-0000-0000-000000000000), got "${raw}"`,
      );
    }
    return raw;
  };
  const guidList = (name: ConfigVariable): string[] => {
    const raw = read(name);
    if (raw === undefined) return [];
    const ids = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = ids.find((id) => !isObjectId(id));
    if (bad !== undefined) throw new ConfigError(name, `must be a comma-separated list of GUIDs, "${bad}" is not one`);
    return ids;
  };
  const oneOf = <T extends string>(name: ConfigVariable, allowed: readonly T[], fallback: T): T => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
    }
    return raw as T;
  };

  const botId = guid('BOT_ID');
  const botType = oneOf('BOT_TYPE', ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const, 'SingleTenant');
  const botTenantId = guid('BOT_TENANT_ID');
  const botPassword = read('BOT_PASSWORD');
  if (botId && botType !== 'UserAssignedMSI' && !botPassword) {
    throw new ConfigError('BOT_PASSWORD', 'is required when BOT_ID is set (the bot registration client secret)');
  }
  if (botId && botType === 'SingleTenant' && !botTenantId) {
    throw new ConfigError(
      'BOT_TENANT_ID',
      'is required for a SingleTenant bot (the tenant id of the bot registration)',
    );
  }
  if (!botId && (botPassword || botTenantId)) {
    throw new ConfigError('BOT_ID', 'is required when BOT_PASSWORD or BOT_TENANT_ID is set');
  }

  const graphTenantId = guid('GRAPH_TENANT_ID');
  const graphBaseUrl = read('GRAPH_BASE_URL');
  if (graphBaseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(graphBaseUrl);
    } catch {
      throw new ConfigError('GRAPH_BASE_URL', `must be a URL such as ${PUBLIC_GRAPH_BASE_URL} (got "${graphBaseUrl}")`);
    }
    if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
      throw new ConfigError('GRAPH_BASE_URL', 'must use https unless it points at a loopback emulator');
    }
  }
  const demo = !graphTenantId && graphBaseUrl === undefined;
  const clientId = guid('GRAPH_CLIENT_ID');
  if (graphTenantId && graphBaseUrl && !isLoopbackUrl(graphBaseUrl) && !clientId) {
    throw new ConfigError(
      'GRAPH_CLIENT_ID',
      'is required with GRAPH_TENANT_ID (the app registration allowed to read the directory)',
    );
  }
  if (!demo && !graphTenantId && graphBaseUrl && !isLoopbackUrl(graphBaseUrl)) {
    throw new ConfigError('GRAPH_TENANT_ID', 'is required when GRAPH_BASE_URL points at a real Graph endpoint');
  }

  const allowedTenantIds = guidList('ALLOWED_TENANT_IDS');
  if (botTenantId && !allowedTenantIds.includes(botTenantId)) allowedTenantIds.push(botTenantId);

  return {
    port: integer('PORT', 3978, 0, 65535),
    host: read('HOST') ?? (botId ? '0.0.0.0' : '127.0.0.1'),
    botAuth: botId ? { appId: botId, password: botPassword, appType: botType, tenantId: botTenantId } : undefined,
    allowedTenantIds,
    demoTenant: demo ? (read('DEMO_TENANT') ?? 'contoso') : undefined,
    graph: {
      baseUrl: (graphBaseUrl ?? PUBLIC_GRAPH_BASE_URL).replace(/\/+$/, ''),
      tenantId: graphTenantId,
      clientId,
      clientSecret: read('GRAPH_CLIENT_SECRET'),
      authorityHost: read('AUTHORITY_HOST'),
      managedIdentityClientId: guid('MANAGED_IDENTITY_CLIENT_ID'),
    },
    helpdeskGroupId: guid('HELPDESK_GROUP_ID'),
    approverGroupId: guid('APPROVER_GROUP_ID'),
    recoveryGroupIds: guidList('SSAR_GROUP_IDS'),
    recoveryMode: oneOf('SSAR_MODE', ['production', 'evaluation'] as const, 'production'),
    escalation: {
      requestTtlMinutes: integer('REQUEST_TTL_MINUTES', 60, 5, 1440),
      allowPrivilegedWithTwoApprovers: boolean('ALLOW_PRIVILEGED_WITH_TWO_APPROVERS', false),
      perRequesterPerHour: integer('RATE_LIMIT_PER_REQUESTER_PER_HOUR', 5, 1, 1000),
      perTargetPerHour: integer('RATE_LIMIT_PER_TARGET_PER_HOUR', 3, 1, 1000),
      // Graph accepts 10 to 43200 minutes: https://learn.microsoft.com/graph/api/resources/temporaryaccesspassauthenticationmethod
      tapLifetimeMinutes: integer('TAP_LIFETIME_MINUTES', DEFAULT_TAP_LIFETIME_MINUTES, 10, 43_200),
      remindMinutes: integer('APPROVAL_REMIND_MINUTES', 10, 1, 1440),
      widenMinutes: integer('APPROVAL_WIDEN_MINUTES', 20, 1, 1440),
    },
    noticeMailFrom: noticeMailbox(read('NOTIFY_MAIL_FROM')),
    helpdeskContact: helpdeskContact(read('HELPDESK_CONTACT') ?? (demo ? DEMO_HELPDESK_CONTACT : undefined)),
    dataDir: read('DATA_DIR') ?? '.data',
    blobStorage: blobStorageConfig(read),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    verification: verificationConfig(read, integer, oneOf, demo),
    recoveryExtension: recoveryExtensionConfig(read, oneOf, graphTenantId, demo),
  };
}

/** A claim key as Verified ID names them (firstName, dateOfBirth, documentId). */
const CLAIM_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function recoveryExtensionConfig(
  read: (name: ConfigVariable) => string | undefined,
  oneOf: <T extends string>(name: ConfigVariable, allowed: readonly T[], fallback: T) => T,
  tenantId: string | undefined,
  demo: boolean,
): RecoveryExtensionConfig {
  const raw = read('RECOVERY_CLAIMS_SOURCE');
  let claimsSource: ClaimsSourceConfig | undefined;
  if (raw?.startsWith('csv:')) {
    const path = raw.slice('csv:'.length).trim();
    if (!path)
      throw new ConfigError('RECOVERY_CLAIMS_SOURCE', 'must name a file after "csv:", like csv:/home/data/hr.csv');
    claimsSource = { kind: 'csv', path };
  } else if (raw !== undefined) {
    if (!/^https?:\/\//.test(raw))
      throw new ConfigError(
        'RECOVERY_CLAIMS_SOURCE',
        `must be csv:<path> or the https base URL of an HR API (got "${raw.slice(0, 80)}")`,
      );
    claimsSource = { kind: 'hr-api', baseUrl: httpsOrLoopback('RECOVERY_CLAIMS_SOURCE', raw) };
  }
  const required = (read('RECOVERY_REQUIRED_CLAIMS') ?? 'dateOfBirth')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const badClaim = required.find((claim) => !CLAIM_KEY.test(claim));
  if (badClaim !== undefined)
    throw new ConfigError(
      'RECOVERY_REQUIRED_CLAIMS',
      `must be a comma-separated list of claim keys, "${badClaim}" is not one`,
    );
  const audience = read('RECOVERY_EXTENSION_AUDIENCE');
  // Fail closed: without an audience, any token the tenant issued to any app would be accepted.
  // The demo tenant fills in its emulator's own audience (src/emulator/entra-login/demo.ts).
  if (claimsSource && !audience && !demo)
    throw new ConfigError(
      'RECOVERY_EXTENSION_AUDIENCE',
      "is required when RECOVERY_CLAIMS_SOURCE is set: the application (client) id of the extension's API app registration, the `aud` of Entra's v2 tokens",
    );
  if (claimsSource && !tenantId && !demo)
    throw new ConfigError(
      'GRAPH_TENANT_ID',
      "is required with RECOVERY_CLAIMS_SOURCE: only the tenant's own Entra may call the extension",
    );
  const loginBase = read('ENTRA_LOGIN_BASE_URL') ?? read('AUTHORITY_HOST') ?? PUBLIC_LOGIN_BASE_URL;
  return {
    claimsSource,
    requiredClaims: [...new Set(required)],
    privileged: oneOf('RECOVERY_PRIVILEGED', ['refuse', 'allow'] as const, 'refuse'),
    audience,
    loginBaseUrl: httpsOrLoopback('ENTRA_LOGIN_BASE_URL', loginBase),
    tenantId,
  };
}

/** How a colleague reaches the helpdesk, as shown on a card and the link a button opens. */
export interface HelpdeskContact {
  kind: 'phone' | 'mail' | 'link';
  text: string;
  url: string;
}

/** The demo tenant's helpdesk: a number from the range reserved for fiction. */
export const DEMO_HELPDESK_CONTACT = '+1 425 555 0100';

/** A phone number, a mail address or an https link; anything else is refused at start-up. */
export function helpdeskContact(value: string | undefined): HelpdeskContact | undefined {
  if (value === undefined) return undefined;
  if (/^https:\/\/[^\s]+$/i.test(value) && URL.canParse(value)) return { kind: 'link', text: value, url: value };
  if (/^[^\s@/?#:]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$/.test(value))
    return { kind: 'mail', text: value, url: `mailto:${value}` };
  const digits = value.replace(/[\s().-]/g, '');
  if (/^\+?\d{3,20}$/.test(digits) && /^[+\d][\d\s().-]*$/.test(value))
    return { kind: 'phone', text: value, url: `tel:${digits}` };
  throw new ConfigError(
    'HELPDESK_CONTACT',
    `must be a phone number (+1 425 555 0100), a mail address (helpdesk@contoso.com) or an https link (got "${value}")`,
  );
}

/** An object id or a user principal name: it goes into a Graph path. */
function noticeMailbox(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) &&
    !/^[^\s@/?#]{1,64}@[A-Za-z0-9.-]{1,253}$/.test(value)
  ) {
    throw new ConfigError(
      'NOTIFY_MAIL_FROM',
      'must be the object id or user principal name of the mailbox to send from',
    );
  }
  return value;
}

/** A decentralized identifier as Verified ID uses them (did:web:…, did:ion:…). */
const DID = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/;

function verificationConfig(
  read: (name: ConfigVariable) => string | undefined,
  integer: (name: ConfigVariable, fallback: number, min: number, max: number) => number,
  oneOf: <T extends string>(name: ConfigVariable, allowed: readonly T[], fallback: T) => T,
  demo: boolean,
): VerificationConfig {
  const policy = oneOf('CALLER_VERIFICATION', VERIFICATION_POLICIES, 'off');
  const list = (name: ConfigVariable) =>
    (read(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const authority = read('VERIFIED_ID_AUTHORITY');
  if (authority !== undefined && !DID.test(authority)) {
    throw new ConfigError(
      'VERIFIED_ID_AUTHORITY',
      `must be the verifier's DID, like did:web:verifiedid.contoso.com (got "${authority}")`,
    );
  }
  const acceptedIssuers = list('VERIFIED_ID_ACCEPTED_ISSUERS');
  const badIssuer = acceptedIssuers.find((issuer) => !DID.test(issuer));
  if (badIssuer !== undefined)
    throw new ConfigError(
      'VERIFIED_ID_ACCEPTED_ISSUERS',
      `must be a comma-separated list of DIDs, "${badIssuer}" is not one`,
    );
  const identityIssuers = list('VERIFIED_ID_IDENTITY_ISSUERS');
  const badIdentityIssuer = identityIssuers.find((issuer) => !DID.test(issuer));
  if (badIdentityIssuer !== undefined)
    throw new ConfigError(
      'VERIFIED_ID_IDENTITY_ISSUERS',
      `must be a comma-separated list of DIDs, "${badIdentityIssuer}" is not one`,
    );
  const types = list('VERIFIED_ID_CREDENTIAL_TYPES');
  const badType = types.find((type) => !(CREDENTIAL_TYPES as readonly string[]).includes(type));
  if (badType !== undefined)
    throw new ConfigError(
      'VERIFIED_ID_CREDENTIAL_TYPES',
      `must be ${CREDENTIAL_TYPES.join(' and/or ')} (got "${badType}")`,
    );
  const requestServiceUrl = httpsOrLoopback(
    'VERIFIED_ID_BASE_URL',
    read('VERIFIED_ID_BASE_URL') ?? PUBLIC_VERIFIED_ID_BASE_URL,
  );
  const publicBase = read('PUBLIC_BASE_URL');
  const publicBaseUrl = publicBase === undefined ? undefined : httpsOrLoopback('PUBLIC_BASE_URL', publicBase);
  // The demo tenant fills these in with its own emulator and DID (src/emulator/verified-id/demo.ts).
  if (policy !== 'off' && !demo) {
    if (!authority)
      throw new ConfigError(
        'VERIFIED_ID_AUTHORITY',
        `is required when CALLER_VERIFICATION is ${policy} (the tenant's verifier DID)`,
      );
    // The Request Service accepts any issuer when the list is empty: never send one.
    if (acceptedIssuers.length === 0)
      throw new ConfigError(
        'VERIFIED_ID_ACCEPTED_ISSUERS',
        `is required when CALLER_VERIFICATION is ${policy}: an empty list would accept a credential from any issuer`,
      );
    if (!publicBaseUrl && !isLoopbackUrl(requestServiceUrl)) {
      throw new ConfigError(
        'PUBLIC_BASE_URL',
        'is required with a real Verified ID Request Service: the https address where it calls the bot back and callers open their page',
      );
    }
  }
  return {
    policy,
    authority,
    acceptedIssuers,
    credentialTypes: types.length > 0 ? [...new Set(types as CredentialType[])] : ['VerifiedEmployee'],
    identityIssuers,
    faceCheckThreshold: integer('FACE_CHECK_THRESHOLD', 70, 50, 100),
    passDelivery: oneOf('PASS_DELIVERY', ['verified-person', 'agent-chat'] as const, 'verified-person'),
    publicBaseUrl,
    requestServiceUrl,
    linkMinutes: integer('VERIFICATION_LINK_MINUTES', 15, 5, 60),
  };
}

/** A base URL without a trailing slash, https unless it points at a loopback emulator. */
function httpsOrLoopback(name: ConfigVariable, raw: string): string {
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

export const DEFAULT_STORAGE_CONTAINER = 'ssar-helpdesk';
/** Azure's container naming rule: 3-63 lower-case letters, digits and single hyphens, starting with a letter or digit. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Never echoes the connection string: it holds the account key or a SAS token. */
function blobStorageConfig(read: (name: ConfigVariable) => string | undefined): BlobStorageConfig | undefined {
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
