import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clock, scaledClock } from '../../src/clock.js';
import { DOCUMENTED_BUDGETS, GraphBudget } from '../../src/directory/budget.js';
import { readEligibilityFacts } from '../../src/directory/facts.js';
import { Graph } from '../../src/directory/graph.js';
import { TenantFacts } from '../../src/directory/tenant.js';
import { type GraphEmulator, startGraphEmulator } from '../../src/emulator/graph-emulator.js';
import { type SyntheticTenant, syntheticTenant } from '../../src/emulator/synthetic.js';
import { createLogger } from '../../src/log.js';
import { storeCheckpoint } from '../../src/readiness/checkpoint.js';
import { REQUIREMENT_IDS, type ReadinessSummary } from '../../src/readiness/report.js';
import { type ReadinessProgress, scanReadiness } from '../../src/readiness/scan.js';
import { FileStore } from '../../src/storage/file-store.js';

/*
 * The readiness report against an emulator that rations Graph as Microsoft documents it (5 reports
 * requests per 10 s, 10 signInActivity requests per minute, resource units; $batch items counted
 * one by one). Emulator and bot share one clock running 20 times faster than real time, so the
 * budget's minutes pass in moments and no test sleeps.
 */

const MEMBERS = 6_000;
// Fast enough that a minute of budget passes in 3 s, slow enough that a busy machine's CPU time stays small beside it.
const SPEED = 20;

describe(`the readiness report of ${MEMBERS.toLocaleString('en-US')} members under Graph's documented budgets`, () => {
  let synthetic: SyntheticTenant;
  let emulator: GraphEmulator;
  let clock: Clock;
  const now = new Date();
  let dataDir: string;
  let store: FileStore;

  beforeAll(async () => {
    synthetic = syntheticTenant({ members: MEMBERS, seed: 7, now });
    clock = scaledClock(SPEED);
    emulator = await startGraphEmulator({ tenant: synthetic.tenant, now: () => now, budgets: { clock } });
    dataDir = await mkdtemp(join(tmpdir(), 'ssar-budget-scan-'));
    store = new FileStore({ dataDir });
    await store.open();
  });
  afterAll(async () => {
    await emulator.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A bot's Graph clients: one budget shared by the interactive client and the scan's background one. */
  const botGraph = () =>
    new Graph({
      baseUrl: emulator.baseUrl,
      log: createLogger('silent'),
      budget: new GraphBudget(clock, DOCUMENTED_BUDGETS),
    });
  const tenantFactsOf = (graph: Graph) => new TenantFacts(graph, { groupIds: [], mode: 'production' });

  const expectGeneratedCounts = (summary: ReadinessSummary) => {
    const { expected } = synthetic;
    expect(summary.cancelled).toBe(false);
    expect(summary.scanned).toBe(expected.members);
    expect(summary.ready).toBe(expected.ready);
    for (const id of REQUIREMENT_IDS) {
      expect(summary.byRequirement[id].fail, `${id} fails`).toBe(expected.failing[id] ?? 0);
      // No member is unknown because Graph throttled the scan.
      expect(summary.byRequirement[id].unknown, `${id} unknown`).toBe(0);
    }
    expect(summary.byRequirement.E10.warn).toBe(expected.warnings.E10);
  };

  it('finishes with every count right, waiting for the budgets instead of failing, and says what it waited for', async () => {
    emulator.resetRequests();
    const graph = botGraph();
    const waits: string[] = [];
    const started = clock.now();
    const summary = await scanReadiness(graph, tenantFactsOf(graph), {
      now,
      onProgress: (p) => p.waitingFor && waits.push(p.waitingFor),
    });
    expectGeneratedCounts(summary);
    const signInRequests = emulator.requests.filter((r) => /signInActivity/i.test(r.path));
    // Sign-in activity for the whole tenant in pages of 500, not one read per member.
    expect(signInRequests.length).toBe(Math.ceil(synthetic.tenant.users.length / 500));
    // More sign-in pages than one minute admits: the scan had to wait at least one window.
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(waits.some((text) => /^waiting \d+ s for Graph's sign-in activity limit$/.test(text))).toBe(true);
    expect(summary.notes.join(' ')).toMatch(/whole tenant/);
    expect(summary.notes.join(' ')).toMatch(/periodic snapshot/);
  });

  it('waits out a Retry-After of 120 seconds instead of giving up', async () => {
    emulator.resetRequests();
    emulator.failNext({ path: /\/users\?.*signInActivity/ }, { status: 429, retryAfterSeconds: 120 });
    const graph = botGraph();
    const started = clock.now();
    const summary = await scanReadiness(graph, tenantFactsOf(graph), { now });
    expectGeneratedCounts(summary);
    expect(
      emulator.requests.filter((r) => r.status === 429 && /signInActivity/.test(r.path)).length,
    ).toBeGreaterThanOrEqual(1);
    expect(clock.now() - started).toBeGreaterThanOrEqual(120_000);
  });

  it('resumes from its checkpoint after a restart, without reading the saved pages again', async () => {
    const jobId = 'restart-test';
    const checkpoint = storeCheckpoint(store, jobId);
    const firstRun = new AbortController();
    let graph = botGraph();
    emulator.resetRequests();
    const partial = await scanReadiness(graph, tenantFactsOf(graph), {
      now,
      checkpoint,
      signal: firstRun.signal,
      onProgress: () => {
        if (emulator.requests.filter((r) => /signInActivity/.test(r.path) && r.status === 200).length >= 4)
          firstRun.abort();
      },
    });
    expect(partial.cancelled).toBe(true);
    const before = emulator.requests.filter((r) => /signInActivity/.test(r.path) && r.status === 200).length;
    expect(before).toBeGreaterThanOrEqual(4);

    // A new process: new clients, new budget, the same store.
    graph = botGraph();
    emulator.resetRequests();
    const resumed = await scanReadiness(graph, tenantFactsOf(graph), {
      now,
      checkpoint: storeCheckpoint(store, jobId),
    });
    expectGeneratedCounts(resumed);
    const again = emulator.requests.filter((r) => /signInActivity/.test(r.path) && r.status === 200);
    const pages = Math.ceil(synthetic.tenant.users.length / 500);
    expect(again.length).toBeLessThanOrEqual(pages - 4 + 1);
    // The first page (no skip token) was not asked for again.
    expect(again.some((r) => !r.path.includes('$skiptoken'))).toBe(false);
    await checkpoint.clear();
    expect(await checkpoint.load()).toEqual({});
  });

  it('answers an interactive check during the scan at once, saying which facts Graph is throttling', async () => {
    const graph = botGraph();
    const tenantFacts = tenantFactsOf(graph);
    let scanDone = false;
    let waiting: ReadinessProgress | undefined;
    const scan = scanReadiness(graph, tenantFacts, {
      now,
      onProgress: (p) => (waiting ??= p.waitingFor?.includes('sign-in') ? p : undefined),
    }).finally(() => (scanDone = true));
    // Let the scan use up its share of the sign-in budget.
    while (!waiting && !scanDone) await clock.sleep(1_000);
    expect(scanDone).toBe(false);
    const member = synthetic.tenant.users.find((u) => u.accountEnabled !== false && u.signInActivity)!;
    const user = {
      id: member.id,
      accountEnabled: true,
      userType: member.userType,
      givenName: member.givenName,
      surname: member.surname,
      displayName: member.displayName,
      userPrincipalName: member.userPrincipalName,
    };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await readEligibilityFacts(graph, tenantFacts, user, now));
    // Every check came back while the scan was still waiting for Graph: nobody queued behind it.
    expect(scanDone).toBe(false);
    for (const facts of answers) expect(facts.tapPolicy.known).toBe(true);
    const reasons = answers.flatMap((facts) =>
      [facts.lastSuccessfulSignIn, facts.authenticationMethods].flatMap((fact) => (fact.known ? [] : [fact.reason])),
    );
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason).toMatch(/^Graph is throttling, retry in \d+ s$/);
    expectGeneratedCounts(await scan);
  });
});
