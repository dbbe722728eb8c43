import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ConnectorActivity, type FakeConnector, startFakeConnector } from './connector.js';
import { type EntraPlayer, entraPeople, playEntra, SCENARIOS, type Scenario } from './entra.js';

/**
 * The local chat page: a browser stands in for several Teams clients at once. The page talks to
 * this server; this server turns what the person types or clicks into the activities Teams would
 * send the bot, and shows what the bot sent back through the fake Bot Connector.
 */

export interface ChatPerson {
  aadObjectId: string;
  name: string;
  /** Shown next to the name in the person picker, e.g. "helpdesk agent". */
  role?: string;
}

export interface LocalChatOptions {
  botUrl: string;
  tenantId: string;
  people: ChatPerson[];
  /** 0 picks a free port. */
  port?: number;
  /** With the claim validation extension on: lets the page play Entra sending a callout. */
  entra?: EntraPlayer;
}

export interface LocalChat {
  url: string;
  connector: FakeConnector;
  close(): Promise<void>;
}

/** One line of a person's 1:1 chat: what they typed, or what the bot sent or replaced. */
export interface TranscriptEntry {
  kind: 'said' | ConnectorActivity['kind'];
  id: string;
  activity: Record<string, any>;
  at: number;
}

const BOT_ACCOUNT = { id: '28:ssar-helpdesk-bot', name: 'SSAR Helpdesk' };
/** One group chat everyone on the page is in, with the bot added: what several people read at once. */
export const GROUP_CHAT = { id: '19:local-helpdesk-triage@thread.v2', title: 'Helpdesk triage (group chat)' };
type Where = 'personal' | 'group';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_TEXT_LENGTH = 4000;

const page = (name: string) => fileURLToPath(new URL(`./page/${name}`, import.meta.url));
const JS = 'text/javascript; charset=utf-8';

/** Resolved when the chat starts, not on import: adaptivecards is a dev dependency a deployment may not have. */
function pageFiles(): Record<string, { path: string; type: string }> {
  return {
    '/': { path: page('index.html'), type: 'text/html; charset=utf-8' },
    '/chat.css': { path: page('chat.css'), type: 'text/css; charset=utf-8' },
    '/chat.js': { path: page('chat.js'), type: JS },
    '/markdown.js': { path: page('markdown.js'), type: JS },
    '/vendor/adaptivecards.js': {
      path: createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js'),
      type: JS,
    },
  };
}

// Cards come from the bot; the renderer writes markdown as HTML, so scripts may only come from here.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

/** The page's mistakes are 4xx; a bot that does not answer is a 502. */
class HttpError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * The browser's language and time zone, sent as Teams sends the client's: the activity's `locale`
 * and a `clientInfo` entity. Anything that does not look like a language tag or a zone name is ignored.
 */
function clientInfo(client: unknown): { locale?: string; entities?: object[] } {
  const { locale, timezone } = (client ?? {}) as { locale?: unknown; timezone?: unknown };
  if (typeof locale !== 'string' || !/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$/.test(locale)) return {};
  const zone = typeof timezone === 'string' && /^[A-Za-z0-9_+\-/]{1,64}$/.test(timezone) ? timezone : undefined;
  return { locale, entities: [{ type: 'clientInfo', locale, platform: 'web', ...(zone && { timezone: zone }) }] };
}

export async function startLocalChat(options: LocalChatOptions): Promise<LocalChat> {
  const { botUrl, tenantId, people } = options;
  const files = pageFiles();
  const connector = await startFakeConnector();
  const personById = new Map(people.map((person) => [person.aadObjectId, person]));
  const transcripts = new Map<string, TranscriptEntry[]>([
    ...people.map((person): [string, TranscriptEntry[]] => [conversationIdOf(person), []]),
    [GROUP_CHAT.id, []],
  ]);
  const installs = new Map<string, Promise<number>>();
  let connectorCursor = 0;

  /** Moves what the bot sent since last time into each person's transcript, in arrival order. */
  const collectBotActivities = () => {
    for (const entry of connector.activities.slice(connectorCursor)) {
      transcripts
        .get(personalChatOf(entry.conversationId, personById) ?? entry.conversationId)
        ?.push({ kind: entry.kind, id: entry.id, activity: entry.activity, at: entry.receivedAt });
    }
    connectorCursor = connector.activities.length;
  };

  const personFrom = (id: unknown): ChatPerson => {
    const person = typeof id === 'string' ? personById.get(id) : undefined;
    if (!person) throw new HttpError('"as" must be the id of one of the people in this chat');
    return person;
  };

  const teamsActivity = (
    person: ChatPerson,
    fields: Record<string, unknown>,
    client?: unknown,
    where: Where = 'personal',
  ) => ({
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    serviceUrl: connector.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${person.aadObjectId}`, name: person.name, aadObjectId: person.aadObjectId },
    conversation:
      where === 'group'
        ? { id: GROUP_CHAT.id, conversationType: 'groupChat', isGroup: true, tenantId }
        : { id: conversationIdOf(person), conversationType: 'personal', tenantId },
    recipient: BOT_ACCOUNT,
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
    ...clientInfo(client),
    ...fields,
  });

  const postToBot = async (activity: Record<string, unknown>): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    }).catch(() => {
      throw new HttpError(`The bot at ${botUrl} did not answer; is it running?`, 502);
    });
    const text = await response.text();
    try {
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      return { status: response.status, body: text };
    }
  };

  /** Installing the app in a personal scope: once per person, so the bot can greet them and keep a reference. */
  const install = (person: ChatPerson): Promise<number> => {
    let installed = installs.get(person.aadObjectId);
    if (!installed) {
      installed = postToBot(
        teamsActivity(person, { type: 'conversationUpdate', membersAdded: [{ id: BOT_ACCOUNT.id }] }),
      ).then(
        ({ status }) => status,
        (error: unknown) => {
          installs.delete(person.aadObjectId);
          throw error;
        },
      );
      installs.set(person.aadObjectId, installed);
    }
    return installed;
  };

  const routes: Record<string, (query: URLSearchParams, body: Record<string, unknown>) => Promise<[number, unknown]>> =
    {
      'GET /api/people': async () => [200, people.map(({ aadObjectId, name, role }) => ({ aadObjectId, name, role }))],
      'GET /api/chats': async () => [
        200,
        [
          { in: 'personal', title: '1:1 chat with the bot' },
          { in: 'group', title: GROUP_CHAT.title },
        ],
      ],

      'GET /api/activities': async (query) => {
        const person = personFrom(query.get('as'));
        const where = whereFrom(query.get('in') ?? undefined);
        const since = Number(query.get('since') ?? 0);
        if (!Number.isSafeInteger(since) || since < 0) throw new HttpError('"since" must be a whole number');
        collectBotActivities();
        const transcript = transcripts.get(where === 'group' ? GROUP_CHAT.id : conversationIdOf(person))!;
        return [200, { entries: transcript.slice(since), next: transcript.length }];
      },

      'POST /api/open': async (_query, body) => {
        const status = await install(personFrom(body.as));
        return [200, { status }];
      },

      'POST /api/send': async (_query, body) => {
        const person = personFrom(body.as);
        if (typeof body.text !== 'string' || !body.text.trim())
          throw new HttpError('"text" must be a non-empty string');
        if (body.text.length > MAX_TEXT_LENGTH)
          throw new HttpError(`"text" must be at most ${MAX_TEXT_LENGTH} characters`);
        const where = whereFrom(body.in);
        await install(person);
        const activity = teamsActivity(
          person,
          { type: 'message', text: body.text, textFormat: 'plain' },
          body.client,
          where,
        );
        // Earlier bot messages go first, so the transcript keeps the order things happened in.
        collectBotActivities();
        transcripts
          .get(where === 'group' ? GROUP_CHAT.id : conversationIdOf(person))!
          .push({ kind: 'said', id: activity.id, activity, at: Date.now() });
        const { status } = await postToBot(activity);
        return [200, { id: activity.id, status }];
      },

      // What Teams sends as someone types in a people picker (dynamic typeahead): the bot answers with choices.
      'POST /api/search': async (_query, body) => {
        const person = personFrom(body.as);
        const { dataset, queryText } = body;
        if (typeof dataset !== 'string' || !dataset || dataset.length > 100)
          throw new HttpError('"dataset" must be a non-empty string');
        if (typeof queryText !== 'string' || queryText.length > 256)
          throw new HttpError('"queryText" must be a string of at most 256 characters');
        const activity = teamsActivity(person, {
          type: 'invoke',
          name: 'application/search',
          value: { queryText, queryOptions: { skip: 0, top: 15 }, dataset },
        });
        const answer = await postToBot(activity);
        return [answer.status, answer.body ?? {}];
      },

      'GET /api/entra/people': async () => {
        if (!options.entra) throw new HttpError('Claim validation is not on in this demo', 404);
        return [200, await entraPeople(options.entra)];
      },

      'POST /api/entra/callout': async (_query, body) => {
        if (!options.entra) throw new HttpError('Claim validation is not on in this demo', 404);
        const { userPrincipalName, scenario } = body;
        if (typeof userPrincipalName !== 'string' || userPrincipalName.length > 256)
          throw new HttpError('"userPrincipalName" must be a demo person');
        if (typeof scenario !== 'string' || !(scenario in SCENARIOS))
          throw new HttpError(`"scenario" must be one of ${Object.keys(SCENARIOS).join(', ')}`);
        const answer = await playEntra(options.entra, botUrl, userPrincipalName, scenario as Scenario);
        if ('problem' in answer) throw new HttpError(answer.problem);
        return [200, answer];
      },

      'POST /api/invoke': async (_query, body) => {
        const person = personFrom(body.as);
        const { verb, data = {}, replyToId } = body;
        if (typeof verb !== 'string' || !verb || verb.length > 256)
          throw new HttpError('"verb" must be a non-empty string');
        if (typeof data !== 'object' || data === null || Array.isArray(data))
          throw new HttpError('"data" must be an object');
        if (typeof replyToId !== 'string' || !replyToId)
          throw new HttpError('"replyToId" must be the id of the message holding the card');
        // 'automatic': a card's refresh, which each viewer's client sends for its own view.
        const trigger = body.trigger ?? 'manual';
        if (trigger !== 'manual' && trigger !== 'automatic')
          throw new HttpError('"trigger" must be "manual" or "automatic"');
        const activity = teamsActivity(
          person,
          {
            type: 'invoke',
            name: 'adaptiveCard/action',
            replyToId,
            value: { action: { type: 'Action.Execute', verb, data }, trigger },
          },
          body.client,
          whereFrom(body.in),
        );
        const answer = await postToBot(activity);
        return [answer.status, answer.body ?? {}];
      },
    };

  const server = http.createServer(async (req, res) => {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(payload));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // Only pages served from this machine may drive the bot (no DNS rebinding, no cross-site forms).
      if (!isLocalHost(req.headers.host, port))
        return send(403, { error: 'This chat only answers on 127.0.0.1 or localhost' });

      const file = req.method === 'GET' ? files[url.pathname] : undefined;
      if (file) {
        const content = await readFile(file.path);
        res.writeHead(200, {
          'content-type': file.type,
          'cache-control': 'no-cache',
          'content-security-policy': CONTENT_SECURITY_POLICY,
        });
        return res.end(content);
      }

      const route = routes[`${req.method} ${url.pathname}`];
      if (!route) return send(404, { error: `No route ${req.method} ${url.pathname}` });
      let body: Record<string, unknown> = {};
      if (req.method === 'POST') {
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
          throw new HttpError('Send JSON with content-type application/json', 415);
        body = parseObject(await readBody(req));
      }
      const [status, payload] = await route(url.searchParams, body);
      send(status, payload);
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, { error: error.message });
      send(500, { error: error instanceof Error ? error.message : String(error) });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  }).catch(async (error: unknown) => {
    await connector.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    connector,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.close();
    },
  };
}

function whereFrom(value: unknown): Where {
  if (value === undefined || value === 'personal') return 'personal';
  if (value === 'group') return 'group';
  throw new HttpError('"in" must be "personal" or "group"');
}

function conversationIdOf(person: ChatPerson): string {
  return `a:personal-${person.aadObjectId}`;
}

/**
 * A 1:1 chat the bot found through Graph after installing the app for someone (Graph's chat id,
 * `19:{…}_{userId}@unq.gbl.spaces`, https://learn.microsoft.com/graph/api/userscopeteamsappinstallation-get-chat)
 * is that person's chat with the bot: shown in their transcript.
 */
function personalChatOf(conversationId: string, people: Map<string, ChatPerson>): string | undefined {
  const userId = /^19:[^_@]+_([0-9a-f-]{36})@unq\.gbl\.spaces$/i.exec(conversationId)?.[1];
  const person = userId ? people.get(userId) : undefined;
  return person && conversationIdOf(person);
}

function isLocalHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(`The body must be at most ${MAX_BODY_BYTES / 1024} KB`, 413));
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError('The body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new HttpError('The body must be a JSON object');
  return parsed as Record<string, unknown>;
}
