import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Bot Connector service, on loopback: it receives what the bot sends to a
 * conversation (replies, card updates, proactive messages) the way Teams' connector does, so the
 * local chat page and the tests see exactly the HTTP the bot would send to Teams.
 */

export interface ConnectorActivity {
  /** Id the connector assigned, used by later updates. */
  id: string;
  conversationId: string;
  /** `send`: a new message; `update`: the bot replaced an earlier message (card refresh). */
  kind: 'send' | 'update';
  replyToId?: string;
  activity: Record<string, any>;
  receivedAt: number;
}

export interface CreatedConversation {
  id: string;
  members: Array<{ id: string; aadObjectId?: string }>;
  tenantId?: string;
}

/**
 * What Teams' Bot Connector answers when a message cannot be delivered, as documented: each 403
 * code, 404 ConversationNotFound, and a 500 for a connector failure.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-code-responses
 * ("Status codes from bot conversational APIs": ForbiddenOperationException when the bot is not
 * installed in the user's personal scope).
 */
export const SEND_FAILURES = {
  404: { status: 404, code: 'ConversationNotFound', message: 'Conversation not found.' },
  500: { status: 500, code: 'ServiceError', message: 'The service encountered an error.' },
  ConversationBlockedByUser: {
    status: 403,
    code: 'ConversationBlockedByUser',
    message: 'User blocked the conversation with the bot.',
  },
  BotNotInConversationRoster: {
    status: 403,
    code: 'BotNotInConversationRoster',
    message: 'The bot is not part of the conversation roster.',
  },
  BotDisabledByAdmin: { status: 403, code: 'BotDisabledByAdmin', message: 'The tenant admin disabled this bot.' },
  ForbiddenOperationException: {
    status: 403,
    code: 'ForbiddenOperationException',
    message: "Bot is not installed in user's personal scope",
  },
} as const;
export type SendFailure = keyof typeof SEND_FAILURES;

export interface FakeConnector {
  serviceUrl: string;
  activities: ConnectorActivity[];
  conversations: CreatedConversation[];
  /**
   * From now on, new messages to this conversation are refused as Teams refuses them (undefined:
   * accepted again): a documented 403 code, 404 ConversationNotFound (the conversation is gone), or
   * a 500 (the connector fails). Card updates are refused too.
   */
  failSendsTo(conversationId: string, failure: SendFailure | undefined): void;
  /** Resolves with the first activity matching `predicate` that arrives (or has arrived). */
  waitFor(predicate: (a: ConnectorActivity) => boolean, timeoutMs?: number): Promise<ConnectorActivity>;
  close(): Promise<void>;
}

export async function startFakeConnector(port = 0): Promise<FakeConnector> {
  const activities: ConnectorActivity[] = [];
  const conversations: CreatedConversation[] = [];
  const failing = new Map<string, SendFailure>();
  const waiters = new Set<{ predicate: (a: ConnectorActivity) => boolean; resolve: (a: ConnectorActivity) => void }>();

  const record = (entry: ConnectorActivity) => {
    activities.push(entry);
    for (const waiter of waiters) {
      if (waiter.predicate(entry)) {
        waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      let json: any = {};
      try {
        json = body ? JSON.parse(body) : {};
      } catch {
        return reply(400, { error: { code: 'BadArgument', message: 'Body is not JSON' } });
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const roster = /^\/v3\/conversations\/[^/]+\/members\/(29:[^/]+)$/.exec(path);
      if (roster && req.method === 'GET') {
        // Test and local chat users have chat ids of the form 29:<Entra object id>.
        return reply(200, { id: roster[1], aadObjectId: roster[1]!.slice(3), name: roster[1] });
      }
      const match = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?\/?$/.exec(path);
      if (!match) return reply(404, { error: { code: 'NotFound', message: `No route ${req.method} ${path}` } });
      const [, conversationId, activityId] = match;
      const failure = conversationId ? failing.get(conversationId) : undefined;
      if (failure && (req.method === 'POST' || req.method === 'PUT')) {
        const { status, code, message } = SEND_FAILURES[failure];
        return reply(status, { error: { code, message } });
      }

      if (!conversationId && req.method === 'POST') {
        // Proactive 1:1: Teams answers with the personal conversation's id.
        const member = json.members?.[0] ?? {};
        const existing = conversations.find((c) => c.members[0]?.id === member.id);
        // Same id as the person's own 1:1 chat with the bot, as Teams does for a personal conversation.
        const personal = String(member.aadObjectId ?? member.id ?? randomUUID()).replace(/^29:/, '');
        const created = existing ?? {
          id: `a:personal-${personal}`,
          members: json.members ?? [],
          tenantId: json.tenantId ?? json.channelData?.tenant?.id,
        };
        if (!existing) conversations.push(created);
        return reply(201, { id: created.id });
      }
      if (conversationId && req.method === 'POST') {
        const id = randomUUID();
        record({ id, conversationId, kind: 'send', replyToId: activityId, activity: json, receivedAt: Date.now() });
        return reply(200, { id });
      }
      if (conversationId && activityId && req.method === 'PUT') {
        record({ id: activityId, conversationId, kind: 'update', activity: json, receivedAt: Date.now() });
        return reply(200, { id: activityId });
      }
      return reply(405, { error: { code: 'MethodNotAllowed', message: `${req.method} ${path}` } });
    });
  });

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: boundPort } = server.address() as AddressInfo;

  return {
    serviceUrl: `http://127.0.0.1:${boundPort}/`,
    activities,
    conversations,
    failSendsTo(conversationId, failure) {
      if (failure === undefined) failing.delete(conversationId);
      else failing.set(conversationId, failure);
    },
    waitFor(predicate, timeoutMs = 10_000) {
      const found = activities.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`No matching activity at the connector within ${timeoutMs} ms`));
        }, timeoutMs).unref();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
