import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

/** The requirement lines of an agent's eligibility card: "E5 …: fail" -> { E5: 'fail' }. */
function statuses(card: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of cardText(card).matchAll(/\*\*(E\d+) [^*]+\*\*: (\w+)/g)) out[match[1]!] = match[2]!;
  return out;
}

const LABEL = { pass: 'pass', warn: 'check', fail: 'fail', unknown: 'unknown' } as const;

describe('an agent checks each member of the demo cast', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  // [who, verdict heading, requirements that must not pass, with their status]
  const cast: Array<[string, RegExp, Record<string, keyof typeof LABEL>]> = [
    ['adele.vance@contoso.com', /should work for Adele Vance$/, {}],
    ['lidia.holloway@contoso.com', /will not work/, { E2: 'fail' }],
    ['miriam.graham@contoso.com', /will not work/, { E3: 'fail' }],
    ['jon.doe@contoso.com', /will not work/, { E5: 'fail', E4: 'warn' }],
    ['jon.doe2@contoso.com', /will not work/, { E5: 'fail', E2: 'warn', E4: 'warn', E7: 'warn' }],
    ['sakura.tanaka@contoso.com', /will not work/, { E4: 'fail' }],
    ['isaiah.langer@contoso.com', /will not work/, { E6: 'fail' }],
    ['grady.archie@contoso.com', /will not work/, { E7: 'fail' }],
    ['diego.siciliani@contoso.com', /will not work/, { E1: 'fail' }],
    ['ravi.patel_fabrikam.com#EXT#@contoso.com', /will not work/, { E1: 'fail', E4: 'warn' }],
    ['nestor.wilke@contoso.com', /will not work/, { E7: 'fail' }],
    // Exact matching (her profile's match confidence level): the diacritic and the apostrophe are worth comparing.
    ['siobhan.obrien@contoso.com', /should work for Siobhán O'Brien, with warnings/, { E4: 'warn' }],
    // Added minutes ago, last signed in six days ago: the option may only appear after a fresh sign-in.
    ['pradeep.gupta@contoso.com', /with warnings/, { E2: 'warn', E3: 'warn' }],
    ['johanna.lorenz@contoso.com', /with warnings/, { E4: 'warn' }],
    ['lynne.robbins@contoso.com', /with warnings/, { E10: 'warn' }],
    ['omar.haddad@contoso.com', /will not work/, { E3: 'fail', E4: 'warn' }],
    // Global Administrator through a role-assignable group: Conditional Access counts that active role.
    ['kenji.watanabe@contoso.com', /will not work/, { E7: 'fail' }],
    // Only eligible for Global Administrator in PIM: Conditional Access role conditions do not count it.
    ['priya.raman@contoso.com', /should work for Priya Raman$/, {}],
    // A B2B collaboration member (userType Member, #EXT#): external for Conditional Access and for TAP.
    // In a recovery group whose own profile is in Evaluation mode (purpose "all"), though another profile is in Production.
    ['noah.fischer@contoso.com', /will not work/, { E8: 'fail' }],
    // Assigned to account recovery by name (an include target of type user), in no recovery group.
    ['olivia.chen@contoso.com', /should work for Olivia Chen$/, {}],
    // Same name as Maria Garcia (Logistics), who is not in the recovery group: the FAQ blocks it anyway.
    ['maria.garcia@contoso.com', /will not work/, { E5: 'fail' }],
    // The tenant has Entra ID P1, but his own licence (Office 365 E3 only) does not include it.
    ['tomas.ruiz@contoso.com', /will not work/, { E9: 'fail', E4: 'warn' }],
    ['malik.osei_northwind.com#EXT#@contoso.com', /will not work/, { E1: 'fail', E4: 'warn', E7: 'fail' }],
    // Issue 26: identity verification profiles as Microsoft ships them in 2026.
    // In a group whose only profile is disabled: no profile offers him recovery.
    ['bruno.costa@contoso.com', /will not work/, { E2: 'fail' }],
    // In the recovery group and in the feature-wide exclude group.
    ['eleanor.whitfield@contoso.com', /will not work/, { E2: 'fail' }],
    // Two surnames and diacritics, under a relaxed-matching profile: nothing to warn about.
    ['ana.perez@contoso.com', /should work for Ana Pérez Gómez$/, {}],
    // A namesake, but her profile validates claims with a custom authentication extension: it decides.
    ['david.kim@contoso.com', /with warnings/, { E5: 'warn' }],
    // Excluded from passkeys (FIDO2): she could not register one after recovery.
    ['hannah.schmidt@contoso.com', /will not work/, { E11: 'fail' }],
    // A multifactor-only policy on all cloud apps may interrupt the recovery sign-in.
    ['liam.murphy@contoso.com', /with warnings/, { E12: 'warn' }],
    // Blocked from registering security info everywhere but the trusted office network; a compliant device on all apps.
    ['zara.ahmed@contoso.com', /will not work/, { E7: 'fail', E12: 'warn' }],
  ];

  it.each(cast)('%s', async (upn, verdict, expected) => {
    const turn = await harness.say(people.agent, `check ${upn}`);
    const card = cardOf(turn.replies[0]);
    expect(card.body[0].items[0].text).toMatch(verdict);
    const found = statuses(card);
    expect(Object.keys(found)).toHaveLength(12);
    const notPassing = Object.fromEntries(Object.entries(found).filter(([, status]) => status !== 'pass'));
    expect(notPassing).toEqual(Object.fromEntries(Object.entries(expected).map(([id, s]) => [id, LABEL[s]])));
  });

  it('shows the exact first and last name to compare with the ID', async () => {
    const card = cardOf((await harness.say(people.agent, 'check sakura.tanaka@contoso.com')).replies[0]);
    const facts = Object.fromEntries(card.body[1].facts.map((f: any) => [f.title, f.value]));
    expect(facts['First name']).toBe('"Sakura"');
    expect(facts['Last name']).toBe('(empty)');
  });

  it('names the twin so the agent can tell them apart', async () => {
    const text = cardText(cardOf((await harness.say(people.agent, 'check jon.doe@contoso.com')).replies[0]));
    expect(text).toContain('jon.doe2@contoso.com');
  });

  it('says where the recovery groups came from', async () => {
    const text = cardText(cardOf((await harness.say(people.agent, 'check adele.vance@contoso.com')).replies[0]));
    expect(text).toContain("read from the tenant's account recovery settings");
  });
});

describe('finding the user', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('by name', async () => {
    const card = cardOf((await harness.say(people.agent, 'check Adele Vance')).replies[0]);
    expect(card.body[0].items[0].text).toContain('Adele Vance');
  });

  it('by @mention in a group chat', async () => {
    const groupChat = { id: '19:helpdesk-chat@thread.v2', type: 'groupChat' as const };
    const turn = await harness.say(people.agent, '<at>SSAR Helpdesk</at> check <at>Lidia Holloway</at>', groupChat, {
      entities: [
        {
          type: 'mention',
          mentioned: { id: '28:ssar-helpdesk-bot', name: 'SSAR Helpdesk' },
          text: '<at>SSAR Helpdesk</at>',
        },
        {
          type: 'mention',
          mentioned: { id: '29:11111111-0000-4000-8000-000000000002', name: 'Lidia Holloway' },
          text: '<at>Lidia Holloway</at>',
        },
      ],
    });
    // Everyone in the group reads the colleague's answer; the agent's checklist comes as their own view.
    expect(cardText(cardOf(turn.replies[0]))).toContain('Lidia Holloway needs the helpdesk');
  });

  it('by email address when it differs from the sign-in name', async () => {
    const user = harness.graph.tenant.users.find((u) => u.userPrincipalName === 'adele.vance@contoso.com')!;
    user.mail = 'adele@contoso.example';
    const card = cardOf((await harness.say(people.agent, 'check adele@contoso.example')).replies[0]);
    expect(card.body[0].items[0].text).toContain('Adele Vance');
  });

  it('offers a choice when several people match', async () => {
    const card = cardOf((await harness.say(people.agent, 'check Jon')).replies[0]);
    const text = cardText(card);
    expect(text).toContain('Several people match');
    expect(text).toContain('jon.doe@contoso.com');
    expect(text).toContain('jon.doe2@contoso.com');
    const choice = card.body[2].columns[1].items[0].actions[0];
    const picked = await harness.invoke(people.agent, choice.verb, choice.data);
    expect(picked.body.value.body[0].items[0].text).toMatch(/Jon Doe|Jón Doe/);
  });

  it('says clearly when there is no such user in this tenant', async () => {
    const text = cardText(cardOf((await harness.say(people.agent, 'check nobody.here@contoso.com')).replies[0]));
    expect(text).toContain('No such user in this tenant');
  });

  it('finds a name with a quote in it, escaped in the filter, never raw', async () => {
    const card = cardOf((await harness.say(people.agent, "check Siobhán O'Brien")).replies[0]);
    expect(card.body[0].items[0].text).toContain("Siobhán O'Brien");
    const filter = harness.graph.requests.find((r) => r.path.startsWith('/users?') && r.path.includes('Brien'));
    expect(filter?.path).toContain("O''Brien");
    expect(filter?.path).not.toMatch(/[^']O'Brien/);
  });

  it.each([
    ["check x') or (true", 'A name can only contain'],
    ['check ' + 'a'.repeat(300), 'longer than'],
    ['check bad@@upn', 'does not look like an email'],
  ])('refuses input that is not a name or address before it reaches Graph: %s', async (text, message) => {
    const before = harness.graph.requests.filter((r) => r.path.startsWith('/users?')).length;
    const card = cardOf((await harness.say(people.agent, text)).replies[0]);
    expect(cardText(card)).toContain(message);
    expect(harness.graph.requests.filter((r) => r.path.startsWith('/users?')).length).toBe(before);
  });

  it('checks from the welcome card', async () => {
    const result = await harness.invoke(people.agent, 'check', {
      target: 'miriam.graham@contoso.com',
      source: 'welcome',
    });
    expect(result.status).toBe(200);
    expect(result.body.value.body[0].items[0].text).toContain('Miriam Graham');
  });

  it('refuses forged card data with unexpected fields', async () => {
    const result = await harness.invoke(people.agent, 'check.refresh', {
      userId: '11111111-0000-4000-8000-000000000001',
      asUser: people.agent.aadObjectId,
    });
    expect(result.status).toBe(200);
    expect(cardText(result.body.value)).toContain('unexpected field');
  });
});

describe('a colleague asking on behalf of someone', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each([
    'jon.doe@contoso.com',
    'grady.archie@contoso.com',
    'adele.vance@contoso.com',
    'pradeep.gupta@contoso.com',
    'isaiah.langer@contoso.com',
  ])('never sees directory details about %s', async (upn) => {
    const card = cardOf((await harness.say(people.colleague, `check ${upn}`)).replies[0]);
    const shown = `${cardText(card)}\n${JSON.stringify(card.actions)}`.replace(/\\/g, '');
    const agentOnly = [
      'acl_ssar',
      'sg-',
      'Conditional',
      'policy',
      'Policy',
      'sign-in',
      'signed in',
      'group',
      'E1',
      'E5',
      'jon.doe2',
      'UTC',
      '@contoso.com',
      'Block',
      'minutes ago',
      '2026',
      'First name',
      'TAP',
      'Temporary Access Pass',
      'Authenticator',
    ];
    for (const detail of agentOnly) expect(shown, `colleague card leaks "${detail}"`).not.toContain(detail);
    expect(cardText(card)).toMatch(/can recover on their own|needs the helpdesk/);
    // The guide, the helpdesk's contact (HELPDESK_CONTACT) and "Ask the helpdesk for them": nothing of the agent's.
    expect(card.actions.map((a: any) => a.verb ?? a.url)).toEqual(['guide', 'tel:+14255550100', 'helpdesk.ask']);
  });

  it('gets the short answer and the guide to forward', async () => {
    const card = cardOf((await harness.say(people.colleague, 'check Adele Vance')).replies[0]);
    expect(cardText(card)).toContain('Adele Vance can recover on their own');
    expect(card.actions[0].title).toContain('guide');
  });
});

describe('Graph cost of one check', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.say(people.agent, 'check adele.vance@contoso.com'); // warm the tenant-wide cache
  });
  afterAll(() => harness.close());

  const oneCheck = async () => {
    harness.graph.resetRequests();
    await harness.say(people.agent, 'check adele.vance@contoso.com');
    return harness.graph.requests.filter((r) => !r.inBatch);
  };

  it('reads the user and their facts in one $batch: one Graph round trip when warm', async () => {
    const requests = await oneCheck();
    expect(requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual(['POST /$batch']);
    const inner = harness.graph.requests.filter((r) => r.inBatch).map((r) => r.path.split('?')[0]);
    expect(inner).toEqual(
      expect.arrayContaining([
        '/users/adele.vance@contoso.com',
        '/users/11111111-0000-4000-8000-000000000001',
        '/users/11111111-0000-4000-8000-000000000001/memberOf/microsoft.graph.group',
        '/users/11111111-0000-4000-8000-000000000001/transitiveMemberOf/microsoft.graph.group',
        '/users/11111111-0000-4000-8000-000000000001/authentication/methods',
        '/auditLogs/directoryAudits',
      ]),
    );
    // Roles come from the tenant's role grants, cached with the policies.
    expect(inner).not.toContain('/roleManagement/directory/roleAssignments');
    expect(
      harness.graph.requests.find((r) => r.path.startsWith('/users/11111111-0000-4000-8000-000000000001?'))?.path,
    ).toContain('signInActivity');
  });

  it('reads anyone the people index knows in one round trip, and someone created since in two', async () => {
    harness.graph.resetRequests();
    await harness.say(people.agent, 'check lidia.holloway@contoso.com');
    const topLevel = () =>
      harness.graph.requests.filter((r) => !r.inBatch).map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(topLevel()).toEqual(['POST /$batch']);
    const { tenant } = harness.graph;
    tenant.users.push({
      ...tenant.users.find((u) => u.userPrincipalName === 'lidia.holloway@contoso.com')!,
      id: '11111111-0000-4000-8000-0000000000b1',
      userPrincipalName: 'new.starter@contoso.com',
      mail: 'new.starter@contoso.com',
      givenName: 'New',
      surname: 'Starter',
      displayName: 'New Starter',
    });
    try {
      harness.graph.resetRequests();
      await harness.say(people.agent, 'check new.starter@contoso.com');
      // Not in the index read before the account existed: the user first, then their reads.
      expect(topLevel()).toEqual(['GET /users/new.starter@contoso.com', 'POST /$batch']);
    } finally {
      tenant.users.pop();
    }
  });

  it('does not grow with the number of policies or groups', async () => {
    const before = (await oneCheck()).length;
    const tenant = harness.graph.tenant;
    const adele = '11111111-0000-4000-8000-000000000001';
    for (let i = 0; i < 60; i++) {
      tenant.groups.push({
        id: `33333333-0000-4000-8000-${String(i).padStart(12, '0')}`,
        displayName: `team-${i}`,
        memberIds: [adele],
      } as any);
      tenant.conditionalAccessPolicies.push({
        ...tenant.conditionalAccessPolicies[0]!,
        id: `44444444-0000-4000-8000-${String(i).padStart(12, '0')}`,
        displayName: `policy ${i}`,
        state: 'disabled',
      });
    }
    const after = await oneCheck();
    expect(after.length).toBe(before);
  });
});

describe('when Graph misbehaves', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  afterEach(() => harness.graph.grantAllPermissions());

  it('waits out a 429 with Retry-After and still answers', async () => {
    harness.graph.failNext({ path: /^\/users\/lidia/ }, { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const card = cardOf((await harness.say(people.agent, 'check lidia.holloway@contoso.com')).replies[0]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(statuses(card).E2).toBe('fail');
  });

  it('retries a throttled request inside a $batch', async () => {
    harness.graph.failNext({ path: /authentication\/methods/ }, { status: 429, retryAfterSeconds: 1 });
    const card = cardOf((await harness.say(people.agent, 'check lynne.robbins@contoso.com')).replies[0]);
    expect(statuses(card).E10).toBe('check');
  });

  it('recovers from a 503', async () => {
    harness.graph.failNext({ path: /^\/users\/miriam/ }, { status: 503 });
    const card = cardOf((await harness.say(people.agent, 'check miriam.graham@contoso.com')).replies[0]);
    expect(statuses(card).E3).toBe('fail');
  });

  it('without AuditLog.Read.All, the sign-in check is unknown and says why; the rest is still answered', async () => {
    harness.graph.denyPermission('AuditLog.Read.All');
    const card = cardOf((await harness.say(people.agent, 'check lidia.holloway@contoso.com')).replies[0]);
    const found = statuses(card);
    expect(found.E3).toBe('unknown');
    expect(found.E2).toBe('fail');
    expect(found.E1).toBe('pass');
    expect(cardText(card)).toContain('needs AuditLog.Read.All');
  });

  it('when Graph is down, says so on a card and nothing else', async () => {
    harness.graph.failNext({ path: /^\/users\/diego/ }, { status: 500 }, 10);
    const card = cardOf((await harness.say(people.agent, 'check diego.siciliani@contoso.com')).replies[0]);
    expect(cardText(card)).toContain('I could not read the directory');
    expect(harness.logs.join('\n')).toContain('directory read failed');
  });
});
