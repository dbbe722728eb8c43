import type { Config } from './config.js';
import { type GraphEmulator, type GraphEmulatorOptions, startGraphEmulator } from './emulator/graph-emulator.js';
import { DEMO_TENANT_PATH, loadTenant } from './emulator/tenant.js';

/**
 * The built-in demo tenant: the Graph emulator on loopback with the Contoso fixture, and the bot's
 * group settings pointed at its helpdesk and approver groups. Used by `npm start` with no tenant
 * configured; never in a deployment (a real GRAPH_TENANT_ID turns it off).
 */
export const CONTOSO = {
  helpdeskGroupId: '22222222-0000-4000-8000-000000000003',
  approverGroupId: '22222222-0000-4000-8000-000000000004',
  /** The SSAR Helpdesk app in the demo tenant's app catalog (`teamsApps` in the fixture), for proactive installation. */
  teamsAppCatalogId: '33333333-0000-4000-8000-000000000001',
  /** Who to be in the local chat, one per role. */
  people: {
    agent: { aadObjectId: '11111111-0000-4000-8000-000000000017', name: 'Helen Desk', role: 'helpdesk agent' },
    colleague: { aadObjectId: '11111111-0000-4000-8000-000000000019', name: 'Alex Wilber', role: 'colleague' },
    manager: {
      aadObjectId: '11111111-0000-4000-8000-000000000015',
      name: 'Megan Bowen',
      role: 'manager of most of the cast',
    },
    approver: { aadObjectId: '11111111-0000-4000-8000-000000000020', name: 'Lee Gu', role: 'TAP approver' },
  },
} as const;

export interface DemoTenant {
  emulator: GraphEmulator;
  tenantId: string;
  config: Config;
}

export async function startDemoTenant(
  config: Config,
  fixture = config.demoTenant ?? 'contoso',
  emulatorOptions: Omit<GraphEmulatorOptions, 'tenant'> = {},
): Promise<DemoTenant> {
  const path = fixture === 'contoso' ? DEMO_TENANT_PATH : fixture;
  const tenant = await loadTenant(path);
  const emulator = await startGraphEmulator({ ...emulatorOptions, tenant });
  return {
    emulator,
    tenantId: tenant.tenantId,
    config: {
      ...config,
      graph: { baseUrl: emulator.baseUrl },
      helpdeskGroupId: config.helpdeskGroupId ?? (fixture === 'contoso' ? CONTOSO.helpdeskGroupId : undefined),
      approverGroupId: config.approverGroupId ?? (fixture === 'contoso' ? CONTOSO.approverGroupId : undefined),
      allowedTenantIds: config.allowedTenantIds.length > 0 ? config.allowedTenantIds : [tenant.tenantId],
    },
  };
}
