import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO } from '../../src/demo.js';
import { GRAPH_PERMISSIONS } from '../../src/emulator/graph-emulator.js';
import { BOT_ACCOUNT, cardText, type Harness, startHarness, type TeamsUser } from '../harness.js';
import { act, cast, fileRequest, openApp, passesIn, personalChatId, storedText } from './helpers.js';

/** TEAMS_APP_CATALOG_ID as the demo tenant's catalog has the app: proactive installation on. */
const INSTALLING = { env: { TEAMS_APP_CATALOG_ID: CONTOSO.teamsAppCatalogId } };
/** The demo catalog's SSAR Helpdesk app's Entra app id (src/emulator/tenants/contoso.json). */
const APP_AAD_ID = '33333333-0000-4000-8000-000000000003';

/** The 1:1 chat Graph names for a person once the app is installed for them. */
const graphChatId = (person: TeamsUser) => `19:${APP_AAD_ID}_${person.aadObjectId}@unq.gbl.spaces`;

/** Cards the bot sent to a conversation as new messages, as text. */
const sentTo = (harness: Harness, conversationId: string) =>
  harness.connector.activities
    .filter((a) => a.conversationId === conversationId && a.kind === 'send')
    .flatMap((a) => (a.activity.attachments ?? []).map((attachment: any) => cardText(attachment.content)));

const installs = (harness: Harness) =>
  harness.graph.requests
    .filter((r) => r.method === 'POST' && /\/teamwork\/installedApps$/.test(r.path))
    .map((r) => [r.path.split('/')[2], r.status]);

describe('an approver who never opened the app gets the approval card once the tenant lets the bot install itself', () => {
  let harness: Harness;
  let requestId: string;
  let filedText: string;

  beforeAll(async () => {
    harness = await startHarness(INSTALLING);
    // Helen and Megan opened the app; Lee and Patti, in the approver group, never did.
    await openApp(harness, cast.helen, cast.megan);
    const filed = await fileRequest(harness, cast.helen, cast.adele);
    requestId = filed.requestId ?? '';
    filedText = filed.text;
  });
  afterAll(() => harness.close());

  it('installs the app for Lee and Patti through Graph and sends each the approval card in that chat', () => {
    expect(installs(harness)).toEqual([
      [cast.patti.aadObjectId, 201],
      [cast.lee.aadObjectId, 201],
    ]);
    for (const approver of [cast.lee, cast.patti]) {
      const cards = sentTo(harness, graphChatId(approver));
      expect(cards.some((text) => text.includes('Adele Vance') && text.includes('Approve'))).toBe(true);
    }
  });

  it('tells the agent everyone was asked, and names nobody as unreachable', () => {
    expect(filedText).toContain('Sent for approval to Megan Bowen, Patti Fernandez, Lee Gu.');
    expect(filedText).not.toContain('has not opened');
  });

  it("asks Graph only for the app's installation and its chat, as documented", () => {
    const reads = harness.graph.requests
      .filter((r) => r.method === 'GET' && r.path.includes('/teamwork/'))
      .map((r) =>
        r.path.replace(/\/users\/[^/]+\//, '/users/{id}/').replace(/installedApps\/[^/?]+/, 'installedApps/{id}'),
      );
    expect([...new Set(reads)]).toEqual([
      `/users/{id}/teamwork/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '${CONTOSO.teamsAppCatalogId}'`,
      '/users/{id}/teamwork/installedApps/{id}/chat?$select=id',
    ]);
  });

  it('lets Lee approve from that card; the pass goes to the agent only and is never logged or stored', async () => {
    const approved = await act(harness, cast.lee, 'escalation.approve', { requestId });
    expect(approved.text).toContain('Pass issued');
    const [pass] = passesIn(harness, personalChatId(cast.helen));
    expect(pass).toMatch(/^.{8}$/);
    expect(harness.logs.join('\n')).not.toContain(pass);
    expect(harness.logs.join('\n')).not.toMatch(/Bearer |access_token/i);
    expect(await storedText(harness.dataDir)).not.toContain(pass);
  });

  it('tells Adele, who never opened the app either, in the chat the bot installed for her', () => {
    expect(installs(harness).map(([user]) => user)).toContain(cast.adele.aadObjectId);
    expect(sentTo(harness, graphChatId(cast.adele)).join('\n')).toContain(
      'A helpdesk pass was issued for your account',
    );
  });

  it("keeps the chat Teams' installation event names once it arrives, and writes there from then on", async () => {
    // What Teams sends the bot when the app is installed for Patti: her 1:1 chat, as every later activity carries it.
    await harness.post(
      harness.activity(cast.patti, { type: 'conversationUpdate', membersAdded: [{ id: BOT_ACCOUNT.id }] }),
    );
    const installed = installs(harness).length;
    await fileRequest(harness, cast.helen, cast.miriam);
    expect(sentTo(harness, personalChatId(cast.patti)).some((text) => text.includes('Miriam Graham'))).toBe(true);
    expect(sentTo(harness, graphChatId(cast.patti)).some((text) => text.includes('Miriam Graham'))).toBe(false);
    // Everyone has a chat now: nobody is installed for twice.
    expect(installs(harness)).toHaveLength(installed);
  });
});

describe('without TeamsAppInstallation.ReadWriteSelfForUser.All', () => {
  let harness: Harness;
  let filedText: string;

  beforeAll(async () => {
    harness = await startHarness(INSTALLING);
    for (const permission of GRAPH_PERMISSIONS.teamsAppInstall.anyOf) harness.graph.denyPermission(permission);
    await openApp(harness, cast.helen, cast.megan);
    filedText = (await fileRequest(harness, cast.helen, cast.adele)).text;
  });
  afterAll(() => harness.close());

  it('leaves Lee and Patti unreachable and tells the agent the permission the app could not be installed without', () => {
    expect(installs(harness)).toEqual([
      [cast.patti.aadObjectId, 403],
      [cast.lee.aadObjectId, 403],
    ]);
    expect(filedText).toContain('Sent for approval to Megan Bowen.');
    for (const name of ['Lee Gu', 'Patti Fernandez'])
      expect(filedText).toContain(
        `${name} has not opened the SSAR Helpdesk app in Teams yet; ask them to, or another approver can approve. ` +
          'The app could not be installed for them: needs TeamsAppInstallation.ReadWriteSelfForUser.All.',
      );
    expect(sentTo(harness, graphChatId(cast.lee))).toEqual([]);
  });
});

describe('an app already installed for the approver (Graph answers 409 Conflict)', () => {
  let harness: Harness;
  let filedText: string;

  beforeAll(async () => {
    harness = await startHarness(INSTALLING);
    // Installed for Lee earlier (by an administrator's setup policy, or another instance), never opened.
    const installed = await fetch(`${harness.graph.baseUrl}/users/${cast.lee.aadObjectId}/teamwork/installedApps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        'teamsApp@odata.bind': `${harness.graph.baseUrl}/appCatalogs/teamsApps/${CONTOSO.teamsAppCatalogId}`,
      }),
    });
    expect(installed.status).toBe(201);
    await openApp(harness, cast.helen, cast.megan);
    filedText = (await fileRequest(harness, cast.helen, cast.adele)).text;
  });
  afterAll(() => harness.close());

  it('still finds the chat and sends Lee the approval card', () => {
    expect(installs(harness)).toContainEqual([cast.lee.aadObjectId, 409]);
    expect(sentTo(harness, graphChatId(cast.lee)).some((text) => text.includes('Approve'))).toBe(true);
    expect(filedText).toContain('Lee Gu');
    expect(filedText).not.toContain('Lee Gu has not opened');
  });
});
