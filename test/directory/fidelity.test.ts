import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenExchangeAudience } from '../../src/directory/cloud.js';
import { readEligibilityFacts } from '../../src/directory/facts.js';
import { Graph } from '../../src/directory/graph.js';
import { TenantFacts } from '../../src/directory/tenant.js';
import { findUsers } from '../../src/directory/users.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { loadTenant } from '../../src/emulator/tenant.js';
import { createLogger } from '../../src/log.js';

describe('the federated credential audience follows the cloud', () => {
  it.each([
    [undefined, 'api://AzureADTokenExchange'],
    ['https://login.microsoftonline.com', 'api://AzureADTokenExchange'],
    ['https://login.microsoftonline.us', 'api://AzureADTokenExchangeUSGov'],
    ['https://login.chinacloudapi.cn', 'api://AzureADTokenExchangeChina'],
    ['https://login.partner.microsoftonline.cn/', 'api://AzureADTokenExchangeChina'],
  ])('%s -> %s', (host, audience) => {
    expect(tokenExchangeAudience(host)).toBe(audience);
  });
});

describe('a tenant without a premium licence', () => {
  let emulator: GraphEmulator;
  let graph: Graph;
  const now = new Date('2031-05-04T10:00:00.000Z');

  beforeAll(async () => {
    const tenant = await loadTenant(undefined, now);
    tenant.subscribedSkus = tenant.subscribedSkus.map((sku) => ({
      ...sku,
      servicePlans: (sku.servicePlans ?? []).filter((plan) => !/^AAD_PREMIUM/.test(plan.servicePlanName ?? '')),
    }));
    emulator = await startGraphEmulator({ tenant, now: () => now });
    graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
  });
  afterAll(() => emulator.close());

  it('says sign-in activity needs a licence, not a permission', async () => {
    const [adele] = await findUsers(graph, { kind: 'upn', upn: 'adele.vance@contoso.com' });
    const facts = await readEligibilityFacts(
      graph,
      new TenantFacts(graph, { groupIds: [], mode: 'production' }),
      adele!,
      now,
    );
    expect(facts.lastSuccessfulSignIn.known).toBe(false);
    const reason = (facts.lastSuccessfulSignIn as { reason: string }).reason;
    expect(reason).toMatch(/P1 or P2 licence/);
    expect(reason).not.toMatch(/AuditLog\.Read\.All/);
  });
});
