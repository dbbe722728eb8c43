import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const GUID = '0b6c4d2e-8f1a-4b3c-9d5e-6f7a8b9c0d1e';

describe('configuration', () => {
  it('with nothing set, runs locally against the demo tenant on loopback', () => {
    const config = loadConfig({});
    expect(config.demoTenant).toBe('contoso');
    expect(config.botAuth).toBeUndefined();
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3978);
    expect(config.escalation.requestTtlMinutes).toBe(60);
  });

  it('points at a real tenant when GRAPH_TENANT_ID is set', () => {
    const config = loadConfig({ GRAPH_TENANT_ID: GUID, GRAPH_CLIENT_ID: GUID, GRAPH_CLIENT_SECRET: 's' });
    expect(config.demoTenant).toBeUndefined();
    expect(config.graph.baseUrl).toBe('https://graph.microsoft.com/v1.0');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ BOT_ID: 'not-a-guid' }, 'BOT_ID'],
    [{ BOT_ID: GUID }, 'BOT_PASSWORD'],
    [{ BOT_ID: GUID, BOT_PASSWORD: 'x' }, 'BOT_TENANT_ID'],
    [{ BOT_PASSWORD: 'x' }, 'BOT_ID'],
    [{ GRAPH_BASE_URL: 'graph.microsoft.com' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_BASE_URL: 'http://graph.example.com/v1.0' }, 'GRAPH_BASE_URL'],
    [{ GRAPH_TENANT_ID: GUID, GRAPH_BASE_URL: 'https://graph.microsoft.us/v1.0' }, 'GRAPH_CLIENT_ID'],
    [{ SSAR_MODE: 'prod' }, 'SSAR_MODE'],
    [{ SSAR_GROUP_IDS: `${GUID},acl_ssar_enabled` }, 'SSAR_GROUP_IDS'],
    [{ REQUEST_TTL_MINUTES: '0' }, 'REQUEST_TTL_MINUTES'],
    [{ ALLOW_PRIVILEGED_WITH_TWO_APPROVERS: 'yes' }, 'ALLOW_PRIVILEGED_WITH_TWO_APPROVERS'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ TEAMS_APP_CATALOG_ID: 'com.contoso.ssar-helpdesk' }, 'TEAMS_APP_CATALOG_ID'],
  ])('stops start-up with one line naming the variable: %o', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(variable);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('installs the app for people who never opened it only when TEAMS_APP_CATALOG_ID names the catalog app', () => {
    expect(loadConfig({}).teamsAppCatalogId).toBeUndefined();
    expect(loadConfig({ TEAMS_APP_CATALOG_ID: GUID }).teamsAppCatalogId).toBe(GUID);
  });

  it('never echoes a secret in its error', () => {
    expect(() => loadConfig({ BOT_ID: 'oops', BOT_PASSWORD: 'hunter2-very-secret' })).toThrow(/BOT_ID/);
    try {
      loadConfig({ BOT_ID: 'oops', BOT_PASSWORD: 'hunter2-very-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('a single-tenant bot serves only its own tenant', () => {
    const config = loadConfig({ BOT_ID: GUID, BOT_PASSWORD: 'x', BOT_TENANT_ID: GUID });
    expect(config.allowedTenantIds).toEqual([GUID]);
    expect(config.host).toBe('0.0.0.0');
  });
});
