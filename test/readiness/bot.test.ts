import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { type SyntheticTenant, syntheticTenant } from '../../src/emulator/synthetic.js';
import type { ConnectorActivity } from '../../src/localchat/connector.js';
import { parseCsv } from '../../src/readiness/csv.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const MEMBERS = 2_000;
const FILE_CONSENT = 'application/vnd.microsoft.teams.card.file.consent';

describe('an agent asks the bot for the readiness report', () => {
  let harness: Harness;
  let synthetic: SyntheticTenant;
  let uploadServer: Server;
  let uploadUrl: string;
  const uploads: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];

  beforeAll(async () => {
    harness = await startHarness();
    // The demo tenant gives way to a generated one; the helpdesk agent and her group stay.
    synthetic = syntheticTenant({ members: MEMBERS, seed: 7 });
    const live = harness.graph.tenant;
    const agent = live.users.find((u) => u.id === people.agent.aadObjectId)!;
    const colleague = live.users.find((u) => u.id === people.colleague.aadObjectId)!;
    const helpdesk = live.groups.find((g) => g.id === CONTOSO.helpdeskGroupId)!;
    Object.assign(live, synthetic.tenant, {
      users: [...synthetic.tenant.users, agent, colleague],
      groups: [...synthetic.tenant.groups, { ...helpdesk, memberIds: [agent.id] }],
    });
    uploadServer = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        uploads.push({ headers: req.headers, body });
        res.statusCode = 201;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => uploadServer.listen(0, '127.0.0.1', resolve));
    uploadUrl = `http://127.0.0.1:${(uploadServer.address() as AddressInfo).port}/upload/session-1`;
  });
  afterAll(async () => {
    if (process.env.SHOW_LOGS) console.log(harness.logs.filter((l) => !l.includes('"graph call"')).join('\n'));
    await new Promise((resolve) => uploadServer.close(resolve));
    await harness.close();
  });

  const summaryAfter = (since: number, conversationId: string) =>
    harness.connector.waitFor(
      (a) =>
        harness.connector.activities.indexOf(a) >= since &&
        a.conversationId === conversationId &&
        /members are ready/.test(cardText(cardOf(a))),
      15_000,
    );
  const facts = (card: any) =>
    Object.fromEntries(
      card.body
        .filter((b: any) => b.type === 'FactSet')
        .flatMap((b: any) => b.facts.map((f: any) => [f.title, f.value])),
    );

  it('refuses someone who is not a helpdesk agent, saying why', async () => {
    const turn = await harness.say(people.colleague, 'readiness report');
    expect(cardText(cardOf(turn.replies[0]))).toMatch(/only helpdesk agents can run it/);
  });

  it('shows progress, then the summary with the generated counts, then offers the CSV, which uploads on accept', async () => {
    const chat = harness.personalChat(people.agent);
    const since = harness.connector.activities.length;
    const turn = await harness.say(people.agent, 'readiness report');
    const progress = turn.replies.find((reply) => reply.kind === 'send')!;
    expect(cardText(cardOf(progress))).toContain('SSAR readiness report');
    expect(JSON.stringify(cardOf(progress))).toContain('readiness.cancel');

    const summary = cardOf(await summaryAfter(since, chat.id));
    const { expected } = synthetic;
    expect(summary.body[0].text).toBe(
      `${expected.ready.toLocaleString('en-US')} of ${expected.members.toLocaleString('en-US')} members are ready for account recovery`,
    );
    const shown = facts(summary);
    expect(shown['Not ready']).toBe(expected.notReady.toLocaleString('en-US'));
    expect(shown['E3 Signed in before']).toBe(`${expected.failing.E3} fail`);
    expect(shown['E5 No name twin in the group']).toBe(`${expected.failing.E5} fail`);
    expect(cardText(summary)).toContain(`${expected.failing.E5} users share a first and last name with someone`);

    const done = harness.connector.activities.find(
      (a) => a.kind === 'update' && a.id === progress.id && /Done/.test(cardText(cardOf(a))),
    );
    expect(done).toBeDefined();

    const consent = await harness.connector.waitFor(
      (a) => harness.connector.activities.indexOf(a) >= since && consentOf(a) !== undefined,
    );
    const offer = consentOf(consent)!;
    expect(offer.name).toMatch(/^ssar-readiness-\d{4}-\d{2}-\d{2}\.csv$/);

    // Someone else replaying the consent gets nothing.
    const stranger = await harness.fileConsent(
      people.colleague,
      'accept',
      offer.content.acceptContext,
      uploadInfo(uploadUrl, offer.name),
    );
    expect(stranger.replies[0]?.activity.text).toMatch(/no longer available/);
    expect(uploads).toHaveLength(0);

    const accepted = await harness.fileConsent(
      people.agent,
      'accept',
      offer.content.acceptContext,
      uploadInfo(uploadUrl, offer.name),
    );
    expect(accepted.status).toBe(200);
    const info = accepted.replies[0]!.activity.attachments[0];
    expect(info.contentType).toBe('application/vnd.microsoft.teams.card.file.info');
    expect(info.content).toEqual({ uniqueId: 'file-1', fileType: 'csv' });

    const body = uploads.map((u) => u.body).join('');
    expect(uploads[0]!.headers['content-range']).toBe(
      `bytes 0-${Buffer.byteLength(uploads[0]!.body) - 1}/${Buffer.byteLength(body)}`,
    );
    const rows = parseCsv(body);
    expect(rows).toHaveLength(MEMBERS + 1);
    expect(rows.filter((row) => row[CSV_E3] === 'fail')).toHaveLength(expected.failing.E3!);
    expect(offer.content.sizeInBytes).toBe(Buffer.byteLength(body));
  });

  it('in a group chat is not run: the agent is asked to ask in the 1:1 chat, and nothing is offered', async () => {
    const group = { id: '19:readiness-group@thread.v2', type: 'groupChat' as const };
    const since = harness.connector.activities.length;
    const turn = await harness.say(people.agent, 'readiness report', group);
    expect(cardText(cardOf(turn.replies[0]))).toContain('Ask me in our 1:1 chat');
    expect(harness.connector.activities.slice(since).some((a) => consentOf(a))).toBe(false);
  });

  it('stops when the agent presses Cancel', async () => {
    harness.graph.setLatency(5);
    try {
      const chat = harness.personalChat(people.agent);
      const turn = await harness.say(people.agent, 'readiness report');
      // Updates to earlier progress cards may arrive during the turn too.
      const progress = turn.replies.find((reply) => reply.kind === 'send')!;
      expect(cardText(cardOf(progress))).toContain('SSAR readiness');
      const jobId = JSON.stringify(cardOf(progress)).match(/"jobId":"([0-9a-f-]{36})"/)![1];
      const cancelled = await harness.invoke(people.agent, 'readiness.cancel', { jobId }, chat, progress.id);
      expect(cardText(cancelled.body.value)).toContain('Cancelling');
      const stopped = await harness.connector.waitFor(
        (a) => a.kind === 'update' && a.id === progress.id && /Cancelled after/.test(cardText(cardOf(a))),
        10_000,
      );
      expect(cardText(cardOf(stopped))).toContain('Nothing was sent');
    } finally {
      harness.graph.setLatency(0);
    }
  });

  it('after a restart mid-scan, continues from the checkpoint when the agent asks again', async () => {
    harness.graph.setLatency(150);
    const chat = harness.personalChat(people.agent);
    try {
      const first = await harness.say(people.agent, 'readiness report');
      expect(first.replies.some((reply) => reply.kind === 'send')).toBe(true);
      // Let it read some pages into the checkpoint, then redeploy.
      await harness.connector
        .waitFor((a) => a.kind === 'update' && /sign-in activity|Checking/.test(cardText(cardOf(a))), 10_000)
        .catch(() => undefined);
      await harness.restartBot();
    } finally {
      harness.graph.setLatency(0);
    }
    const since = harness.connector.activities.length;
    const again = await harness.say(people.agent, 'readiness report');
    const progress = again.replies.find((reply) => reply.kind === 'send')!;
    expect(cardText(cardOf(progress))).toContain('Continuing where the last run stopped');
    const summary = cardOf(await summaryAfter(since, chat.id));
    expect(summary.body[0].text).toBe(
      `${synthetic.expected.ready.toLocaleString('en-US')} of ${synthetic.expected.members.toLocaleString('en-US')} members are ready for account recovery`,
    );
  });
});

const CSV_E3 = 7;

function consentOf(activity: ConnectorActivity): any {
  return activity.activity.attachments?.find((a: any) => a.contentType === FILE_CONSENT);
}

function uploadInfo(uploadUrl: string, name: string) {
  return {
    name,
    uploadUrl,
    contentUrl: 'https://contoso-my.sharepoint.com/personal/helen/Documents/Applications/ssar.csv',
    uniqueId: 'file-1',
    fileType: 'csv',
  };
}
