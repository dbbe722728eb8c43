import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Conversation, cardOf, cardText, type Harness, people, startHarness } from '../harness.js';
import { callout, ownClaims, rememberClaimValues } from './helpers.js';

/* The helpdesk sees every claim validation attempt: on `check`, in diagnosis, and in a channel feed. */
describe('the helpdesk sees claim validation attempts', () => {
  let harness: Harness;
  const channel: Conversation = { id: '19:helpdesk-channel@thread.tacv2;messageid=1', type: 'channel' };
  const JON2 = '11111111-0000-4000-8000-000000000005';
  beforeAll(async () => {
    harness = await startHarness({ claimValidation: true });
    rememberClaimValues(harness);
  });
  afterAll(() => harness.close());

  it('check shows an agent the last attempt, the failed claim names and what to do; never a value', async () => {
    // The other Jon Doe presents his own ID for this account.
    await callout(harness, { userPrincipalName: 'jon.doe2@contoso.com', claims: ownClaims('jon.doe@contoso.com') });
    const text = cardText(cardOf((await harness.say(people.agent, 'check jon.doe2@contoso.com')).replies[0]));
    expect(text).toContain('Claim validation during recovery');
    expect(text).toContain('Failed: firstName, dateOfBirth did not match the record.');
    expect(text).toContain('Ask HR to check the record');
    expect(text).toMatch(/Correlation ID: [0-9a-f-]{36}/);
  });

  it('a colleague checking the same person sees nothing of it', async () => {
    const text = cardText(cardOf((await harness.say(people.colleague, 'check jon.doe2@contoso.com')).replies[0]));
    expect(text).not.toContain('Claim validation');
  });

  it('a later attempt replaces the earlier one on the card', async () => {
    await callout(harness, { userPrincipalName: 'jon.doe2@contoso.com', claims: ownClaims('jon.doe2@contoso.com') });
    const text = cardText(cardOf((await harness.say(people.agent, 'check jon.doe2@contoso.com')).replies[0]));
    expect(text).toContain('Passed: the claims matched the record.');
  });

  it('diagnosis reads the attempt before the audit log and picks the name mismatch from it', async () => {
    await callout(harness, {
      userPrincipalName: 'jon.doe2@contoso.com',
      claims: { ...ownClaims('jon.doe2@contoso.com'), firstName: 'Jon' },
    });
    const card = (await harness.invoke(people.agent, 'diagnose.run', { userId: JON2 })).body.value;
    const text = cardText(card);
    expect(text).toContain('Failed: firstName did not match the record.');
    expect(text).toContain('Your name did not match your ID');
    expect(text.indexOf('Claim validation during recovery')).toBeLessThan(
      Math.max(text.indexOf('Last recovery attempt'), text.length),
    );
  });

  it('"recovery feed here" in a team channel posts each attempt there as it happens', async () => {
    const on = await harness.say(people.agent, 'recovery feed here', channel);
    expect(cardText(cardOf(on.replies[0]))).toContain('Recovery attempts will appear in this channel');
    const posted = harness.connector.waitFor(
      (a) =>
        a.conversationId === channel.id && cardText(cardOf(a)).includes('Recovery attempt: adele.vance@contoso.com'),
      10_000,
    );
    const { correlationId } = await callout(harness, {
      userPrincipalName: 'adele.vance@contoso.com',
      claims: { ...ownClaims('adele.vance@contoso.com'), dateOfBirth: '1990-06-22' },
    });
    harness.claimValues.push('1990-06-22');
    const text = cardText(cardOf(await posted));
    expect(text).toContain('Failed: dateOfBirth did not match the record.');
    expect(text).toContain(correlationId);
  });

  it('only a helpdesk agent can turn the feed on, and only in a channel; "recovery feed off" stops it', async () => {
    const colleague = await harness.say(people.colleague, 'recovery feed here', {
      id: '19:other@thread.tacv2',
      type: 'channel',
    });
    expect(cardText(cardOf(colleague.replies[0]))).toContain('Only helpdesk agents can change the recovery feed.');
    const personal = await harness.say(people.agent, 'recovery feed here');
    expect(cardText(cardOf(personal.replies[0]))).toContain('in a team channel');
    const off = await harness.say(people.agent, 'recovery feed off', channel);
    expect(cardText(cardOf(off.replies[0]))).toContain('no longer posted');
    const before = harness.connector.activities.filter((a) => a.conversationId === channel.id).length;
    await callout(harness, { userPrincipalName: 'jon.doe@contoso.com', claims: ownClaims('jon.doe@contoso.com') });
    // The callout's answer comes after the attempt is recorded; a check turn after it shows the feed is quiet.
    await harness.say(people.agent, 'check jon.doe@contoso.com');
    expect(harness.connector.activities.filter((a) => a.conversationId === channel.id).length).toBe(before);
  });
});
