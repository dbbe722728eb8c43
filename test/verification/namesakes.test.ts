import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
