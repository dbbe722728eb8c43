import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { GRAPH_PERMISSIONS, type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { loadTenant } from '../../src/emulator/tenant.js';

const LEE = '11111111-0000-4000-8000-000000000020';
const PATTI = '11111111-0000-4000-8000-000000000016';
const APP = CONTOSO.teamsAppCatalogId;

let emulator: GraphEmulator;

async function graph(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.baseUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const install = (userId: string, appId: string = APP) =>
  graph(`/users/${userId}/teamwork/installedApps`, {
    method: 'POST',
    body: JSON.stringify({ 'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${appId}` }),
  });
const installed = (userId: string, query = `?$expand=teamsApp&$filter=teamsApp/id eq '${APP}'`) =>
  graph(`/users/${userId}/teamwork/installedApps${query}`);

beforeAll(async () => {
  emulator = await startGraphEmulator({ tenant: await loadTenant() });
});
afterAll(() => emulator.close());

describe("a user's Teams apps, as Graph answers them", () => {
  it('lists nothing before the app is installed, then one installation with the expanded teamsApp', async () => {
    expect((await installed(LEE)).body.value).toEqual([]);
    const created = await install(LEE);
    expect(created).toEqual({ status: 201, body: undefined });
    const [installation, ...others] = (await installed(LEE)).body.value;
    expect(others).toEqual([]);
    expect(installation.teamsApp).toMatchObject({ id: APP, displayName: 'SSAR Helpdesk' });
    expect(installation.teamsApp.azureADAppId).toBeUndefined();
    // Without $expand an installation is its id only.
    expect(Object.keys((await installed(LEE, '')).body.value[0])).toEqual(['id']);
  });

  it('answers 409 Conflict to a second installation of the same app', async () => {
    expect((await install(LEE)).status).toBe(409);
  });

  it('names the 1:1 chat, with only what was selected', async () => {
    const [installation] = (await installed(LEE)).body.value;
    const chat = await graph(`/users/${LEE}/teamwork/installedApps/${installation.id}/chat?$select=id`);
    expect(chat.status).toBe(200);
    expect(chat.body.id).toMatch(new RegExp(`^19:[0-9a-f-]{36}_${LEE}@unq\\.gbl\\.spaces$`));
    expect(chat.body.chatType).toBeUndefined();
    expect((await graph(`/users/${LEE}/teamwork/installedApps/${installation.id}/chat?$top=1`)).status).toBe(400);
  });

  it('refuses $expand where it is not supported, and an app not in the catalog', async () => {
    expect((await graph(`/users/${LEE}?$expand=manager`)).status).toBe(400);
    expect((await installed(LEE, '?$expand=teamsAppDefinition')).status).toBe(400);
    expect((await install(PATTI, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('answers 403 naming the permissions when the tenant granted none of them', async () => {
    for (const permission of GRAPH_PERMISSIONS.teamsAppInstall.anyOf) emulator.denyPermission(permission);
    const refused = await install(PATTI);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('Forbidden');
    expect(refused.body.error.message).toContain('TeamsAppInstallation.ReadWriteSelfForUser.All');
    emulator.grantAllPermissions();
  });
});
