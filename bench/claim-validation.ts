import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_EXTENSION_AUDIENCE, DEMO_RECORDS_PATH } from '../src/emulator/claim-validation-demo.js';
import { startEntraLoginEmulator } from '../src/emulator/entra-login.js';
import { startGraphEmulator } from '../src/emulator/graph-emulator.js';
import { DEMO_TENANT_PATH, loadTenant } from '../src/emulator/tenant.js';
import { CLAIM_VALIDATION_PATH } from '../src/recovery-extension/route.js';
import { forkChild } from './child.js';
import { percentile, requestCounts, round } from './measure.js';

const BOT_PROCESS = join(import.meta.dirname, 'extension-process.ts');

/**
 * The claim validation extension under Entra's limits (issue 30): Entra waits 1 to 2 seconds and
 * retries once, so the target is p99 <= 500 ms with Graph answering at 50 ms and 20 callouts in
 * flight. Callouts go over HTTP to the real bot, signed by the Entra emulator (tokens signed before
 * the clock starts), for the demo people in turn: own ID, wrong date, namesake, a role holder.
 * The bot runs in a process of its own, so its CPU time is its own; the emulators and the load
 * generator stay in this one.
 */
export interface ClaimValidationBenchmark {
  callouts: number;
  concurrency: number;
  graphLatencyMs: number;
  /** The first callout after start: keys, OpenID configuration and role grants already warmed at start-up. */
  firstCalloutMs: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  calloutsPerSecond: number;
  /** CPU time (user + system) of the bot's process per callout, in the timed phase. */
  botCpuMsPerCallout: number;
  answers: { pass: number; failed: number; other: number };
  /** Per callout, as the Graph emulator counted them. */
  graphRequestsPerCallout: { topLevel: number; inBatch: number };
  reportsBudgetRequests: number;
  /** Retries with the same correlation id whose answer differed from the first: must be 0. */
  retriesAnsweredDifferently: number;
  retries: number;
  target: { p99Under500ms: boolean };
}

const CASES: Array<{ upn: string; claims: Record<string, string> }> = [
  { upn: 'jon.doe@contoso.com', claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14' } },
  { upn: 'jon.doe2@contoso.com', claims: { firstName: 'Jón', lastName: 'Doe', dateOfBirth: '1992-11-02' } },
  { upn: 'jon.doe2@contoso.com', claims: { firstName: 'Jon', lastName: 'Doe', dateOfBirth: '1985-03-14' } },
  { upn: 'adele.vance@contoso.com', claims: { firstName: 'Adele', lastName: 'Vance', dateOfBirth: '1990-06-22' } },
  { upn: 'nestor.wilke@contoso.com', claims: { firstName: 'Nestor', lastName: 'Wilke', dateOfBirth: '1979-09-30' } },
];

export async function benchmarkClaimValidation(options: {
  callouts: number;
  concurrency: number;
  graphLatencyMs: number;
}): Promise<ClaimValidationBenchmark> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ssar-bench-cv-'));
  const tenant = await loadTenant(DEMO_TENANT_PATH);
  const graph = await startGraphEmulator({ tenant });
  const entra = await startEntraLoginEmulator({ tenantId: tenant.tenantId });
  const { child, ready } = await forkChild<{ url: string }>(BOT_PROCESS, [
    graph.baseUrl,
    tenant.tenantId,
    dataDir,
    entra.baseUrl,
    DEMO_RECORDS_PATH,
    DEMO_EXTENSION_AUDIENCE,
  ]);
  const botCpu = async () => (await child.ask<{ cpuMs: number }>({ kind: 'cpu' })).cpuMs;
  const demo = { emulator: graph };
  const url = `${ready.url}${CLAIM_VALIDATION_PATH}`;
  try {
    demo.emulator.setLatency(options.graphLatencyMs);
    const prepared = async (i: number, correlationId = randomUUID()) => {
      const chosen = CASES[i % CASES.length]!;
      return {
        body: JSON.stringify(
          entra.calloutBody({ userPrincipalName: chosen.upn, claims: chosen.claims, correlationId }),
        ),
        authorization: `Bearer ${await entra.token(DEMO_EXTENSION_AUDIENCE)}`,
        correlationId,
      };
    };
    const send = async (callout: { body: string; authorization: string }) => {
      const started = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: callout.authorization },
        body: callout.body,
      });
      const answer = (await response.json().catch(() => undefined)) as any;
      const type: string = answer?.data?.actions?.[0]?.['@odata.type'] ?? '';
      return { ms: performance.now() - started, type: response.status === 200 ? type : `HTTP ${response.status}` };
    };

    const first = await send(await prepared(0));
    const work = await Promise.all(Array.from({ length: options.callouts }, (_, i) => prepared(i + 1)));
    demo.emulator.resetRequests();
    const latencies: number[] = [];
    const answers = { pass: 0, failed: 0, other: 0 };
    const firstAnswers = new Map<string, string>();
    let next = 0;
    const cpuBefore = await botCpu();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < work.length) {
          const callout = work[next++]!;
          const { ms, type } = await send(callout);
          latencies.push(ms);
          firstAnswers.set(callout.correlationId, type);
          if (type.endsWith('.pass')) answers.pass++;
          else if (type.endsWith('.failed')) answers.failed++;
          else answers.other++;
        }
      }),
    );
    const elapsed = performance.now() - started;
    const cpuDuring = (await botCpu()) - cpuBefore;
    const requests = demo.emulator.requests;
    const counts = requestCounts(requests);
    const reports = requests.filter((r) => /auditlogs|\/authentication|^\/reports/i.test(r.path)).length;

    // Entra's retry: the same callout again (same correlation id), fresh token.
    const retried = work.slice(0, Math.min(work.length, 50));
    let differently = 0;
    for (const callout of retried) {
      const again = await send({
        ...callout,
        authorization: `Bearer ${await entra.token(DEMO_EXTENSION_AUDIENCE)}`,
      });
      if (again.type !== firstAnswers.get(callout.correlationId)) differently++;
    }
    const p99 = percentile(latencies, 0.99);
    return {
      callouts: work.length,
      concurrency: options.concurrency,
      graphLatencyMs: options.graphLatencyMs,
      firstCalloutMs: round(first.ms),
      latencyMs: {
        p50: round(percentile(latencies, 0.5)),
        p95: round(percentile(latencies, 0.95)),
        p99: round(p99),
        max: round(Math.max(...latencies)),
        mean: round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      },
      calloutsPerSecond: round((work.length / elapsed) * 1000),
      botCpuMsPerCallout: round(cpuDuring / work.length),
      answers,
      graphRequestsPerCallout: {
        topLevel: round(counts.topLevel / work.length),
        inBatch: round(counts.inBatch / work.length),
      },
      reportsBudgetRequests: reports,
      retriesAnsweredDifferently: differently,
      retries: retried.length,
      target: { p99Under500ms: p99 <= 500 },
    };
  } finally {
    await child.close();
    await entra.close();
    await graph.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function claimValidationReport(result: ClaimValidationBenchmark): string {
  const { latencyMs: l } = result;
  return [
    `Claim validation extension: ${result.callouts} callouts, ${result.concurrency} in flight, Graph at ${result.graphLatencyMs} ms`,
    `  latency ms: p50 ${l.p50}, p95 ${l.p95}, p99 ${l.p99}, max ${l.max} (target p99 <= 500: ${result.target.p99Under500ms ? 'met' : 'MISSED'}); first callout ${result.firstCalloutMs} ms`,
    `  ${result.calloutsPerSecond} callouts/s; bot CPU ${result.botCpuMsPerCallout} ms a callout; answers: ${result.answers.pass} pass, ${result.answers.failed} failed, ${result.answers.other} other`,
    `  Graph per callout: ${result.graphRequestsPerCallout.topLevel} requests (${result.graphRequestsPerCallout.inBatch} inside $batch); reports budget: ${result.reportsBudgetRequests}`,
    `  retries (same correlation id): ${result.retries}, answered differently: ${result.retriesAnsweredDifferently}`,
  ].join('\n');
}
