import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, people, startHarness } from '../harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function readyz(h: Harness): Promise<{ status: number; body: any }> {
  const response = await fetch(`${h.bot.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe('readiness for a load balancer or an admin checking a deployment', () => {
  it('a bot that can read the directory and write its data answers ready', async () => {
    harness = await startHarness();
    expect(await readyz(harness)).toEqual({
      status: 200,
      body: { status: 'ready', checks: { graph: 'ok', storage: 'ok' } },
    });
  });

  it('without consent to read the organisation, the bot is not ready and names the permission', async () => {
    harness = await startHarness();
    harness.graph.denyPermission('Organization.Read.All');
    harness.graph.denyPermission('Directory.Read.All');
    const { status, body } = await readyz(harness);
    expect(status).toBe(503);
    expect(body).toEqual({ status: 'not ready', checks: { graph: 'needs Organization.Read.All', storage: 'ok' } });
  });

  it('when Microsoft Graph does not answer, readiness still answers within a few seconds', async () => {
    harness = await startHarness();
    harness.graph.setLatency(8_000);
    const started = Date.now();
    const { status, body } = await readyz(harness);
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(status).toBe(503);
    expect(body.checks).toEqual({ graph: 'Microsoft Graph did not answer within 5 seconds', storage: 'ok' });
  });

  it('a data directory that cannot be written makes the bot not ready, without revealing the path', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'ssar-readyz-'));
    const dataDir = join(scratch, 'data');
    try {
      harness = await startHarness({ env: { DATA_DIR: dataDir } });
      // The disk goes away under a running bot: a file now stands where the directory was.
      await rm(dataDir, { recursive: true, force: true });
      await writeFile(dataDir, 'a file where the data directory should be');
      const { status, body } = await readyz(harness);
      expect(status).toBe(503);
      expect(body.checks).toEqual({ graph: 'ok', storage: 'the data directory is not writable' });
      expect(JSON.stringify(body)).not.toContain(scratch);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('liveness stays ok while the bot is not ready, so the platform does not restart it for a missing consent', async () => {
    harness = await startHarness();
    harness.graph.denyPermission('Organization.Read.All');
    harness.graph.denyPermission('Directory.Read.All');
    const response = await fetch(`${harness.bot.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('log correlation', () => {
  it('every line a turn writes, down to its Graph calls, carries the activity and conversation id', async () => {
    harness = await startHarness();
    const activity = harness.activity(people.agent, { type: 'message', text: 'check jon.doe@contoso.com' });
    const before = harness.logs.length;
    const { status } = await harness.post(activity);
    expect(status).toBe(200);
    const lines = harness.logs.slice(before).map((line) => JSON.parse(line));
    const graphCalls = lines.filter((line) => line.graph);
    expect(graphCalls.length).toBeGreaterThan(0);
    const conversationId = (activity.conversation as { id: string }).id;
    for (const line of lines) expect(line).toMatchObject({ activityId: activity.id, conversationId });
    expect(lines.at(-1)).toMatchObject({ msg: 'activity processed', type: 'message', status: 200 });
  });

  it('lines written outside a turn carry no turn ids', async () => {
    harness = await startHarness();
    const before = harness.logs.length;
    await harness.bot.ready();
    const lines = harness.logs.slice(before).map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.activityId).toBeUndefined();
  });
});
