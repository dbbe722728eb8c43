import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/diagnosis/catalogue.js';
import { AADSTS55200_PAGE } from '../diagnosis/fixtures.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const LIDIA = '11111111-0000-4000-8000-000000000002'; // not in the recovery group
const PRADEEP = '11111111-0000-4000-8000-000000000013'; // added to the group minutes ago; last attempt failed Face Check
const ADELE = '11111111-0000-4000-8000-000000000001';

describe('diagnosing an error or a symptom', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('a pasted AADSTS55200 error page means recovery was started from the wrong page', async () => {
    const card = cardOf((await harness.say(people.colleague, AADSTS55200_PAGE)).replies[0]);
    const text = cardText(card);
    expect(text).toContain('AADSTS55200');
    expect(text).toContain('https://aka.ms/mfasetup');
    expect(text).toMatch(/started from a portal or app sign-in page/);
    // Kept for the escalation record.
    expect(text).toContain('8c1d4e7a-2b3f-4a5c-9d6e-1f0a2b3c4d5e');
    expect(text).toContain('2025-12-10T10:11:12Z');
  });

  it('"Can\'t sign in" with a code is diagnosed, not taken for a user lookup', async () => {
    const text = cardText(
      cardOf((await harness.say(people.colleague, "Can't sign in, it says AADSTS50053")).replies[0]),
    );
    expect(text).toContain('AADSTS50053');
  });

  it('an unknown code gets an honest "not in my catalogue", echoed back safely', async () => {
    const text = cardText(
      cardOf((await harness.say(people.colleague, 'I got AADSTS99999 [click](https://evil.example)')).replies[0]),
    );
    expect(text).toContain('Not in my catalogue: AADSTS99999');
    expect(text).not.toContain('[click](https://evil.example)');
  });

  it('"no Recover your account link" for a user outside the recovery group names that as the cause found', async () => {
    const turn = await harness.invoke(people.agent, 'diagnose.run', { userId: LIDIA, symptom: 'no-recover-link' });
    const card = turn.body.value;
    // The icon shares its line with the cause, so its meaning never rests on the emoji alone.
    const firstCause = card.body[2].items[3].items;
    expect(firstCause[0].text).toMatch(/^🔎 /);
    expect(firstCause[0].text).toMatch(/not in the group that is allowed to use account recovery/i);
    expect(firstCause[1].text).toMatch(/^Found on this account/);
  });

  it('for a user added to the group minutes ago it says to wait', async () => {
    const card = (await harness.invoke(people.agent, 'diagnose.run', { userId: PRADEEP, symptom: 'no-recover-link' }))
      .body.value;
    const first = card.body[2].items[3];
    expect(first.items[0].text).toMatch(/^🔎 /);
    expect(cardText(first)).toMatch(/wait/i);
    expect(cardText(first)).toMatch(/minutes ago/);
  });

  it("shows the user's last recovery attempt from the audit log and where it stopped", async () => {
    const card = (await harness.invoke(people.agent, 'diagnose.run', { userId: PRADEEP })).body.value;
    const text = cardText(card);
    expect(text).toContain('Last recovery attempt');
    expect(text).toMatch(/It stopped at: .*face check/i);
    // Nothing picked: the failed step chose the symptom.
    expect(text).toMatch(/Face Check/);
  });

  it('finds recovery events that name the user only as the one who acted, and ignores ordinary registration', async () => {
    const noah = cardText(
      (await harness.invoke(people.agent, 'diagnose.run', { userId: '11111111-0000-4000-8000-000000000026' })).body
        .value,
    );
    expect(noah).toContain('Last recovery attempt');
    expect(noah).toContain('User failed document validation');
    const adele = cardText((await harness.invoke(people.agent, 'diagnose.run', { userId: ADELE })).body.value);
    expect(adele).not.toContain('Last recovery attempt');
    expect(adele).not.toContain('User registered security info');
  });

  it('without audit-log access, says the attempts could not be read and still diagnoses', async () => {
    harness.graph.denyPermission('AuditLog.Read.All');
    try {
      const text = cardText(
        (await harness.invoke(people.agent, 'diagnose.run', { userId: LIDIA, symptom: 'no-recover-link' })).body.value,
      );
      expect(text).toContain('needs AuditLog.Read.All');
      expect(text).toContain('Found on this account');
    } finally {
      harness.graph.grantAllPermissions();
    }
  });

  it('a colleague gets the causes in order but no live findings or audit events', async () => {
    const card = (
      await harness.invoke(people.colleague, 'diagnose.run', { userId: PRADEEP, symptom: 'no-recover-link' })
    ).body.value;
    const text = cardText(card);
    expect(text).toContain('The helpdesk can check which of these applies');
    expect(text).not.toMatch(/Found on this account|Ruled out|Last recovery attempt|\d+ minutes ago|acl.?_ssar/);
  });

  it('"diagnose" alone offers the symptom picker', async () => {
    const card = cardOf((await harness.say(people.colleague, 'diagnose')).replies[0]);
    const picker = card.body.find((e: any) => e.id === 'symptom');
    expect(picker.choices.map((c: any) => c.value)).toContain('no-recover-link');
  });

  describe('every catalogue entry answers through the bot', () => {
    const entries = defaultCatalogue().entries;
    it.each(entries.filter((e) => e.kind === 'code').map((e) => [e.id, (e as any).code as string]))(
      '%s pasted in a sentence',
      async (_id, code) => {
        const text = cardText(
          cardOf(
            (await harness.say(people.colleague, `the screen said ${code.toLowerCase()} and then nothing`)).replies[0],
          ),
        );
        expect(text).toContain(code);
      },
    );
    it.each(entries.filter((e) => e.kind === 'symptom').map((e) => [e.id, e.title]))(
      'symptom %s picked on the card',
      async (id, title) => {
        const card = (await harness.invoke(people.agent, 'diagnose.run', { userId: ADELE, symptom: id })).body.value;
        expect(cardText(card)).toContain(title.replace(/[*_[\]<>~`\\]/g, ''));
      },
    );
  });
});

describe('the recovery guide', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('anyone can ask for it: any sign-in first, aka.ms/mfasetup in a private window as the fallback (2026 user steps)', async () => {
    const card = cardOf((await harness.say(people.colleague, 'how do I recover')).replies[0]);
    const text = cardText(card);
    expect(text).toContain('https://aka.ms/mfasetup');
    expect(text).toMatch(/private/i);
    expect(text).toContain('Other ways to sign in');
    expect(text).toContain('Recover your account');
    expect(text).toContain('https://login.microsoftonline.com');
    expect(text).toContain('AADSTS55200');
    expect(text).toContain('within 10 minutes');
    expect(card.actions[0]).toMatchObject({ type: 'Action.OpenUrl', url: 'https://aka.ms/mfasetup' });
  });

  it('from a check card it is sent as a new message addressed to the person, and the card stays', async () => {
    const turn = await harness.invoke(people.agent, 'guide', { userId: ADELE });
    expect(turn.body.type).toBe('application/vnd.microsoft.activity.message');
    const guide = cardOf(turn.replies.find((r) => r.kind === 'send'));
    const text = cardText(guide);
    expect(text).toContain('Adele, here is how to get back into your account');
    expect(text).toContain('adele.vance@contoso.com');
  });

  it("a colleague's copy is personalised by name but carries no sign-in name", async () => {
    const turn = await harness.invoke(people.colleague, 'guide', { userId: ADELE });
    const text = cardText(cardOf(turn.replies.find((r) => r.kind === 'send')));
    expect(text).toContain('Adele, here is how');
    expect(text).not.toContain('adele.vance@contoso.com');
  });
});

describe('the troubleshooting cases of the 2026 pages', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  const HANNAH = '11111111-0000-4000-8000-000000000037'; // excluded from passkeys
  const LIAM = '11111111-0000-4000-8000-000000000038'; // in scope of an MFA-only policy on all cloud apps
  const DAVID = '11111111-0000-4000-8000-000000000035'; // a namesake; his profile has a claim validation extension

  const firstCause = async (userId: string, symptom: string) => {
    const card = (await harness.invoke(people.agent, 'diagnose.run', { userId, symptom })).body.value;
    return { first: cardText(card.body[2].items[3]), text: cardText(card) };
  };

  it('"I couldn\'t register a passkey" finds passkeys switched off for the user', async () => {
    const { first } = await firstCause(HANNAH, 'passkey-not-registered');
    expect(first).toMatch(/^🔎 Passkeys \(FIDO2\) are not enabled/);
  });

  it('"Recovery stopped and asked for MFA" keeps the Conditional Access policy as a possible cause (a warning, "might")', async () => {
    const { first } = await firstCause(LIAM, 'recovery-interrupted');
    expect(first).toMatch(/^• A Conditional Access policy/);
  });

  it('"verified but no pass" names the namesake as a possible cause', async () => {
    const { text } = await firstCause(DAVID, 'verified-no-tap');
    expect(text).toContain('same first and last name');
  });

  it('"requests can\'t be completed" points at the provider and the Security Store', async () => {
    const card = (await harness.invoke(people.colleague, 'diagnose.run', { symptom: 'provider-unavailable' })).body
      .value;
    expect(cardText(card)).toContain('Security Store');
  });
});
