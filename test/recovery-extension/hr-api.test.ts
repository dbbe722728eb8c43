import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness.js';
import { callout, failedAnswer, ownClaims, passAnswer, rememberClaimValues } from './helpers.js';

/*
 * RECOVERY_CLAIMS_SOURCE as the URL of an HR API with the contract of Microsoft's tutorial
 * (tutorial-custom-authentication-extension-account-recovery.md, "Switch to production: use the HR
 * API provider"): POST {base}/validate with {upn, employeeId, claims}, answered {"result":"pass"} or
 * {"result":"fail","failedClaims":[...]}. This HR API passes Adele with her date of birth, fails
 * anyone else on dateOfBirth, and for Jon Doe echoes a value, as a careless API might.
 */
describe('claim validation against an HR API', () => {
  let harness: Harness;
  let hr: Server;
  const asked: Array<{ upn: string; employeeId?: string; claims: Record<string, string> }> = [];
  let down = false;

  beforeAll(async () => {
    hr = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (down || req.method !== 'POST' || req.url !== '/api/validate') {
          res.writeHead(down ? 503 : 404);
          res.end();
          return;
        }
        const request = JSON.parse(body);
        asked.push(request);
        const answer =
          request.upn === 'adele.vance@contoso.com' && request.claims.dateOfBirth === '1990-06-21'
            ? { result: 'pass' }
            : request.upn === 'jon.doe@contoso.com'
              ? { result: 'fail', failedClaims: ['dateOfBirth', request.claims.dateOfBirth] }
              : { result: 'fail', failedClaims: ['dateOfBirth'] };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => hr.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(hr.address() as AddressInfo).port}/api`;
    harness = await startHarness({ claimValidation: true, env: { RECOVERY_CLAIMS_SOURCE: base } });
    rememberClaimValues(harness);
  });
  afterAll(async () => {
    await harness.close();
    await new Promise<void>((resolve) => hr.close(() => resolve()));
  });

  it("passes when the HR API says pass, after sending it the tutorial's request", async () => {
    const upn = 'adele.vance@contoso.com';
    expect(
      (await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn), employeeId: 'E1001' })).body,
    ).toEqual(passAnswer);
    expect(asked.at(-1)).toEqual({ upn, employeeId: 'E1001', claims: ownClaims(upn) });
  });

  it('fails with the claims the HR API names', async () => {
    const upn = 'isaiah.langer@contoso.com';
    expect((await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) })).body).toEqual(
      failedAnswer(['dateOfBirth']),
    );
  });

  it('an HR API that echoes a value in failedClaims: only claim names presented reach the answer', async () => {
    const upn = 'jon.doe@contoso.com';
    expect((await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) })).body).toEqual(
      failedAnswer(['dateOfBirth']),
    );
  });

  it('a required claim not presented fails without asking the HR API', async () => {
    const before = asked.length;
    const { dateOfBirth: _left, ...claims } = ownClaims('adele.vance@contoso.com');
    expect((await callout(harness, { userPrincipalName: 'adele.vance@contoso.com', claims })).body).toEqual(
      failedAnswer(['dateOfBirth']),
    );
    expect(asked.length).toBe(before);
  });

  it('an HR API that cannot answer fails the callout, with the reason logged', async () => {
    down = true;
    const upn = 'adele.vance@contoso.com';
    expect((await callout(harness, { userPrincipalName: upn, claims: ownClaims(upn) })).body).toEqual(failedAnswer([]));
    expect(harness.logs.some((line) => line.includes('the HR API answered HTTP 503'))).toBe(true);
    down = false;
  });
});
