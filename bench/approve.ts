import { people, startHarness } from '../test/harness.js';
import { requestCounts } from './measure.js';

export interface ApproveBenchmark {
  /** Graph requests for one Approve (the pass created and delivered) as Graph's throttling counts them: each request inside a `$batch` once, the envelope not. */
  graphRequestsPerApprove: number;
  /** The same as HTTP requests sent ($batch envelopes counted once) and requests carried inside them. */
  http: { topLevel: number; inBatch: number };
  /** Each request's method and path, in order, so a change in the count can be read. */
  requests: string[];
}

/**
 * What one Approve costs in Graph requests: the helpdesk agent files a request for Adele Vance
 * through POST /api/messages as Teams would, then her manager presses Approve; only the requests
 * the emulator saw during the Approve turn are counted.
 */
export async function benchmarkApprove(): Promise<ApproveBenchmark> {
  const harness = await startHarness();
  try {
    const adele = '11111111-0000-4000-8000-000000000001';
    for (const person of [people.agent, people.manager]) await harness.say(person, 'hi');
    await harness.invoke(people.agent, 'escalate.start', { userId: adele });
    const filed = await harness.invoke(people.agent, 'escalate.submit', {
      userId: adele,
      reason: 'Lost her phone',
      verification: 'video-call-with-id',
    });
    const requestId = filed.body?.value?.refresh?.action?.data?.requestId;
    if (typeof requestId !== 'string') throw new Error('the bench could not file a request');
    harness.graph.resetRequests();
    await harness.invoke(people.manager, 'escalation.approve', { requestId });
    const requests = [...harness.graph.requests];
    if (harness.issuedPasses.length !== 1) throw new Error('the Approve did not issue a pass');
    return {
      graphRequestsPerApprove: requests.filter((r) => r.inBatch || r.path !== '/$batch').length,
      http: requestCounts(requests),
      requests: requests.map((r) => `${r.inBatch ? '  (in $batch) ' : ''}${r.method} ${r.path}`),
    };
  } finally {
    await harness.close();
  }
}

export function approveReport(result: ApproveBenchmark): string {
  const { topLevel, inBatch } = result.http;
  return `Graph requests per Approve (the manager approves a filed request; the pass created and delivered): ${result.graphRequestsPerApprove} (${topLevel} HTTP requests, ${inBatch} of the requests inside $batch)`;
}
