import { Client, PageIterator } from '@microsoft/microsoft-graph-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { loadTenant } from '../../src/emulator/tenant.js';

const NOW = new Date('2031-05-04T10:00:00.000Z');
const ADELE = '11111111-0000-4000-8000-000000000001';
const LIDIA = '11111111-0000-4000-8000-000000000002';
const JON_WITH_ACCENT = '11111111-0000-4000-8000-000000000005';
const ISAIAH = '11111111-0000-4000-8000-000000000007';
const PRADEEP = '11111111-0000-4000-8000-000000000013';
const SSAR_GROUP = '22222222-0000-4000-8000-000000000001';
const WAVE2_GROUP = '22222222-0000-4000-8000-000000000002';
const HELPDESK_GROUP = '22222222-0000-4000-8000-000000000003';

let emulator: GraphEmulator;

async function graph(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${emulator.baseUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  graph(path, { method: 'POST', body: JSON.stringify(body), headers });

beforeAll(async () => {
  emulator = await startGraphEmulator({ tenant: await loadTenant(undefined, NOW), now: () => NOW });
});

afterAll(async () => {
  await emulator.close();
});

afterEach(() => {
  emulator.grantAllPermissions();
  emulator.resetRequests();
});

describe('query options, as strict as Graph', () => {
  it('returns only the selected properties, on every endpoint: an unselected property is absent', async () => {
    const { status, body } = await graph('/subscribedSkus?$select=skuPartNumber');
    expect(status).toBe(200);
    expect(body.value.length).toBeGreaterThan(0);
    for (const sku of body.value) {
      expect(Object.keys(sku)).toEqual(['skuPartNumber']);
      expect(sku).not.toHaveProperty('skuId');
    }
    const group = await graph(`/groups/${SSAR_GROUP}?$select=displayName`);
    expect(group.body).not.toHaveProperty('id');
    expect(group.body.displayName).toBe('acl_ssar_enabled');
  });

  it("answers a query option it does not implement with Graph's 400 error shape", async () => {
    const { status, body } = await graph('/users?$expand=manager');
    expect(status).toBe(400);
    expect(body.error.code).toBe('Request_UnsupportedQuery');
    expect(body.error.innerError['request-id']).toBeTruthy();
  });

  it('refuses a $filter on an endpoint that does not filter, instead of returning everything', async () => {
    const { status, body } = await graph(`/subscribedSkus?$filter=${encodeURIComponent("skuPartNumber eq 'X'")}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('leaves @odata.count out of a directory query without ConsistencyLevel: eventual, and counts with it', async () => {
    const silent = await graph('/users?$count=true&$select=id');
    expect(silent.status).toBe(200);
    expect(silent.body).not.toHaveProperty('@odata.count');
    const counted = await graph('/users?$count=true&$select=id', { headers: { ConsistencyLevel: 'eventual' } });
    expect(counted.body['@odata.count']).toBeGreaterThan(0);
  });
});

describe('users', () => {
  it('finds a user by UPN in any letter case and returns only the selected properties, not even id', async () => {
    const { status, body } = await graph(
      '/users/ADELE.Vance@contoso.com?$select=accountEnabled,userType,givenName,surname',
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      '@odata.context': `${emulator.baseUrl}/$metadata#users(accountEnabled,userType,givenName,surname)/$entity`,
      accountEnabled: true,
      userType: 'Member',
      givenName: 'Adele',
      surname: 'Vance',
    });
  });

  it('finds a user by object id and hides signInActivity unless it is selected', async () => {
    const plain = await graph(`/users/${ADELE}`);
    expect(plain.body.userPrincipalName).toBe('adele.vance@contoso.com');
    expect(plain.body).not.toHaveProperty('signInActivity');
    expect(plain.body).not.toHaveProperty('accountEnabled');
    const withSignIn = await graph(`/users/${ADELE}?$select=id,signInActivity`);
    expect(withSignIn.body.signInActivity.lastSuccessfulSignInDateTime).toBe('2031-05-01T10:00:00.000Z');
  });

  it('shows a user who never signed in with no recorded sign-in activity', async () => {
    const { body } = await graph('/users/11111111-0000-4000-8000-000000000003?$select=signInActivity');
    expect(body.signInActivity).toBeNull();
  });

  it('refuses signInActivity on a user addressed by UPN, as Graph does, but serves it by id or through a filter', async () => {
    const byUpn = await graph('/users/miriam.graham@contoso.com?$select=signInActivity');
    expect(byUpn.status).toBe(400);
    const filter = encodeURIComponent("userPrincipalName eq 'miriam.graham@contoso.com'");
    const filtered = await graph(`/users?$filter=${filter}&$select=id,signInActivity`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.value).toEqual([{ id: '11111111-0000-4000-8000-000000000003', signInActivity: null }]);
  });

  it('pages users with signInActivity at most 500 at a time', async () => {
    expect((await graph('/users?$select=id,signInActivity&$top=500')).status).toBe(200);
    const tooMany = await graph('/users?$select=id,signInActivity&$top=999');
    expect(tooMany.status).toBe(400);
    expect((await graph('/users?$select=id&$top=999')).status).toBe(200);
  });

  it("needs the /users('$...') form for a UPN that starts with $", async () => {
    emulator.tenant.users.push({
      ...emulator.tenant.users[0]!,
      id: '11111111-0000-4000-8000-0000000000d1',
      userPrincipalName: '$dollar@contoso.com',
      mail: null,
    });
    try {
      expect((await graph('/users/$dollar@contoso.com')).status).toBe(400);
      const keyed = await graph("/users('$dollar@contoso.com')?$select=id");
      expect(keyed.status).toBe(200);
      expect(keyed.body.id).toBe('11111111-0000-4000-8000-0000000000d1');
    } finally {
      emulator.tenant.users.pop();
    }
  });

  it('answers an unknown user with Graph’s 404 error body and request ids', async () => {
    const { status, headers, body } = await graph('/users/nobody@contoso.com', {
      headers: { 'client-request-id': 'trace-me' },
    });
    expect(status).toBe(404);
    expect(headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('client-request-id')).toBe('trace-me');
    expect(body).toEqual({
      error: {
        code: 'Request_ResourceNotFound',
        message:
          "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.",
        innerError: { date: '2031-05-04T10:00:00', 'request-id': expect.any(String), 'client-request-id': 'trace-me' },
      },
    });
  });

  it('finds Siobhán with a filter whose quote is escaped by doubling it', async () => {
    const { body } = await graph(`/users?$filter=${encodeURIComponent("surname eq 'O''Brien'")}&$select=displayName`);
    expect(body.value).toEqual([{ displayName: "Siobhán O'Brien" }]);
  });

  it('finds both Jon Does by first and last name, accent or not', async () => {
    const { body } = await graph(
      `/users?$filter=${encodeURIComponent("surname eq 'Doe' and startswith(givenName,'J')")}&$select=givenName`,
    );
    expect(body.value.map((user: { givenName: string }) => user.givenName).sort()).toEqual(['Jon', 'Jón']);
  });

  it('requires ConsistencyLevel: eventual for $count and $search, as Graph does', async () => {
    const withoutHeader = await graph('/users?$count=true&$search="displayName:adele"');
    expect(withoutHeader.status).toBe(400);
    expect(withoutHeader.body.error.code).toBe('Request_UnsupportedQuery');
    const withHeader = await graph('/users?$count=true&$search="displayName:adele"&$select=displayName', {
      headers: { ConsistencyLevel: 'eventual' },
    });
    expect(withHeader.body['@odata.count']).toBe(1);
    expect(withHeader.body.value[0].displayName).toBe('Adele Vance');
  });

  it('answers 404 for the manager of someone who has none', async () => {
    expect((await graph('/users/lidia.holloway@contoso.com/manager')).body.displayName).toBe('Megan Bowen');
    const none = await graph('/users/patti.fernandez@contoso.com/manager');
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe(
      "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
    );
  });

  it('lists registered methods with their derived types', async () => {
    const { body } = await graph('/users/lynne.robbins@contoso.com/authentication/methods');
    expect(body.value.map((method: { '@odata.type': string }) => method['@odata.type'])).toEqual([
      '#microsoft.graph.passwordAuthenticationMethod',
      '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod',
    ]);
  });
});

describe('groups and membership', () => {
  it('pages through transitive members two at a time by following nextLink', async () => {
    const seen: string[] = [];
    let next: string | undefined =
      `${emulator.baseUrl}/groups/${SSAR_GROUP}/transitiveMembers/microsoft.graph.user?$select=id,displayName&$top=2`;
    while (next) {
      const response: { value: { id: string }[]; '@odata.nextLink'?: string } = await (await fetch(next)).json();
      expect(response.value.length).toBeLessThanOrEqual(2);
      seen.push(...response.value.map((user) => user.id));
      next = response['@odata.nextLink'];
    }
    expect(seen).toHaveLength(24);
    expect(new Set(seen).size).toBe(24);
  });

  it('accepts a nextLink appended to the base URL, as the Graph JS client does with http links', async () => {
    const first = await graph(`/groups/${SSAR_GROUP}/transitiveMembers/microsoft.graph.user?$select=id&$top=2`);
    const mangled = await graph(`/${first.body['@odata.nextLink']}`);
    expect(mangled.status).toBe(200);
    expect(mangled.body.value).toHaveLength(2);
    expect(mangled.body.value[0].id).not.toBe(first.body.value[0].id);
  });

  it('resolves nested groups: Jón is a transitive but not a direct member of the SSAR group', async () => {
    const direct = await graph(`/groups/${SSAR_GROUP}/members?$select=id`);
    const transitive = await graph(`/groups/${SSAR_GROUP}/transitiveMembers/microsoft.graph.user?$select=id`);
    expect(direct.body.value.map((member: { id: string }) => member.id)).not.toContain(JON_WITH_ACCENT);
    expect(direct.body.value.map((member: { id: string }) => member.id)).toContain(WAVE2_GROUP);
    expect(transitive.body.value.map((member: { id: string }) => member.id)).toContain(JON_WITH_ACCENT);

    const memberOf = await graph(`/users/${JON_WITH_ACCENT}/memberOf/microsoft.graph.group?$select=id,displayName`);
    const transitiveMemberOf = await graph(
      `/users/${JON_WITH_ACCENT}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName`,
    );
    expect(memberOf.body.value.map((group: { displayName: string }) => group.displayName)).toEqual([
      'acl_ssar_pilot_wave2',
    ]);
    expect(transitiveMemberOf.body.value.map((group: { displayName: string }) => group.displayName).sort()).toEqual([
      'acl_ssar_enabled',
      'acl_ssar_pilot_wave2',
    ]);
  });

  it('checks group membership transitively and refuses more than 20 group ids', async () => {
    const jon = await post(`/users/${JON_WITH_ACCENT}/checkMemberGroups`, { groupIds: [SSAR_GROUP, HELPDESK_GROUP] });
    expect(jon.body.value).toEqual([SSAR_GROUP]);
    const lidia = await post(`/users/${LIDIA}/checkMemberGroups`, { groupIds: [SSAR_GROUP] });
    expect(lidia.body.value).toEqual([]);
    const tooMany = await post(`/users/${LIDIA}/checkMemberGroups`, {
      groupIds: Array.from({ length: 21 }, () => SSAR_GROUP),
    });
    expect(tooMany.status).toBe(400);
  });

  it('records an audit event when a test adds a member, as Entra does', async () => {
    emulator.addGroupMember(HELPDESK_GROUP, LIDIA);
    const { body } = await graph(
      `/auditLogs/directoryAudits?$filter=${encodeURIComponent(`activityDisplayName eq 'Add member to group' and targetResources/any(t:t/id eq '${LIDIA}')`)}`,
    );
    expect(body.value).toHaveLength(1);
    expect(body.value[0].activityDateTime).toBe(NOW.toISOString());
  });
});

describe('audit log', () => {
  it('shows Pradeep’s recovery attempt newest first, stopping at the face check', async () => {
    const since = new Date(NOW.getTime() - 10 * 60_000).toISOString();
    const filter = `activityDateTime ge ${since} and targetResources/any(t:t/id eq '${PRADEEP}')`;
    const { body } = await graph(`/auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}&$top=10`);
    expect(body.value.map((audit: { activityDisplayName: string }) => audit.activityDisplayName)).toEqual([
      'User failed face check comparison',
      'User completed identity issuance with certified partner',
      'User started identity issuance with certified partner',
      'User started account recovery',
      'Add member to group',
    ]);
    expect(body.value[4].activityDateTime).toBe('2031-05-04T09:56:00.000Z');
  });
});

describe('batching, throttling and faults', () => {
  it('answers a batch with 200 even when an inner request is throttled, with Retry-After inside', async () => {
    emulator.failNext({ path: /^\/users\/adele/ }, { status: 429, retryAfterSeconds: 7 });
    const { status, body } = await post('/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/users/adele.vance@contoso.com?$select=id' },
        { id: '2', method: 'GET', url: 'users/lidia.holloway@contoso.com?$select=id' },
      ],
    });
    expect(status).toBe(200);
    const throttled = body.responses.find((response: { id: string }) => response.id === '1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['Retry-After']).toBe('7');
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect(body.responses.find((response: { id: string }) => response.id === '2').status).toBe(200);
    expect(emulator.requests.map(({ path, inBatch }) => ({ path, inBatch }))).toEqual([
      { path: '/$batch', inBatch: false },
      { path: '/users/adele.vance@contoso.com?$select=id', inBatch: true },
      { path: '/users/lidia.holloway@contoso.com?$select=id', inBatch: true },
    ]);
  });

  it('refuses a batch of more than 20 requests', async () => {
    const requests = Array.from({ length: 21 }, (_, index) => ({
      id: String(index),
      method: 'GET',
      url: `/users/${ADELE}`,
    }));
    const { status, body } = await post('/$batch', { requests });
    expect(status).toBe(400);
    expect(body.error.code).toBe('BadRequest');
  });

  it('fails a dependent batch request with 424 when the one it depends on failed', async () => {
    const { body } = await post('/$batch', {
      requests: [
        { id: 'a', method: 'GET', url: '/users/nobody@contoso.com' },
        { id: 'b', method: 'GET', url: `/users/${ADELE}`, dependsOn: ['a'] },
      ],
    });
    expect(body.responses.map((response: { status: number }) => response.status)).toEqual([404, 424]);
  });

  it('injects a 503 once, then answers normally', async () => {
    emulator.failNext({ method: 'GET', path: /^\/subscribedSkus/ }, { status: 503 });
    expect((await graph('/subscribedSkus')).status).toBe(503);
    const { status, body } = await graph('/subscribedSkus');
    expect(status).toBe(200);
    expect(body.value.map((sku: { skuPartNumber: string }) => sku.skuPartNumber)).toContain('AAD_PREMIUM');
  });

  it('sends Retry-After on a top-level 429', async () => {
    emulator.failNext({ path: /^\/organization/ }, { status: 429, retryAfterSeconds: 3 });
    const { status, headers } = await graph('/organization');
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('3');
  });

  it('delays every round trip by the configured latency and records its timing', async () => {
    emulator.setLatency(60);
    await graph(`/users/${ADELE}`);
    emulator.setLatency(0);
    const durations = emulator.requests.map(({ startedAt, endedAt }) => endedAt - startedAt);
    expect(durations).toEqual([expect.any(Number)]);
    expect(durations[0]).toBeGreaterThanOrEqual(55);
  });

  it('names the unknown segment like Graph does', async () => {
    const { status, body } = await graph('/users/adele.vance@contoso.com/photos');
    expect(status).toBe(400);
    expect(body.error.message).toBe("Resource not found for the segment 'photos'.");
  });
});

describe('permissions', () => {
  it('without AuditLog.Read.All, selecting signInActivity fails but plain user reads work', async () => {
    emulator.denyPermission('AuditLog.Read.All');
    const denied = await graph(`/users/${ADELE}?$select=id,signInActivity`);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      code: 'Authentication_MSGraphPermissionMissing',
      message: 'Calling principal does not have required MSGraph permissions AuditLog.Read.All',
    });
    expect((await graph(`/users/${ADELE}?$select=id,accountEnabled`)).status).toBe(200);
    emulator.grantAllPermissions();
    expect((await graph(`/users/${ADELE}?$select=id,signInActivity`)).status).toBe(200);
  });

  it('answers 403 Authorization_RequestDenied when a policy permission is missing', async () => {
    emulator.denyPermission('Policy.Read.All');
    const { status, body } = await graph('/identity/conditionalAccess/policies');
    expect(status).toBe(403);
    expect(body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
  });
});

describe('Temporary Access Pass', () => {
  it('creates a pass once, replaces it on a second create, and never shows the code again', async () => {
    const path = `/users/${ADELE}/authentication/temporaryAccessPassMethods`;
    const first = await post(path, { lifetimeInMinutes: 60, isUsableOnce: true });
    expect(first.status).toBe(201);
    expect(first.body.temporaryAccessPass).toMatch(/^\S{8,}$/);
    expect(first.body).toMatchObject({
      isUsable: true,
      methodUsabilityReason: 'EnabledByPolicy',
      lifetimeInMinutes: 60,
      isUsableOnce: true,
      createdDateTime: NOW.toISOString(),
    });

    const second = await post(path, {});
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);

    const listed = await graph(path);
    expect(listed.body.value).toHaveLength(1);
    expect(listed.body.value[0].id).toBe(second.body.id);
    expect(listed.body.value[0].temporaryAccessPass).toBeNull();
    const methods = await graph(`/users/${ADELE}/authentication/methods`);
    expect(JSON.stringify(methods.body)).not.toContain(second.body.temporaryAccessPass);

    const issued = emulator.issuedTaps().filter((tap) => tap.userId === ADELE);
    expect(issued).toHaveLength(2);
    expect(JSON.stringify(emulator.issuedTaps())).not.toContain(first.body.temporaryAccessPass);

    expect((await graph(`${path}/${second.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await graph(path)).body.value).toEqual([]);
  });

  it('refuses a lifetime outside the tenant policy', async () => {
    const { status, body } = await post(`/users/${ADELE}/authentication/temporaryAccessPassMethods`, {
      lifetimeInMinutes: 600,
    });
    expect(status).toBe(400);
    expect(body.error.message).toBe('Invalid LifetimeInMinutes specified. The valid range between 60 and 480.');
  });

  it('issues an unusable pass to a user outside the TAP policy', async () => {
    const { status, body } = await post(`/users/${ISAIAH}/authentication/temporaryAccessPassMethods`, {});
    expect(status).toBe(201);
    expect(body).toMatchObject({ isUsable: false, methodUsabilityReason: 'DisabledByPolicy' });
  });
});

describe('tenant configuration', () => {
  it('serves the recovery profile, the method policies and the CA policies in Graph’s shapes', async () => {
    const profiles = await graph('/identity/verifiedId/profiles');
    expect(profiles.body.value[0].verifiedIdUsageConfigurations).toEqual([
      { purpose: 'recovery', isEnabledForTestOnly: false },
    ]);
    const vc = await graph(
      '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/VerifiableCredentials',
    );
    expect(vc.body.includeTargets[0]).toMatchObject({ targetType: 'group', id: SSAR_GROUP });
    const tap = await graph(
      '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass',
    );
    expect(tap.body).toMatchObject({
      '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration',
      minimumLifetimeInMinutes: 60,
      maximumLifetimeInMinutes: 480,
    });
    const ca = await graph('/identity/conditionalAccess/policies');
    const strength = ca.body.value.find(
      (policy: { grantControls: { authenticationStrength: unknown } }) => policy.grantControls.authenticationStrength,
    );
    expect(strength.grantControls.authenticationStrength.allowedCombinations).not.toContain(
      'temporaryAccessPassOneTime',
    );
  });

  it('lists Nestor’s direct Global Administrator assignment', async () => {
    const filter = encodeURIComponent("principalId eq '11111111-0000-4000-8000-000000000011'");
    const { body } = await graph(`/roleManagement/directory/roleAssignments?$filter=${filter}`);
    expect(body.value).toEqual([
      expect.objectContaining({ roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10', directoryScopeId: '/' }),
    ]);
  });
});

describe('with the Graph JS client', () => {
  it('pages through a group with PageIterator and reads an inner batch response', async () => {
    const client = Client.init({
      baseUrl: emulator.baseUrl.replace(/\/v1\.0$/, ''),
      defaultVersion: 'v1.0',
      authProvider: (done) => done(null, 'emulator-token'),
    });
    const firstPage = await client
      .api(`/groups/${SSAR_GROUP}/transitiveMembers/microsoft.graph.user`)
      .select('id,displayName')
      .top(4)
      .get();
    const names: string[] = [];
    await new PageIterator(client, firstPage, (user: { displayName: string }) => {
      names.push(user.displayName);
      return true;
    }).iterate();
    expect(names).toContain('田中 さくら');
    expect(names).toHaveLength(24);

    const batch = await client
      .api('/$batch')
      .post({ requests: [{ id: '1', method: 'GET', url: `/users/${ADELE}?$select=id` }] });
    expect(batch.responses[0]).toMatchObject({ id: '1', status: 200, body: { id: ADELE } });
  });
});

describe('POST /users/{id}/sendMail (https://learn.microsoft.com/graph/api/user-sendmail)', () => {
  const message = {
    subject: 'Hello',
    body: { contentType: 'Text', content: 'Hi' },
    toRecipients: [{ emailAddress: { address: 'lidia.holloway@contoso.com' } }],
  };
  afterEach(() => emulator.assignMailSendRole(undefined));

  it('accepts a message with 202 and no body, and keeps it', async () => {
    const before = emulator.sentMail().length;
    const sent = await post(`/users/adele.vance@contoso.com/sendMail`, { message, saveToSentItems: false });
    expect(sent).toMatchObject({ status: 202, body: undefined });
    expect(emulator.sentMail().slice(before)).toEqual([{ senderId: ADELE, message }]);
  });

  it('without Entra Mail.Send, sends only as a mailbox the "Application Mail.Send" role assignment scopes (application-rbac)', async () => {
    emulator.denyPermission('Mail.Send');
    emulator.assignMailSendRole([LIDIA]);
    const refused = await post(`/users/${ADELE}/sendMail`, { message });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access to OData is disabled.' });
    expect((await post(`/users/${LIDIA}/sendMail`, { message })).status).toBe(202);
  });

  it("the Exchange role assignment is independent of Entra's Mail.Send: with both, the scope limits nothing", async () => {
    emulator.assignMailSendRole([LIDIA]);
    expect((await post(`/users/${ADELE}/sendMail`, { message })).status).toBe(202);
  });

  it('with neither Entra Mail.Send nor an Exchange role assignment, answers 403 ErrorAccessDenied', async () => {
    emulator.denyPermission('Mail.Send');
    const refused = await post(`/users/${ADELE}/sendMail`, { message });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ErrorAccessDenied');
  });
});
