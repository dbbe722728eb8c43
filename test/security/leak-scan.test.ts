import { describe, expect, it } from 'vitest';
import { startHarness } from '../harness.js';

describe('the suite-wide leak scan', () => {
  it('fails a test run whose logs contain a pass the tenant issued', async () => {
    const harness = await startHarness();
    const created = await fetch(
      `${harness.graph.baseUrl}/users/11111111-0000-4000-8000-000000000001/authentication/temporaryAccessPassMethods`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lifetimeInMinutes: 60, isUsableOnce: true }),
      },
    );
    const { temporaryAccessPass } = await created.json();
    expect(harness.issuedPasses).toEqual([temporaryAccessPass]);
    harness.logs.push(JSON.stringify({ msg: 'oops', detail: `pass is ${temporaryAccessPass}` }));
    await expect(harness.close()).rejects.toThrow(/a secret appears in log line/);
  });

  it('fails when a configured secret or a bearer token reaches the logs', async () => {
    const harness = await startHarness({ env: { GRAPH_CLIENT_SECRET: 'client-secret-value-123' } });
    harness.logs.push(
      '{"msg":"calling graph","secret":"client-secret-value-123"}',
      '{"authorization":"Bearer eyJhbGciOi.eyJzdWIiOiIx.sig"}',
    );
    await expect(harness.close()).rejects.toThrow(/a secret appears in log line .*a bearer token appears/);
  });
});

describe('the leak scan covers caller verification', () => {
  it('fails a run whose verification page shows a secret, or whose logs carry a callback api-key, state or browser cookie', async () => {
    const { startVerifying, fileAndStartVerification, CallerBrowser, callbackSecrets } = await import(
      '../verification/helpers.js'
    );
    const harness = await startVerifying('required');
    const started = await fileAndStartVerification(harness);
    const browser = new CallerBrowser(harness);
    await browser.enterCode(started.link, started.code);
    const { apiKey, state } = callbackSecrets(harness, started.sessionId);
    harness.pages.push({ where: 'a verification page', text: `<p>your code is ${started.code}</p>` });
    harness.logs.push(
      JSON.stringify({ msg: 'callback', apiKey }),
      JSON.stringify({ msg: 'callback', state }),
      JSON.stringify({ cookie: browser.cookie }),
    );
    await expect(harness.close()).rejects.toThrow(
      /(a secret appears in log line \d+; ){3}a secret appears in a verification page/,
    );
  });
});
