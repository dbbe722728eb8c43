import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../harness.js';
import {
  ADELE,
  cardAs,
  cast,
  fileAndStartVerification,
  ISSUER,
  startVerifying,
  verifiedEmployee,
  verifyAsCaller,
} from './helpers.js';

/**
 * A VerifiedEmployee credential names its holder by the sign-in name it was issued under, and is
 * not reissued when the profile changes (how-to-use-quickstart-verifiedemployee): only a credential
 * issued to the account as it is now verifies the caller.
 */
describe('only a current work credential verifies the caller', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startVerifying('required');
  });
  afterAll(() => harness.close());

  it('a credential issued before the account was created belongs to a former holder of the sign-in name: not passed, and Approve stays withheld', async () => {
    const started = await fileAndStartVerification(harness);
    // Adele's account was created on 2021-02-01; this credential names her UPN but is older.
    const { presented } = await verifyAsCaller(harness, started, {
      // Issued in 2020 and valid until 2030: not expired, only older than the account.
      credential: {
        ...verifiedEmployee(ADELE, ISSUER, new Date('2020-06-01T08:00:00Z')),
        expirationDate: '2030-01-01T00:00:00Z',
      },
      faceCheckScore: 93,
    });
    expect(presented.callbackStatus).toBe(403);
    const megan = await cardAs(harness, cast.megan, started.requestId);
    expect(megan.text).toContain('issued before this account was created');
    expect(megan.text).not.toContain('Passed:');
    expect(megan.actions).not.toContain('Approve');
  });

  it('a credential under the person’s previous sign-in name asks for a reissue in My Account, not "someone else"', async () => {
    const renamed = 'adele.vance-ito@contoso.com';
    harness.graph.renameUser(cast.adele.aadObjectId, renamed);
    try {
      const started = await fileAndStartVerification(harness);
      const { presented, browser } = await verifyAsCaller(harness, started, {
        credential: verifiedEmployee(ADELE, ISSUER),
        faceCheckScore: 90,
      });
      expect(presented.callbackStatus).toBe(403);
      const megan = await cardAs(harness, cast.megan, started.requestId);
      expect(megan.text).toContain('Ask them to reissue their work credential in My Account');
      expect(megan.text).not.toContain('belongs to someone else');
      const page = await browser.open(started.link);
      expect(page.html).toContain('reissue their work credential in My Account');

      // Reissued under the new name, after the rename, it verifies.
      const again = await fileAndStartVerification(harness);
      const reissued = await verifyAsCaller(harness, again, {
        credential: verifiedEmployee({ ...ADELE, userPrincipalName: renamed }, ISSUER, new Date(Date.now() + 1000)),
        faceCheckScore: 90,
      });
      expect(reissued.presented.callbackStatus).toBe(200);
      expect((await cardAs(harness, cast.megan, again.requestId)).text).toContain(
        'Passed: VerifiedEmployee matched by sign-in name',
      );
    } finally {
      harness.graph.renameUser(cast.adele.aadObjectId, ADELE.userPrincipalName);
    }
  });

  it('a credential issued before the account got its current sign-in name belongs to whoever held that name before', async () => {
    // Adele is renamed away and back: a credential issued in between names her current UPN but predates her having it.
    harness.graph.renameUser(cast.adele.aadObjectId, 'adele.v@contoso.com');
    harness.graph.renameUser(cast.adele.aadObjectId, ADELE.userPrincipalName);
    const started = await fileAndStartVerification(harness);
    const { presented } = await verifyAsCaller(harness, started, {
      credential: verifiedEmployee(ADELE, ISSUER, new Date(Date.now() - 3600_000)),
      faceCheckScore: 90,
    });
    expect(presented.callbackStatus).toBe(403);
    const megan = await cardAs(harness, cast.megan, started.requestId);
    expect(megan.text).toContain('issued before this account got its current sign-in name');
  });
});
