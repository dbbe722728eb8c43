import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_RECORDS_PATH } from '../../src/emulator/claim-validation-demo.js';
import { verifiedIdentity } from '../../src/emulator/verified-id/wallet.js';
import { fileRequest } from '../escalation-bot/helpers.js';
import type { Harness, TeamsUser } from '../harness.js';
import { act, CallerBrowser, cardAs, cast, startVerification, startVerifying, TestWallet } from './helpers.js';

/** The demo tenant's recovery profile (src/emulator/tenants/contoso.json): its identity verification provider. */
const IDV_ISSUER = 'did:web:idv.au10tix.example';
/** Two people the folded name cannot tell apart: Jon Doe and Jón Doe. */
const JON: TeamsUser = { aadObjectId: '11111111-0000-4000-8000-000000000004', name: 'Jon Doe' };

async function presentIdentity(
  harness: Harness,
  target: TeamsUser,
  person: { givenName: string; surname: string },
  extra: Record<string, string> = {},
) {
  const previous = await fileRequest(harness, cast.helen, target);
  const requestId = previous.requestId!;
  const started = await startVerification(harness, requestId);
  const browser = new CallerBrowser(harness);
  const qrPage = await browser.enterCode(started.link, started.code, 'VerifiedIdentity');
  const presented = await new TestWallet().present(CallerBrowser.authenticatorLink(qrPage.html), {
    credential: verifiedIdentity(person, IDV_ISSUER, extra),
    faceCheckScore: 91,
  });
  const megan = await cardAs(harness, cast.megan, requestId);
  await act(harness, cast.helen, 'escalation.cancel', { requestId });
  return { presented, megan, request: harness.verifiedId!.requests().at(-1)! };
}

describe('a government ID credential verifies only the one person it can be bound to', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required', { VERIFIED_ID_CREDENTIAL_TYPES: 'VerifiedEmployee,VerifiedIdentity' });
  });
  afterAll(() => harness.close());

  it('is requested as the tenant’s recovery profile says: its type, its issuer, its portrait claim', async () => {
    const { request, megan } = await presentIdentity(harness, cast.adele, { givenName: 'Adele', surname: 'Vance' });
    expect(request.body.requestedCredentials[0]).toMatchObject({
      type: 'verifiedIdentity',
      acceptedIssuers: [IDV_ISSUER],
      configuration: { validation: { faceCheck: { sourcePhotoClaimName: 'portrait' } } },
    });
    expect(megan.text).toContain('Passed: VerifiedIdentity matched by first and last name, unique in the tenant');
    expect(megan.text).toContain('From the tenant’s recovery profile “Contoso account recovery (AU10TIX)”');
    expect(megan.actions).toContain('Approve');
  });

  it('a namesake’s own ID with their own face does not pass: Jon Doe shares his folded name with Jón Doe', async () => {
    const { presented, megan } = await presentIdentity(harness, JON, { givenName: 'Jon', surname: 'Doe' });
    expect(presented.callbackStatus).toBe(403);
    expect(megan.text).toContain('Someone else in this organisation has the same first and last name');
    expect(megan.text).toContain('work credential (VerifiedEmployee)');
    expect(megan.actions).not.toContain('Approve');
  });
});

describe('a namesake whose surname carries accents the target’s does not is found through the people index', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required', { VERIFIED_ID_CREDENTIAL_TYPES: 'VerifiedEmployee,VerifiedIdentity' });
    // Graph's `surname eq 'Vance'` does not find "Vancé"; the tenant's people index folds it to the same name.
    const adele = harness.graph.tenant.users.find((u) => u.userPrincipalName === 'adele.vance@contoso.com')!;
    harness.graph.tenant.users.push({
      ...adele,
      id: '11111111-0000-4000-8000-0000000000a1',
      userPrincipalName: 'adele.vance2@contoso.com',
      displayName: 'Adèle Vancé',
      givenName: 'Adèle',
      surname: 'Vancé',
      mail: 'adele.vance2@contoso.com',
      proxyAddresses: ['SMTP:adele.vance2@contoso.com'],
      managerId: undefined,
    });
  });
  afterAll(() => harness.close());

  it('Adele Vance’s own ID does not pass while Adèle Vancé works here too', async () => {
    const { presented, megan } = await presentIdentity(harness, cast.adele, { givenName: 'Adele', surname: 'Vance' });
    expect(presented.callbackStatus).toBe(403);
    expect(megan.text).toContain('Someone else in this organisation has the same first and last name');
    expect(megan.actions).not.toContain('Approve');
  });
});

describe('with the organisation’s records (RECOVERY_CLAIMS_SOURCE), additional claims bind a shared name to one account', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required', {
      VERIFIED_ID_CREDENTIAL_TYPES: 'VerifiedEmployee,VerifiedIdentity',
      RECOVERY_CLAIMS_SOURCE: `csv:${DEMO_RECORDS_PATH}`,
      RECOVERY_REQUIRED_CLAIMS: 'dateOfBirth',
    });
  });
  afterAll(() => harness.close());

  it('Jon Doe’s ID with his date of birth on record passes; Jón Doe’s own ID for Jon’s account does not, naming the claim, never its value', async () => {
    const jon = await presentIdentity(
      harness,
      JON,
      { givenName: 'Jon', surname: 'Doe' },
      { dateOfBirth: '1985-03-14' },
    );
    expect(jon.presented.callbackStatus).toBe(200);
    expect(jon.megan.text).toContain(
      'Passed: VerifiedIdentity matched by first and last name and the organisation’s record',
    );

    const jonsNamesake = await presentIdentity(
      harness,
      JON,
      { givenName: 'Jón', surname: 'Doe' },
      { dateOfBirth: '1992-11-02' },
    );
    expect(jonsNamesake.presented.callbackStatus).toBe(403);
    expect(jonsNamesake.megan.text).toContain("do not match the organisation's record for this account");
    expect(jonsNamesake.megan.text).toContain('dateOfBirth');
    expect(jonsNamesake.megan.actions).not.toContain('Approve');
    for (const text of [jon.megan.text, jonsNamesake.megan.text, harness.logs.join('\n')]) {
      expect(text).not.toContain('1985-03-14');
      expect(text).not.toContain('1992-11-02');
    }
  });
});
