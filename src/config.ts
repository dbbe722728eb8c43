/**
 * Environment -> typed configuration, read once at start-up. A bad value stops start-up with one
 * line naming the variable and what is expected; nothing else reads process.env.
 */

import {
  ConfigError,
  type ConfigVariable,
  DEFAULT_TAP_LIFETIME_MINUTES,
  type Env,
  isLoopbackHost,
  isLoopbackUrl,
} from './config/env.js';
import { type RecoveryExtensionConfig, recoveryExtensionConfig } from './config/recovery-extension.js';
import { type BlobStorageConfig, blobStorageConfig } from './config/storage.js';
import { type VerificationConfig, verificationConfig } from './config/verification.js';
import { isObjectId } from './object-id.js';

export * from './config/env.js';
export * from './config/recovery-extension.js';
export * from './config/storage.js';
export * from './config/verification.js';

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
  /**
   * The bot's Teams app in the organization's app catalog (the catalog's id, not the manifest's):
   * set, the bot installs the app for a person it must write to first who never opened it
   * (TeamsAppInstallation.ReadWriteSelfForUser.All, docs/permissions.md); unset, it never does.
   */
  teamsAppCatalogId?: string;
  dataDir: string;
  blobStorage?: BlobStorageConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  verification: VerificationConfig;
  recoveryExtension: RecoveryExtensionConfig;
}

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
    teamsAppCatalogId: teamsAppCatalogId(read('TEAMS_APP_CATALOG_ID')),
    helpdeskContact: helpdeskContact(read('HELPDESK_CONTACT') ?? (demo ? DEMO_HELPDESK_CONTACT : undefined)),
    dataDir: read('DATA_DIR') ?? '.data',
    blobStorage: blobStorageConfig(read),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    verification: verificationConfig(read, integer, oneOf, demo),
    recoveryExtension: recoveryExtensionConfig(read, oneOf, graphTenantId, demo),
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

/**
 * A GUID: the app's id in the organization's app catalog, which differs from the manifest's id
 * (`GET /appCatalogs/teamsApps?$filter=externalId eq '{manifest id}'` names it); for an app from
 * the Teams Store the two are the same.
 * https://learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages#get-the-teamsappid-for-your-app
 */
function teamsAppCatalogId(value: string | undefined): string | undefined {
  if (value === undefined || isObjectId(value)) return value;
  throw new ConfigError(
    'TEAMS_APP_CATALOG_ID',
    `must be the id of the Teams app in your organization's app catalog (a GUID, not the manifest's id unless the app is from the Teams Store), got "${value}"`,
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
