import type { Actor } from '../src/app/actor.js';
import { checkUser } from '../src/app/check.js';
import { Directory } from '../src/directory/directory.js';
import { Graph } from '../src/directory/graph.js';
import { TenantFacts } from '../src/directory/tenant.js';
import { startGraphEmulator } from '../src/emulator/graph-emulator.js';
import { DEMO_TENANT_PATH, loadTenant } from '../src/emulator/tenant.js';
import { createLogger } from '../src/log.js';
import { median, roundTripWaves } from './measure.js';

/** Round trips of a warm check by sign-in name before the one fact source (the user, then one `$batch`). */
export const WARM_CHECK_ROUND_TRIPS_BEFORE = 2;

interface RoundTrips {
  users: number;
  median: number;
  max: number;
}

export interface WarmCheckRoundTrips {
  /** Members of the recovery groups: the name index holds their id and names before their own reads. */
  recoveryMembers: RoundTrips;
  /** Everyone else in the demo tenant: their id and names come from reading the user first. */
  others: RoundTrips;
  before: number;
}

const AGENT: Actor = {
  id: 'bench-agent',
  name: 'Bench agent',
  tenantId: 'bench',
  isHelpdeskAgent: true,
  isApprover: false,
};

/**
 * "check <upn>" as the use case runs it (app/check.ts) with the tenant-wide facts warm: how many
 * Graph round trips the person waits for, for every demo user. Simulated latency makes requests
 * sent together overlap, so waves count round trips (see roundTripWaves).
 */
export async function benchmarkWarmCheckRoundTrips(latencyMs = 20): Promise<WarmCheckRoundTrips> {
  const emulator = await startGraphEmulator({ tenant: await loadTenant(DEMO_TENANT_PATH) });
  try {
    const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
    const tenant = new TenantFacts(graph, { groupIds: [], mode: 'production' });
    const directory = new Directory(graph, tenant, {});
    const upns = emulator.tenant.users.map((user) => user.userPrincipalName);
    await checkUser(directory, AGENT, { kind: 'upn', upn: upns[0]! });
    emulator.setLatency(latencyMs);
    const members: number[] = [];
    const others: number[] = [];
    for (const upn of upns) {
      const isMember = tenant.memberBySignInName(upn) !== undefined;
      emulator.resetRequests();
      await checkUser(directory, AGENT, { kind: 'upn', upn });
      (isMember ? members : others).push(roundTripWaves(emulator.requests));
    }
    return { recoveryMembers: summary(members), others: summary(others), before: WARM_CHECK_ROUND_TRIPS_BEFORE };
  } finally {
    await emulator.close();
  }
}

const summary = (waves: number[]): RoundTrips => ({
  users: waves.length,
  median: median(waves),
  max: Math.max(...waves),
});

export function warmCheckReport({ recoveryMembers, others, before }: WarmCheckRoundTrips): string {
  return [
    `Round trips per warm check ("check <upn>", tenant-wide facts cached; before: ${before} for everyone)`,
    `  recovery-group members (${recoveryMembers.users}): median ${recoveryMembers.median}, max ${recoveryMembers.max}`,
    `  everyone else (${others.users}): median ${others.median}, max ${others.max} (their id and names come from reading the user first)`,
  ].join('\n');
}
