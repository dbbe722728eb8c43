import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { loadTenant } from '../../src/emulator/tenant.js';
import { classify, resourceUnitQuota } from '../../src/emulator/throttling.js';

/** A clock the test moves by hand: budgets refill only when it says so. */
function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, sleep: async (ms) => void (now += ms), advance: (ms) => void (now += ms) };
}

const NOW = new Date('2031-05-04T10:00:00.000Z');
const ADELE = '11111111-0000-4000-8000-000000000001';

describe("the emulator's throttling budgets (learn.microsoft.com/graph/throttling-limits)", () => {
  let emulator: GraphEmulator;
  const clock = manualClock();
  const get = (path: string) => fetch(`${emulator.baseUrl}${path}`);
  const batch = (urls: string[]) =>
    fetch(`${emulator.baseUrl}/$batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: urls.map((url, i) => ({ id: String(i), method: 'GET', url })) }),
    }).then(
      (r) => r.json() as Promise<{ responses: Array<{ id: string; status: number; headers: Record<string, string> }> }>,
    );

  beforeAll(async () => {
    emulator = await startGraphEmulator({
      tenant: await loadTenant(undefined, NOW),
      now: () => NOW,
      budgets: { clock },
    });
  });
  afterAll(() => emulator.close());

  it('allows 5 reports requests per 10 seconds and answers the sixth with 429 and the Retry-After', async () => {
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) expect((await get(`/users/${ADELE}/authentication/methods`)).status).toBe(200);
    const throttled = await get('/auditLogs/directoryAudits');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBe(10);
    expect((await throttled.json()).error.code).toBe('TooManyRequests');
    clock.advance(10_000);
    expect((await get('/auditLogs/directoryAudits')).status).toBe(200);
  });

  it('counts every request inside a $batch on its own', async () => {
    clock.advance(60_000);
    const { responses } = await batch(Array.from({ length: 7 }, () => `/users/${ADELE}/authentication/methods`));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(5);
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]!.headers['Retry-After']).toBe('10');
  });

  it('allows 10 requests a minute that select signInActivity', async () => {
    clock.advance(120_000);
    for (let i = 0; i < 10; i++) expect((await get(`/users/${ADELE}?$select=id,signInActivity`)).status).toBe(200);
    const throttled = await get('/users?$select=id,signInActivity&$top=500');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBe(60);
    // Other reads are not in that budget.
    expect((await get(`/users/${ADELE}?$select=id,displayName`)).status).toBe(200);
  });

  it('prices requests in resource units as documented', () => {
    const q = (text: string) => new URLSearchParams(text);
    expect(classify('GET', '/users', q(''))).toEqual({ budget: 'resourceUnits', cost: 2 });
    expect(classify('GET', '/users', q('$select=id'))).toEqual({ budget: 'resourceUnits', cost: 1 });
    expect(classify('GET', '/groups/g/transitiveMembers/microsoft.graph.user', q('$select=id&$top=999'))).toEqual({
      budget: 'resourceUnits',
      cost: 4,
    });
    expect(classify('POST', `/users/${ADELE}/checkMemberGroups`, q(''))).toEqual({ budget: 'resourceUnits', cost: 4 });
    expect(classify('GET', '/subscribedSkus', q('$select=skuPartNumber'))).toEqual({
      budget: 'resourceUnits',
      cost: 2,
    });
    expect(classify('GET', `/users/${ADELE}`, q('$top=5'))).toEqual({ budget: 'resourceUnits', cost: 1 });
    expect(classify('GET', '/reports/authenticationMethods/userRegistrationDetails', q(''))).toEqual({
      budget: 'reports',
      cost: 1,
    });
    expect([resourceUnitQuota(49), resourceUnitQuota(50), resourceUnitQuota(501)]).toEqual([3_500, 5_000, 8_000]);
  });
});
