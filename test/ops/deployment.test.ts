import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnvironmentFile } from '../../scripts/package.js';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { PERMISSIONS } from '../../src/directory/permissions.js';

/**
 * There is no Bicep compiler on npm, so these checks read the deployment files as text; the full
 * compile is `az bicep build --file infra/azure.bicep` (docs/deploy.md).
 */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const bicep = read('infra/azure.bicep');
const parameters = JSON.parse(read('infra/azure.parameters.json')).parameters as Record<string, { value: unknown }>;
const deployGuide = read('docs/deploy.md');
const permissionsGuide = read('docs/permissions.md');
const agentsYaml = read('m365agents.yml');

/** `param name type` with or without `= default`. */
const declaredParams = [...bicep.matchAll(/^param\s+(\w+)\s+\w+(\s*=.*)?$/gm)].map(([, name, byDefault]) => ({
  name: name!,
  hasDefault: byDefault !== undefined,
}));
const appSettings = [...bicep.matchAll(/^\s*name:\s*'([A-Z][A-Z0-9_]*)'\s*$/gm)].map(([, name]) => name!);
const outputs = [...bicep.matchAll(/^output\s+(\w+)\s/gm)].map(([, name]) => name!);
/** App Service's own settings: not read by the bot. */
const PLATFORM_SETTINGS = ['SCM_DO_BUILD_DURING_DEPLOYMENT', 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'];

describe('the Bicep template and its parameters', () => {
  it('declares parameters, app settings and outputs (the text checks below have something to check)', () => {
    expect(declaredParams.length).toBeGreaterThan(5);
    expect(appSettings).toContain('BOT_ID');
    expect(outputs).toContain('BOT_ID');
  });

  it('every parameter has a value in azure.parameters.json or a default', () => {
    const missing = declaredParams.filter((p) => !p.hasDefault && parameters[p.name] === undefined).map((p) => p.name);
    expect(missing).toEqual([]);
  });

  it('the parameters file sets only parameters the template declares', () => {
    const declared = new Set(declaredParams.map((p) => p.name));
    expect(Object.keys(parameters).filter((name) => !declared.has(name))).toEqual([]);
  });

  it('every ${{VARIABLE}} the parameters file uses is defined in env/.env.dev', () => {
    const dev = parseEnvironmentFile(read('env/.env.dev'));
    const used = [...JSON.stringify(parameters).matchAll(/\$\{\{(\w+)\}\}/g)].map(([, name]) => name!);
    expect(used.filter((name) => !(name in dev))).toEqual([]);
  });

  it("every app setting is a variable the bot reads or one of App Service's own", () => {
    const known = new Set<string>([...CONFIG_VARIABLES, ...PLATFORM_SETTINGS]);
    expect(appSettings.filter((name) => !known.has(name))).toEqual([]);
  });

  it('every variable the bot reads is set by the template or documented as optional in docs/deploy.md', () => {
    const set = new Set(appSettings);
    const optionalRows = new Set(
      [...deployGuide.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map(([, name]) => name!),
    );
    expect(CONFIG_VARIABLES.filter((name) => !set.has(name) && !optionalRows.has(name))).toEqual([]);
  });

  it('runs the bot as its managed identity, with its data under /home, over HTTPS only', () => {
    expect(bicep).toMatch(/name: 'BOT_TYPE'\s*\n\s*value: 'UserAssignedMSI'/);
    expect(bicep).toMatch(/name: 'DATA_DIR'\s*\n\s*value: '\/home\/data'/);
    expect(bicep).toMatch(/httpsOnly: true/);
    expect(bicep).toMatch(/minTlsVersion: '1.2'/);
    expect(bicep).toMatch(/ftpsState: 'Disabled'/);
    expect(bicep).toMatch(/alwaysOn: true/);
    expect(bicep).toMatch(/msaAppType: 'UserAssignedMSI'/);
    expect(bicep).toMatch(/allowBlobPublicAccess: false/);
  });

  it('outputs what m365agents.yml deploys to', () => {
    const resourceId = /resourceId:\s*\$\{\{(\w+)\}\}/.exec(agentsYaml)?.[1];
    expect(resourceId).toBeDefined();
    expect(outputs).toContain(resourceId);
  });
});

describe('the Graph permissions the app registration requests', () => {
  const manifest = JSON.parse(read('aad.manifest.json'));
  const graph = manifest.requiredResourceAccess.find(
    (r: { resourceAppId: string }) => r.resourceAppId === '00000003-0000-0000-c000-000000000000',
  );
  /** `| `Name` | `id` |` rows of the table in docs/permissions.md. */
  const documented = new Map(
    [...permissionsGuide.matchAll(/^\|\s*`([\w.-]+)`\s*\|\s*`([0-9a-f-]{36})`\s*\|/gm)].map(([, name, id]) => [
      name!,
      id!,
    ]),
  );

  it('is a single-tenant registration asking Microsoft Graph for application permissions only', () => {
    expect(manifest.signInAudience).toBe('AzureADMyOrg');
    expect(manifest.requiredResourceAccess).toHaveLength(1);
    expect(graph.resourceAccess.every((access: { type: string }) => access.type === 'Role')).toBe(true);
  });

  it('asks for exactly the permissions the features use, each documented with its id', () => {
    const used = new Set<string>(Object.values(PERMISSIONS));
    expect([...documented.keys()].sort()).toEqual([...used].sort());
    const requested = graph.resourceAccess.map((access: { id: string }) => access.id).sort();
    expect(requested).toEqual([...documented.values()].sort());
  });
});

describe('the deploy guide', () => {
  it('uses only npm scripts the repository has', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
    const mentioned = [...deployGuide.matchAll(/npm run ([\w:-]+)/g)].map(([, name]) => name!);
    expect(mentioned.length).toBeGreaterThan(0);
    expect(mentioned.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('names the endpoints the bot serves', () => {
    for (const path of ['/healthz', '/readyz', '/api/messages']) expect(deployGuide).toContain(path);
  });
});

describe('the runtime Azure deploys', () => {
  it('App Service runs Node 24 LTS, the line the README, the deploy guide and engines promise', () => {
    expect([...bicep.matchAll(/linuxFxVersion:\s*'([^']+)'/g)].map(([, value]) => value)).toEqual(['NODE|24-lts']);
    expect(deployGuide).toContain('NODE|24-lts');
    expect(deployGuide).toMatch(/## Lifecycle/);
    expect(read('README.md')).toContain('Node.js 22, 24 or 26');
  });
});
