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
  /** Everyone in the demo tenant: the people index holds their id before their own reads. */
  everyone: RoundTrips;
  /** An account created after the people index was read: its id comes from reading the user first. */
  createdSince: number;
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
 * Graph round trips the person waits for, for every demo user and for one created after the people
 * index was read. Simulated latency makes requests sent together overlap, so waves count round trips
 * (see roundTripWaves).
 */
export async function benchmarkWarmCheckRoundTrips(latencyMs = 20): Promise<WarmCheckRoundTrips> {
  const emulator = await startGraphEmulator({ tenant: await loadTenant(DEMO_TENANT_PATH) });
  try {
    const graph = new Graph({ baseUrl: emulator.baseUrl, log: createLogger('silent') });
    const tenant = new TenantFacts(graph, { groupIds: [], mode: 'production' });
    const directory = new Directory(graph, tenant, {});
    const users = emulator.tenant.users;
    await checkUser(directory, AGENT, { kind: 'upn', upn: users[0]!.userPrincipalName });
    emulator.setLatency(latencyMs);
    const waves: number[] = [];
    const check = async (upn: string) => {
      emulator.resetRequests();
      await checkUser(directory, AGENT, { kind: 'upn', upn });
      return roundTripWaves(emulator.requests);
    };
    for (const user of users) waves.push(await check(user.userPrincipalName));
    const newcomer = { ...users[0]!, id: 'bench-created-since', userPrincipalName: 'created.since@bench.example' };
    users.push(newcomer);
    return {
      everyone: summary(waves),
      createdSince: await check(newcomer.userPrincipalName),
      before: WARM_CHECK_ROUND_TRIPS_BEFORE,
    };
  } finally {
    await emulator.close();
  }
}

const summary = (waves: number[]): RoundTrips => ({
  users: waves.length,
  median: median(waves),
  max: Math.max(...waves),
});

export function warmCheckReport({ everyone, createdSince, before }: WarmCheckRoundTrips): string {
  return [
    `Round trips per warm check ("check <upn>", tenant-wide facts cached; before: ${before})`,
    `  everyone in the demo tenant (${everyone.users}): median ${everyone.median}, max ${everyone.max}`,
    `  an account created after the people index was read: ${createdSince} (its id comes from reading the user first)`,
  ].join('\n');
}
