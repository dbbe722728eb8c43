import { describe, expect, it } from 'vitest';
import { startHarness } from '../harness.js';

describe('the suite-wide leak scan', () => {
  it('fails a test run whose logs contain a pass the tenant issued', async () => {
    const harness = await startHarness();
    const created = await fetch(`${harness.graph.baseUrl}/users/11111111-0000-4000-8000-000000000001/authentication/temporaryAccessPassMethods`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lifetimeInMinutes: 60, isUsableOnce: true }),
    });
    const { temporaryAccessPass } = await created.json();
    expect(harness.issuedPasses).toEqual([temporaryAccessPass]);
    harness.logs.push(JSON.stringify({ msg: 'oops', detail: `pass is ${temporaryAccessPass}` }));
    await expect(harness.close()).rejects.toThrow(/a secret appears in log line/);
  });

  it('fails when a configured secret or a bearer token reaches the logs', async () => {
    const harness = await startHarness({ env: { GRAPH_CLIENT_SECRET: 'client-secret-value-123' } });
    harness.logs.push('{"msg":"calling graph","secret":"client-secret-value-123"}', '{"authorization":"Bearer eyJhbGciOi.eyJzdWIiOiIx.sig"}');
    await expect(harness.close()).rejects.toThrow(/a secret appears in log line .*a bearer token appears/);
  });
});
