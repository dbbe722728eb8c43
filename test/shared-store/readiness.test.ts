import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { type SyntheticTenant, syntheticTenant } from '../../src/emulator/synthetic.js';
import type { ConnectorActivity } from '../../src/localchat/connector.js';
import { parseCsv } from '../../src/readiness/csv.js';
import { cardOf, cardText, type Harness, people, startHarness } from '../harness.js';

const azurite = inject('azurite');
const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
const FILE_CONSENT = 'application/vnd.microsoft.teams.card.file.consent';
const MEMBERS = 1_500;

const consentOf = (activity: ConnectorActivity): any =>
  activity.activity.attachments?.find((a: any) => a.contentType === FILE_CONSENT);

describe('a readiness report on two bot instances sharing one Azure store', () => {
  const env = { STORAGE_CONNECTION_STRING: azurite.connectionString, STORAGE_CONTAINER: `shared-${randomUUID()}` };
  let a: Harness;
  let b: Harness;
  let synthetic: SyntheticTenant;
  let uploadServer: Server;
  let uploadUrl: string;
  const uploads: string[] = [];

  beforeAll(async () => {
    a = await startHarness({ env });
    b = await startHarness({ shareWith: a });
    synthetic = syntheticTenant({ members: MEMBERS, seed: 11 });
    const live = a.graph.tenant;
    const agent = live.users.find((u) => u.id === people.agent.aadObjectId)!;
    const helpdesk = live.groups.find((g) => g.id === CONTOSO.helpdeskGroupId)!;
    Object.assign(live, synthetic.tenant, {
      users: [...synthetic.tenant.users, agent],
      groups: [...synthetic.tenant.groups, { ...helpdesk, memberIds: [agent.id] }],
    });
    uploadServer = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        uploads.push(body);
        res.statusCode = 201;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => uploadServer.listen(0, '127.0.0.1', resolve));
    uploadUrl = `http://127.0.0.1:${(uploadServer.address() as AddressInfo).port}/upload/session-1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => uploadServer.close(resolve));
    await b?.close();
    await a?.close();
    await service.getContainerClient(env.STORAGE_CONTAINER).deleteIfExists();
  });

  it('started on A, is polled and cancelled on B', async () => {
    // Slow enough that the cancel, written on B, is read by A while its scan still runs.
    a.graph.setLatency(400);
    try {
      const chat = a.personalChat(people.agent);
      const turn = await a.say(people.agent, 'readiness report');
      const progress = turn.replies.find((reply) => reply.kind === 'send')!;
      const jobId = JSON.stringify(cardOf(progress)).match(/"jobId":"([0-9a-f-]{36})"/)![1];
      const polled = await b.invoke(people.agent, 'readiness.refresh', { jobId }, chat, progress.id);
      expect(cardText(polled.body.value)).toContain('SSAR readiness report');
      expect(JSON.stringify(polled.body.value)).toContain('readiness.cancel');
      // Someone else cannot poll it.
      const stranger = await b.invoke(
        people.colleague,
        'readiness.refresh',
        { jobId },
        a.personalChat(people.colleague),
      );
      expect(cardText(stranger.body.value)).toMatch(/not one of yours/);
      const cancelled = await b.invoke(people.agent, 'readiness.cancel', { jobId }, chat, progress.id);
      expect(cardText(cancelled.body.value)).toContain('Cancelling');
      const stopped = await a.connector.waitFor(
        (x) => x.kind === 'update' && x.id === progress.id && /Cancelled after/.test(cardText(cardOf(x))),
        15_000,
      );
      expect(cardText(cardOf(stopped))).toContain('Nothing was sent');
    } finally {
      a.graph.setLatency(0);
    }
  });

  it('started on A, has its CSV accepted on B', async () => {
    const since = a.connector.activities.length;
    await a.say(people.agent, 'readiness report');
    const consent = await a.connector.waitFor(
      (x) => a.connector.activities.indexOf(x) >= since && consentOf(x) !== undefined,
      20_000,
    );
    const offer = consentOf(consent);
    const info = {
      name: offer.name,
      uploadUrl,
      contentUrl: 'https://contoso-my.sharepoint.com/personal/helen/Documents/ssar.csv',
      uniqueId: 'file-2',
      fileType: 'csv',
    };
    const accepted = await b.fileConsent(people.agent, 'accept', offer.content.acceptContext, info);
    expect(accepted.replies[0]!.activity.attachments[0].contentType).toBe(
      'application/vnd.microsoft.teams.card.file.info',
    );
    const rows = parseCsv(uploads.join(''));
    expect(rows).toHaveLength(MEMBERS + 1);
    // Taken once: a second accept, on either instance, finds nothing.
    const again = await a.fileConsent(people.agent, 'accept', offer.content.acceptContext, info);
    expect(again.replies[0]?.activity.text).toMatch(/no longer available/);
  });
});
