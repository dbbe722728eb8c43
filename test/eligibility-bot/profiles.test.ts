import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

/*
 * Account recovery as Microsoft ships it in 2026 (issue 26): identity verification profiles decide
 * E2, E4, E5 and E8; passkeys (E11) and Conditional Access on the recovery sign-in (E12) are rows
 * of their own. Each case is a person in the demo tenant (src/emulator/README.md), driven over HTTP.
 */

/** "E5 …: fail" -> { E5: 'fail' } ("check" is how the card words a warning). */
function statuses(card: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of cardText(card).matchAll(/\*\*(E\d+) [^*]+\*\*: (\w+)/g)) out[match[1]!] = match[2]!;
  return out;
}

/** The evidence and fix lines under one requirement of the card. */
function row(card: any, id: string): string {
  const text = cardText(card);
  const start = text.indexOf(`**${id} `);
  const end = text.indexOf('**E', start + 4);
  return text.slice(start, end === -1 ? undefined : end).replace(/\\_/g, '_');
}

describe('identity verification profiles decide recovery for each user', () => {
  let harness: Harness;
  const undo: Array<() => void> = [];
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterEach(async () => {
    if (undo.length === 0) return;
    while (undo.length > 0) undo.pop()!();
    await harness.restartBot(); // the tenant's policies are cached for minutes
  });
  afterAll(() => harness.close());

  const check = async (upn: string) => {
    const card = cardOf((await harness.say(people.agent, `check ${upn}`)).replies[0]);
    return { card, found: statuses(card), row: (id: string) => row(card, id) };
  };
  const tenant = () => harness.graph.tenant;
  const profile = (name: string) => tenant().verifiedIdProfiles.find((p) => p.name.startsWith(name))!;

  it('says which profile applies and why, on E2 and E8', async () => {
    const adele = await check('adele.vance@contoso.com');
    expect(adele.row('E2')).toContain(
      'Profile "Contoso account recovery (AU10TIX)" (Production, priority 0, exact name matching) applies through "acl_ssar_enabled": the only enabled recovery profile linked to them.',
    );
    expect(adele.row('E8')).toContain('Profile "Contoso account recovery (AU10TIX)" (Production');
  });

  it('a group whose only profile is disabled offers no recovery (Bruno Costa)', async () => {
    const bruno = await check('bruno.costa@contoso.com');
    expect(bruno.found.E2).toBe('fail');
    expect(bruno.row('E2')).toContain('"Frontline recovery (switched off)" is disabled');
    expect(bruno.row('E2')).toContain('Authentication Administrator');
  });

  it('a profile that serves another purpose offers no recovery', async () => {
    const frontline = profile('Frontline recovery');
    frontline.state = 'enabled';
    const usage = frontline.verifiedIdUsageConfigurations;
    frontline.verifiedIdUsageConfigurations = [{ purpose: 'onboarding', isEnabledForTestOnly: false }];
    undo.push(() => {
      frontline.state = 'disabled';
      frontline.verifiedIdUsageConfigurations = usage;
    });
    await harness.restartBot();
    const bruno = await check('bruno.costa@contoso.com');
    expect(bruno.found.E2).toBe('fail');
    expect(bruno.row('E2')).toContain('serves onboarding, not recovery');
  });

  it('the feature-wide exclude group wins over the recovery group (Eleanor Whitfield)', async () => {
    const eleanor = await check('eleanor.whitfield@contoso.com');
    expect(eleanor.found.E2).toBe('fail');
    expect(eleanor.row('E2')).toContain('"sg-ssar-excluded", which is excluded from account recovery');
  });

  it('the first matching profile by priority applies when two profiles match', async () => {
    const pilot = tenant().groups.find((g) => g.displayName === 'acl_ssar_enabled')!;
    const noah = '11111111-0000-4000-8000-000000000026';
    pilot.memberIds.push(noah);
    undo.push(() => pilot.memberIds.splice(pilot.memberIds.indexOf(noah), 1));
    await harness.restartBot();
    const result = await check('noah.fischer@contoso.com');
    // Production (priority 0) is evaluated before the rehearsal profile (priority 1).
    expect(result.found.E8).toBe('pass');
    expect(result.row('E8')).toContain(
      'the first matching profile by priority (lowest number first), ahead of "Contoso recovery rehearsal (Evaluation)"',
    );
  });

  it('profiles of the same priority in different modes warn: which one Entra evaluates first is not documented', async () => {
    const pilot = tenant().groups.find((g) => g.displayName === 'acl_ssar_enabled')!;
    const noah = '11111111-0000-4000-8000-000000000026';
    const rehearsal = profile('Contoso recovery rehearsal');
    pilot.memberIds.push(noah);
    rehearsal.priority = 0;
    undo.push(() => {
      pilot.memberIds.splice(pilot.memberIds.indexOf(noah), 1);
      rehearsal.priority = 1;
    });
    await harness.restartBot();
    const result = await check('noah.fischer@contoso.com');
    expect(result.found.E8).toBe('check');
    expect(result.row('E8')).toContain('is not documented');
  });

  it('once the tenant was read, no enabled profile means no recovery, never the bot’s own configuration', async () => {
    const profiles = tenant().verifiedIdProfiles;
    const states = profiles.map((p) => p.state);
    for (const p of profiles) p.state = 'disabled';
    undo.push(() => profiles.forEach((p, i) => (p.state = states[i]!)));
    await harness.restartBot();
    const adele = await check('adele.vance@contoso.com');
    expect(adele.found.E2).toBe('fail');
    expect(adele.row('E2')).toContain('"Contoso account recovery (AU10TIX)" is disabled');
    expect(cardText(adele.card)).not.toContain("bot's configuration");
    const lidia = await check('lidia.holloway@contoso.com');
    expect(lidia.row('E2')).toContain('No enabled identity verification profile serves account recovery');
    expect(lidia.row('E2')).toContain('does not fall back to its own configuration');
  });

  it('a licence plan that is not provisioned yet warns on E9 instead of passing', async () => {
    const plan = tenant().subscribedSkus[0]!.servicePlans![0]!;
    plan.provisioningStatus = 'PendingActivation';
    undo.push(() => (plan.provisioningStatus = 'Success'));
    await harness.restartBot();
    const adele = await check('adele.vance@contoso.com');
    expect(adele.found.E9).toBe('check');
    expect(adele.row('E9')).toContain('is PendingActivation: not provisioned yet');
  });
});

describe('names under the profile’s match level, namesakes under its claim validation', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  const check = async (upn: string) => {
    const card = cardOf((await harness.say(people.agent, `check ${upn}`)).replies[0]);
    return { card, found: statuses(card), row: (id: string) => row(card, id) };
  };

  it('exact matching warns about a diacritic and an apostrophe, with the reason (Siobhán O’Brien)', async () => {
    const siobhan = await check('siobhan.obrien@contoso.com');
    expect(siobhan.found.E4).toBe('check');
    expect(siobhan.row('E4')).toContain('matches names exactly');
    expect(siobhan.row('E4')).toContain('has letters with diacritics; under exact matching');
    expect(siobhan.row('E4')).toContain('has an apostrophe; under exact matching');
  });

  it('relaxed matching takes two surnames and diacritics in its stride (Ana Pérez Gómez)', async () => {
    const ana = await check('ana.perez@contoso.com');
    expect(ana.found.E4).toBe('pass');
    expect(ana.row('E4')).toContain('matches names relaxed (any word of the ID)');
  });

  it('a namesake with a claim validation extension warns that the extension decides (David Kim)', async () => {
    const david = await check('david.kim@contoso.com');
    expect(david.found.E5).toBe('check');
    expect(david.row('E5')).toContain('david.kim2@contoso.com');
    expect(david.row('E5')).toContain('so the extension decides');
  });

  it('a namesake without one fails (Maria Garcia)', async () => {
    const maria = await check('maria.garcia@contoso.com');
    expect(maria.found.E5).toBe('fail');
  });

  it('a synchronised user’s names are fixed on premises, and the card says who does it (Johanna Lorenz)', async () => {
    const johanna = await check('johanna.lorenz@contoso.com');
    expect(johanna.row('E4')).toContain('synchronised from on-premises Active Directory');
  });
});

describe('the 2026 prerequisites are rows of their own', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  const check = async (upn: string) => {
    const card = cardOf((await harness.say(people.agent, `check ${upn}`)).replies[0]);
    return { card, found: statuses(card), row: (id: string) => row(card, id) };
  };

  it('passkeys (FIDO2) switched off for the user fail E11 (Hannah Schmidt)', async () => {
    const hannah = await check('hannah.schmidt@contoso.com');
    expect(hannah.found.E11).toBe('fail');
    expect(hannah.row('E11')).toContain('Excluded from passkeys (FIDO2) through "sg-no-passkeys"');
    const adele = await check('adele.vance@contoso.com');
    expect(adele.found.E11).toBe('pass');
  });

  it('an MFA-only policy on all cloud apps warns on E12, naming the policy (Liam Murphy)', async () => {
    const liam = await check('liam.murphy@contoso.com');
    expect(liam.found.E12).toBe('check');
    expect(liam.row('E12')).toContain(
      '"Require MFA for all cloud apps (remote sales)": it requires multifactor authentication for all cloud apps',
    );
  });
});

describe('looking a user up', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it.each([
    ['a proxy address (alias)', 'adele@contoso.onmicrosoft.com'],
    ['another email address (otherMails)', 'adele.vance@outlook.example'],
  ])('finds the person by %s before saying there is no such user', async (_what, address) => {
    const card = cardOf((await harness.say(people.agent, `check ${address}`)).replies[0]);
    expect(card.body[0].items[0].text).toMatch(/should work for Adele Vance$/);
  });
});
