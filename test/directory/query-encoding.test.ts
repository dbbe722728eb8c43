import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph } from '../../src/directory/graph.js';
import { findUsers } from '../../src/directory/users.js';
import { parseUserQuery, type UserQuery } from '../../src/eligibility/user-query.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { loadTenant, type TenantUser } from '../../src/emulator/tenant.js';
import { createLogger } from '../../src/log.js';

/*
 * Real names and addresses through the real Graph client to the emulator: each must find exactly
 * the person it names. Before percent-encoding, `+` reached Graph as a space, `&` split the $filter,
 * `#` cut the URL, and a UPN starting with `$` was read as a system query option.
 */

const NOW = new Date('2031-05-04T10:00:00.000Z');

const extra: Array<Partial<TenantUser> & { id: string; userPrincipalName: string }> = [
  {
    id: 'e0000000-0000-4000-8000-000000000001',
    userPrincipalName: 'john.plus@contoso.com',
    mail: 'john+test@contoso.com',
    givenName: 'John',
    surname: 'Plus',
    displayName: 'John Plus',
  },
  {
    id: 'e0000000-0000-4000-8000-000000000002',
    userPrincipalName: 'john test@contoso.com',
    mail: 'john test@contoso.com',
    givenName: 'John',
    surname: 'Space',
    displayName: 'John Space',
  },
  {
    id: 'e0000000-0000-4000-8000-000000000003',
    userPrincipalName: 'amp.user@contoso.com',
    mail: 'a&b@contoso.com',
    givenName: 'Amp',
    surname: 'Ersand',
    displayName: 'Amp Ersand',
  },
  {
    id: 'e0000000-0000-4000-8000-000000000004',
    userPrincipalName: '$dollar.sign@contoso.com',
    mail: null,
    givenName: 'Dollar',
    surname: 'Sign',
    displayName: 'Dollar Sign',
  },
  {
    id: 'e0000000-0000-4000-8000-000000000005',
    userPrincipalName: "d'arcy.o'neil@contoso.com",
    mail: "d'arcy@contoso.com",
    givenName: "D'Arcy",
    surname: "O'Neil",
    displayName: "D'Arcy O'Neil",
  },
  {
    id: 'e0000000-0000-4000-8000-000000000006',
    userPrincipalName: 'zoe.muller@contoso.com',
    mail: 'zoë.müller@contoso.com',
    givenName: 'Zoë',
    surname: 'Müller',
    displayName: 'Zoë Müller',
  },
  {
    id: 'e0000000-0000-4000-8000-000000000007',
    userPrincipalName: 'guest_fabrikam.com#EXT#@contoso.com',
    mail: 'guest#1@fabrikam.com',
    givenName: 'Gus',
    surname: 'Guest',
    displayName: 'Gus Guest',
    userType: 'Guest',
  },
];

describe('queries survive real names and addresses', () => {
  let emulator: GraphEmulator;
  let graph: Graph;

  beforeAll(async () => {
    const tenant = await loadTenant(undefined, NOW);
    const template = tenant.users[0]!;
    for (const user of extra)
      tenant.users.push({
        ...template,
        signInActivity: null,
        authenticationMethods: [],
        managerId: undefined,
        ...user,
      } as TenantUser);
    emulator = await startGraphEmulator({ tenant, now: () => NOW });
    graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
  });
  afterAll(() => emulator.close());

  const find = async (text: string) => {
    const query = parseUserQuery(text);
    if ('problem' in query) throw new Error(query.problem);
    return (await findUsers(graph, query as UserQuery)).map((user) => user.id);
  };

  it.each([
    ['a mail with + (not a space)', 'john+test@contoso.com', 'e0000000-0000-4000-8000-000000000001'],
    ['a mail with &', 'a&b@contoso.com', 'e0000000-0000-4000-8000-000000000003'],
    ['a UPN starting with $', '$dollar.sign@contoso.com', 'e0000000-0000-4000-8000-000000000004'],
    ['a UPN with apostrophes', "d'arcy.o'neil@contoso.com", 'e0000000-0000-4000-8000-000000000005'],
    ['a mail with apostrophes', "d'arcy@contoso.com", 'e0000000-0000-4000-8000-000000000005'],
    ['a non-ASCII mail', 'zoë.müller@contoso.com', 'e0000000-0000-4000-8000-000000000006'],
    ['a B2B #EXT# UPN', 'guest_fabrikam.com#EXT#@contoso.com', 'e0000000-0000-4000-8000-000000000007'],
    ['a mail with #', 'guest#1@fabrikam.com', 'e0000000-0000-4000-8000-000000000007'],
  ])('%s: %s', async (_case, text, id) => {
    expect(await find(text)).toEqual([id]);
  });

  it.each([
    ['a name with an apostrophe', "D'Arcy O'Neil", 'e0000000-0000-4000-8000-000000000005'],
    ['a non-ASCII name', 'Zoë Müller', 'e0000000-0000-4000-8000-000000000006'],
  ])('%s: %s', async (_case, text, id) => {
    expect(await find(text)).toEqual([id]);
  });

  it('sends the values percent-encoded, so Graph reads the filter the bot meant', async () => {
    emulator.resetRequests();
    await find('a&b@contoso.com');
    const filtered = emulator.requests.find((request) => request.path.startsWith('/users?'));
    expect(filtered?.path).toContain("$filter=mail eq 'a&b@contoso.com'");
    expect(filtered?.status).toBe(200);
  });
});
