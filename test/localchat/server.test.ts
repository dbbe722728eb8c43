import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalChat, startLocalChat } from '../../src/localchat/server.js';

const TENANT_ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const helen = { aadObjectId: '11111111-0000-4000-8000-000000000017', name: 'Helen Desk', role: 'helpdesk agent' };
const alex = { aadObjectId: '11111111-0000-4000-8000-000000000019', name: 'Alex Wilber', role: 'colleague' };

const card = (text: string) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text }],
  actions: [{ type: 'Action.Execute', title: 'Check again', verb: 'check.refresh', data: {} }],
});

/** A stand-in bot: answers every message with a card through the connector, every invoke with a card. */
async function startStandInBot() {
  const received: Array<Record<string, any>> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const activity = JSON.parse(body);
      received.push(activity);
      if (activity.type === 'invoke' && activity.name === 'application/search') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            type: 'application/vnd.microsoft.search.searchResponse',
            value: { results: [{ title: `match for ${activity.value.queryText}`, value: 'id-1' }] },
          }),
        );
      }
      if (activity.type === 'invoke') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            statusCode: 200,
            type: 'application/vnd.microsoft.card.adaptive',
            value: card(`refreshed ${activity.value.action.data.target}`),
          }),
        );
      }
      if (activity.type === 'message') {
        await fetch(`${activity.serviceUrl}v3/conversations/${activity.conversation.id}/activities/${activity.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message',
            attachments: [
              { contentType: 'application/vnd.microsoft.card.adaptive', content: card(`you said ${activity.text}`) },
            ],
          }),
        });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the local chat page talks to the bot the way Teams does', () => {
  let bot: Awaited<ReturnType<typeof startStandInBot>>;
  let chat: LocalChat;
  const post = (path: string, body: unknown) =>
    fetch(new URL(path, chat.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const transcript = async (person: { aadObjectId: string }, since = 0) =>
    (await (await fetch(new URL(`/api/activities?as=${person.aadObjectId}&since=${since}`, chat.url))).json()) as {
      entries: any[];
      next: number;
    };

  beforeAll(async () => {
    bot = await startStandInBot();
    chat = await startLocalChat({ botUrl: bot.url, tenantId: TENANT_ID, people: [helen, alex], port: 0 });
  });
  afterAll(async () => {
    await chat.close();
    await bot.close();
  });

  it('serves the page, its script and the Adaptive Cards renderer', async () => {
    const page = await fetch(chat.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/chat.js');
    expect(html).toContain('/vendor/adaptivecards.js');
    for (const path of ['/chat.js', '/markdown.js', '/chat.css'])
      expect((await fetch(new URL(path, chat.url))).status).toBe(200);
    const renderer = await fetch(new URL('/vendor/adaptivecards.js', chat.url));
    expect(renderer.headers.get('content-type')).toContain('javascript');
    expect(await renderer.text()).toContain('AdaptiveCard');
  });

  it('lists the people you can be, with their roles', async () => {
    const people = await (await fetch(new URL('/api/people', chat.url))).json();
    expect(people).toEqual([helen, alex]);
  });

  it('installs the app for a person once, so the bot can greet them', async () => {
    expect((await post('/api/open', { as: helen.aadObjectId })).status).toBe(200);
    expect((await post('/api/open', { as: helen.aadObjectId })).status).toBe(200);
    const installs = bot.received.filter((a) => a.type === 'conversationUpdate');
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatchObject({
      membersAdded: [{ id: '28:ssar-helpdesk-bot' }],
      recipient: { id: '28:ssar-helpdesk-bot' },
      from: { aadObjectId: helen.aadObjectId },
    });
  });

  it('sends what a person types to the bot as a Teams message from them, in their 1:1 chat', async () => {
    const response = await post('/api/send', { as: helen.aadObjectId, text: 'check jon.doe@contoso.com' });
    expect(response.status).toBe(200);
    const { id, status } = await response.json();
    expect(status).toBe(200);
    const message = bot.received.find((a) => a.id === id)!;
    expect(message).toMatchObject({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: chat.connector.serviceUrl,
      text: 'check jon.doe@contoso.com',
      textFormat: 'plain',
      locale: 'en-US',
      from: { id: `29:${helen.aadObjectId}`, name: 'Helen Desk', aadObjectId: helen.aadObjectId },
      conversation: { id: `a:personal-${helen.aadObjectId}`, conversationType: 'personal', tenantId: TENANT_ID },
      recipient: { id: '28:ssar-helpdesk-bot', name: 'SSAR Helpdesk' },
      channelData: { tenant: { id: TENANT_ID } },
    });
    expect(Date.parse(message.timestamp)).not.toBeNaN();
  });

  it("shows the bot's reply in that person's chat and not in anyone else's", async () => {
    const { entries, next } = await transcript(helen);
    const said = entries.find((e) => e.kind === 'said')!;
    const reply = entries.find(
      (e) =>
        e.kind === 'send' && e.activity.attachments?.[0]?.content.body[0].text === 'you said check jon.doe@contoso.com',
    );
    expect(said.activity.text).toBe('check jon.doe@contoso.com');
    expect(reply).toBeDefined();
    expect(entries.indexOf(said)).toBeLessThan(entries.indexOf(reply));
    expect((await transcript(helen, next)).entries).toEqual([]);
    expect((await transcript(alex)).entries).toEqual([]);
  });

  it("shows a message the bot sends to the chat Graph named after installing the app for someone in that person's chat", async () => {
    const graphChat = `19:33333333-0000-4000-8000-000000000003_${alex.aadObjectId}@unq.gbl.spaces`;
    const sent = await fetch(
      `${chat.connector.serviceUrl}v3/conversations/${encodeURIComponent(graphChat)}/activities`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card('approve?') }],
        }),
      },
    );
    expect(sent.status).toBe(200);
    const { entries } = await transcript(alex);
    expect(entries.map((e) => e.activity.attachments?.[0]?.content.body[0].text)).toEqual(['approve?']);
  });

  it('sends what a person types in a people picker to the bot as the application/search invoke Teams sends, and returns its choices', async () => {
    const response = await post('/api/search', { as: helen.aadObjectId, dataset: 'ssar.people', queryText: 'Jon' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      type: 'application/vnd.microsoft.search.searchResponse',
      value: { results: [{ title: 'match for Jon', value: 'id-1' }] },
    });
    expect(bot.received.at(-1)).toMatchObject({
      type: 'invoke',
      name: 'application/search',
      value: { queryText: 'Jon', queryOptions: { skip: 0, top: 15 }, dataset: 'ssar.people' },
      from: { aadObjectId: helen.aadObjectId },
      conversation: { id: `a:personal-${helen.aadObjectId}` },
    });
    expect((await post('/api/search', { as: helen.aadObjectId, dataset: '', queryText: 'Jon' })).status).toBe(400);
  });

  it('sends a card button to the bot as an adaptiveCard/action invoke and returns the new card', async () => {
    const { entries } = await transcript(helen);
    const cardMessage = entries.find((e) => e.kind === 'send')!;
    const response = await post('/api/invoke', {
      as: helen.aadObjectId,
      verb: 'check.refresh',
      data: { target: 'Adele Vance' },
      replyToId: cardMessage.id,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { body: [{ text: 'refreshed Adele Vance' }] },
    });
    expect(bot.received.at(-1)).toMatchObject({
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: cardMessage.id,
      value: {
        action: { type: 'Action.Execute', verb: 'check.refresh', data: { target: 'Adele Vance' } },
        trigger: 'manual',
      },
      conversation: { id: `a:personal-${helen.aadObjectId}` },
    });
  });

  it("sends the browser's language and time zone as Teams sends a client's, and ignores what is not one", async () => {
    const client = { locale: 'de-DE', timezone: 'Europe/Berlin' };
    const { id } = await (await post('/api/send', { as: alex.aadObjectId, text: 'guide', client })).json();
    expect(bot.received.find((a) => a.id === id)).toMatchObject({
      locale: 'de-DE',
      entities: [{ type: 'clientInfo', locale: 'de-DE', timezone: 'Europe/Berlin', platform: 'web' }],
    });
    const odd = await (
      await post('/api/send', { as: alex.aadObjectId, text: 'guide', client: { locale: '<script>', timezone: 'x' } })
    ).json();
    const plain = bot.received.find((a) => a.id === odd.id)!;
    expect(plain.locale).toBe('en-US');
    expect(plain.entities).toBeUndefined();
  });

  it('refuses to act as someone who is not in the chat', async () => {
    const before = bot.received.length;
    expect((await post('/api/send', { as: 'someone-else', text: 'hi' })).status).toBe(400);
    expect((await post('/api/invoke', { as: 'someone-else', verb: 'check', data: {}, replyToId: 'x' })).status).toBe(
      400,
    );
    expect((await fetch(new URL('/api/activities?as=someone-else', chat.url))).status).toBe(400);
    expect(bot.received.length).toBe(before);
  });

  it('answers 400 to a body that is not JSON, and keeps working', async () => {
    const response = await post('/api/send', '{"as": ');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/not JSON/);
    expect((await fetch(new URL('/api/people', chat.url))).status).toBe(200);
  });

  it('refuses bodies over 64 KB', async () => {
    const response = await post('/api/send', { as: helen.aadObjectId, text: 'x'.repeat(70 * 1024) });
    expect(response.status).toBe(413);
  });

  it('only takes requests a page on this machine could make', async () => {
    const crossSiteForm = await fetch(new URL('/api/send', chat.url), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ as: helen.aadObjectId, text: 'hi' }),
    });
    expect(crossSiteForm.status).toBe(415);
    const rebound = await new Promise<number>((resolve, reject) => {
      http
        .get(new URL('/api/people', chat.url), { headers: { host: 'attacker.example:80' } }, (res) =>
          resolve(res.statusCode ?? 0),
        )
        .on('error', reject);
    });
    expect(rebound).toBe(403);
  });

  it('reports a chat port that is already taken', async () => {
    const taken = Number(new URL(chat.url).port);
    await expect(
      startLocalChat({ botUrl: bot.url, tenantId: TENANT_ID, people: [helen], port: taken }),
    ).rejects.toThrow(/EADDRINUSE/);
  });

  it('says so when the bot is not running', async () => {
    const orphan = await startLocalChat({ botUrl: 'http://127.0.0.1:9', tenantId: TENANT_ID, people: [helen] });
    try {
      const response = await fetch(new URL('/api/send', orphan.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: helen.aadObjectId, text: 'hi' }),
      });
      expect(response.status).toBe(502);
    } finally {
      await orphan.close();
    }
  });
});
