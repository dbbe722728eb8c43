import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEligibilityFacts } from '../../src/directory/facts.js';
import { Graph } from '../../src/directory/graph.js';
import { TenantFacts } from '../../src/directory/tenant.js';
import { findUsers } from '../../src/directory/users.js';
import { checkEligibility } from '../../src/eligibility/rules.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { type SyntheticTenant, syntheticTenant } from '../../src/emulator/synthetic.js';
import { createLogger } from '../../src/log.js';
import { CSV_HEADER, csvRow, csvStart, parseCsv, requirementColumn } from '../../src/readiness/csv.js';
import { REQUIREMENT_IDS } from '../../src/readiness/report.js';
import { scanReadiness } from '../../src/readiness/scan.js';

const MEMBERS = 2_000;
type Run = { summary: Awaited<ReturnType<typeof scanReadiness>>; rows: string[][]; progress: number[] };

describe('the readiness report over a generated tenant of 2,000 members with known problems', () => {
  let synthetic: SyntheticTenant;
  let emulator: GraphEmulator;
  let graph: Graph;
  let report: Run;
  let requests: GraphEmulator['requests'];
  const now = new Date();

  beforeAll(async () => {
    synthetic = syntheticTenant({ members: MEMBERS, seed: 42, now });
    emulator = await startGraphEmulator({ tenant: synthetic.tenant, now: () => now });
    graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
    report = await run();
    requests = [...emulator.requests];
  });
  afterAll(() => emulator.close());

  const run = async (): Promise<Run> => {
    emulator.resetRequests();
    let csv = csvStart();
    const progress: number[] = [];
    const summary = await scanReadiness(graph, new TenantFacts(graph, { groupIds: [], mode: 'production' }), {
      now,
      onMember: (user, eligibility) => void (csv += csvRow(user, eligibility)),
      onProgress: ({ scanned }) => progress.push(scanned),
    });
    return { summary, rows: parseCsv(csv), progress };
  };

  it('counts ready and not-ready members and each failing requirement as generated', async () => {
    const { summary } = report;
    const { expected } = synthetic;
    expect(summary.scanned).toBe(expected.members);
    expect(summary.ready).toBe(expected.ready);
    expect(summary.notReady).toBe(expected.notReady);
    for (const id of REQUIREMENT_IDS) {
      expect(summary.byRequirement[id].fail, `${id} fails`).toBe(expected.failing[id] ?? 0);
      expect(summary.byRequirement[id].unknown, `${id} unknown`).toBe(0);
    }
    expect(summary.byRequirement.E2.warn).toBe(expected.warnings.E2);
    expect(summary.byRequirement.E10.warn).toBe(expected.warnings.E10);
    expect(summary.groups).toEqual(['acl_ssar_enabled']);
  });

  it('names the top fixes in plain words, most common first', async () => {
    const { summary } = report;
    const { failing } = synthetic.expected;
    expect(summary.topFixes[0]).toBe(
      `${failing.E3} never signed in: SSAR is not offered to them; escalate for a human-approved TAP`,
    );
    expect(summary.topFixes).toContain(
      `${failing.E5} users share a first and last name with someone in the group: rename or move one of each pair out`,
    );
    expect(summary.topFixes.some((line) => line.startsWith(`${failing.E6} outside the TAP policy`))).toBe(true);
  });

  it('writes one CSV row per member with each requirement and the fix', async () => {
    const { rows } = report;
    expect(rows[0]).toEqual(CSV_HEADER);
    expect(rows).toHaveLength(MEMBERS + 1);
    const column = (name: string) => CSV_HEADER.indexOf(name);
    const upns = new Set(rows.slice(1).map((row) => row[0]));
    expect(upns.size).toBe(MEMBERS);
    const neverSignedIn = rows.filter((row) => row[column(requirementColumn('E3'))] === 'fail');
    expect(neverSignedIn).toHaveLength(synthetic.expected.failing.E3!);
    expect(neverSignedIn[0]![column('What to fix')]).toContain('E3: Helpdesk: SSAR is not offered');
    const emptySurname = rows.filter((row) => row[column(requirementColumn('E4'))] === 'fail');
    expect(emptySurname.every((row) => row[column('Last name')] === '')).toBe(true);
  });

  it('gives every member the verdict the per-user check gives', async () => {
    const { rows } = report;
    const tenantFacts = new TenantFacts(graph, { groupIds: [], mode: 'production' });
    const sample = rows.slice(1).filter((_, i) => i % 97 === 0);
    for (const row of sample) {
      const user = synthetic.tenant.users.find((u) => u.userPrincipalName === row[0])!;
      const [directoryUser] = await findUsers(graph, { kind: 'id', id: user.id });
      const single = checkEligibility(await readEligibilityFacts(graph, tenantFacts, directoryUser!, now));
      expect(row.slice(4, 17), user.userPrincipalName).toEqual([
        single.verdict,
        ...single.results.map((r) => r.status),
      ]);
    }
  });

  it('needs about one request per ten members, within a small factor of the pages and batches it cannot avoid', async () => {
    const { progress } = report;
    const topLevel = requests.filter((r) => !r.inBatch).length;
    const memberPages = Math.ceil(MEMBERS / 999);
    // Floor: member pages + one batch of 20 per 20 members' authentication methods (no tenant-wide list keeps their types).
    const floor = memberPages + Math.ceil(MEMBERS / 20);
    expect(topLevel).toBeLessThanOrEqual(Math.ceil(MEMBERS / 10) + 4 * memberPages + 10);
    expect(topLevel / floor).toBeLessThan(2.5);
    expect(requests.some((r) => r.path.includes('$top=999') && r.path.includes('transitiveMembers'))).toBe(true);
    expect(progress.at(-1)).toBe(MEMBERS);
  });

  it('stops when cancelled and reports what it saw so far', async () => {
    const controller = new AbortController();
    const summary = await scanReadiness(graph, new TenantFacts(graph, { groupIds: [], mode: 'production' }), {
      now,
      signal: controller.signal,
      onProgress: ({ scanned }) => {
        if (scanned >= 100) controller.abort();
      },
    });
    expect(summary.cancelled).toBe(true);
    expect(summary.scanned).toBeGreaterThanOrEqual(100);
    expect(summary.scanned).toBeLessThan(MEMBERS);
  });

  it('retries members whose reads Graph throttled inside a batch', async () => {
    emulator.failNext({ path: /authentication\/methods/ }, { status: 429, retryAfterSeconds: 0 }, 5);
    emulator.resetRequests();
    const controller = new AbortController();
    const summary = await scanReadiness(graph, new TenantFacts(graph, { groupIds: [], mode: 'production' }), {
      now,
      signal: controller.signal,
      onProgress: ({ scanned }) => scanned >= 200 && controller.abort(),
    });
    expect(summary.scanned).toBeGreaterThanOrEqual(200);
    expect(summary.byRequirement.E10.unknown).toBe(0);
    expect(emulator.requests.filter((r) => r.status === 429)).toHaveLength(5);
  });

  it('generates the same tenant for the same seed', () => {
    const again = syntheticTenant({ members: MEMBERS, seed: 42, now });
    expect(again.expected).toEqual(synthetic.expected);
    expect(again.tenant.users.map((u) => u.displayName)).toEqual(synthetic.tenant.users.map((u) => u.displayName));
  });
});
