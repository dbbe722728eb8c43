import { AsyncLocalStorage } from 'node:async_hooks';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import restify from 'restify';
import { tenantOf } from './activity.js';
import { isLoopbackAddress, isLoopbackUrl } from './config.js';
import { errorSummary, type Logger } from './log.js';
import { inSpan, metric, SpanKind } from './telemetry/telemetry.js';

export interface ServerOptions {
  adapter: TeamsAdapter;
  runTurn: (context: TurnContext) => Promise<void>;
  /** Local mode: unsigned activities, accepted only from loopback clients and loopback service URLs. */
  localMode: boolean;
  /** The bot's app id: a bearer token must be addressed to it before the SDK verifies its signature. */
  appId?: string;
  /** Activities from other tenants are refused; empty accepts any tenant (local mode only). */
  allowedTenantIds: string[];
  log: Logger;
  /** What GET /readyz reports; absent, the bot reports ready once it listens. */
  ready?: () => Promise<Readiness>;
  maxBodyBytes?: number;
  /** Further routes on the same server (the caller verification page and its callback). */
  extraRoutes?: (server: restify.Server) => void;
  /**
   * Larger body limits under some paths (callbacks and callouts that may carry a credential's photo
   * claim); `raw` leaves the body unparsed, as text, for a route that authenticates before it parses.
   */
  largeBodies?: Array<{ pathPrefix: string; maxBytes: number; raw?: boolean }>;
}

/** Runs restify handlers in order, as `server.use` would, stopping at the first that passes an error (or false). */
function runChain(
  handlers: restify.RequestHandler[],
  req: restify.Request,
  res: restify.Response,
  next: restify.Next,
): void {
  const [first, ...rest] = handlers;
  if (!first) {
    next();
    return;
  }
  first(req, res, ((error?: unknown) =>
    error === undefined || error === null ? runChain(rest, req, res, next) : next(error as Error)) as restify.Next);
}

/** Each check is 'ok' or a short reason in words (no secrets, no stack traces). */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

const turnLogs = new AsyncLocalStorage<Logger>();

/**
 * A logger that, during a turn, writes through that turn's child logger (bound to the activity and
 * conversation id), so every line a turn causes, down to Graph calls, can be correlated.
 */
export function turnAwareLogger(log: Logger): Logger {
  return new Proxy(log, {
    get(target, property) {
      const current = turnLogs.getStore() ?? target;
      const value = Reflect.get(current, property, current);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}

const MAX_BODY_BYTES = 256 * 1024;

/** Why an incoming body is not an activity this bot can answer, or undefined when it is. */
export function activityProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const a = body as Record<string, any>;
  if (typeof a.type !== 'string' || a.type.length === 0 || a.type.length > 64) return 'type must be a non-empty string';
  if (typeof a.serviceUrl !== 'string' || !/^https?:\/\//.test(a.serviceUrl))
    return 'serviceUrl must be an http(s) URL';
  if (typeof a.conversation?.id !== 'string' || !a.conversation.id) return 'conversation.id must be a string';
  if (typeof a.from?.id !== 'string' || !a.from.id) return 'from.id must be a string';
  if (a.text !== undefined && typeof a.text !== 'string') return 'text must be a string';
  return undefined;
}

/** The README section that explains the Playground's tenant and user (named by the local-mode refusal). */
export const PLAYGROUND_HELP = 'README.md#microsoft-365-agents-playground';

export function createServer(options: ServerOptions): restify.Server {
  const { adapter, runTurn, localMode, allowedTenantIds, log } = options;
  const server = restify.createServer({ name: 'ssar-helpdesk', handleUncaughtExceptions: false });
  const parse = restify.plugins.bodyParser({ maxBodySize: options.maxBodyBytes ?? MAX_BODY_BYTES, mapParams: false });
  const large = (options.largeBodies ?? []).map(({ pathPrefix, maxBytes, raw }) => ({
    pathPrefix,
    parse: raw
      ? [restify.plugins.bodyReader({ maxBodySize: maxBytes })]
      : restify.plugins.bodyParser({ maxBodySize: maxBytes, mapParams: false }),
  }));
  server.use((req, res, next) =>
    runChain(large.find(({ pathPrefix }) => req.path().startsWith(pathPrefix))?.parse ?? parse, req, res, next),
  );

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  server.get('/readyz', async (_req, res) => {
    const readiness = (await options.ready?.()) ?? { ready: true, checks: {} };
    res.send(readiness.ready ? 200 : 503, {
      status: readiness.ready ? 'ready' : 'not ready',
      checks: readiness.checks,
    });
  });

  options.extraRoutes?.(server);

  server.post('/api/messages', async (req, res) => {
    const refuse = (status: number, code: string, message: string) => {
      log.warn({ status, code, remote: req.socket.remoteAddress }, `refused activity: ${message}`);
      res.send(status, { error: { code, message } });
    };
    if (localMode && !isLoopbackAddress(req.socket.remoteAddress)) {
      return refuse(
        403,
        'LocalModeLoopbackOnly',
        'This bot runs without BOT_ID and only accepts activities from this machine.',
      );
    }
    if (!localMode && !tokenAddressedTo(req.headers.authorization, options.appId)) {
      return refuse(401, 'Unauthorized', 'A Bot Framework token for this bot is required.');
    }
    const problem = activityProblem(req.body);
    if (problem) return refuse(400, 'BadActivity', `Not a Bot Framework activity: ${problem}.`);
    const activity = req.body as Record<string, any>;
    if (localMode && !isLoopbackUrl(activity.serviceUrl)) {
      return refuse(400, 'BadServiceUrl', 'In local mode replies only go to a loopback serviceUrl.');
    }
    const tenantId = tenantOf(activity);
    if (allowedTenantIds.length > 0 && (!tenantId || !allowedTenantIds.includes(tenantId))) {
      if (localMode) {
        // A local client (the Agents Playground above all) with its own made-up tenant otherwise only sees a silent 403.
        const received = tenantId ? `"${String(tenantId).slice(0, 64)}"` : 'no tenant id';
        log.warn(
          {
            status: 403,
            code: 'TenantNotAllowed',
            receivedTenantId: tenantId ? String(tenantId).slice(0, 64) : null,
            servedTenantIds: allowedTenantIds,
          },
          `refused activity: it came from ${received}, but this bot serves ${allowedTenantIds.map((id) => `"${id}"`).join(', ')}. ` +
            `In the Agents Playground, use a demo-tenant user: see ${PLAYGROUND_HELP}`,
        );
        res.send(403, {
          error: { code: 'TenantNotAllowed', message: 'This bot does not serve the tenant this activity came from.' },
        });
        return;
      }
      return refuse(403, 'TenantNotAllowed', 'This bot does not serve the tenant this activity came from.');
    }
    const turnLog = log.child({ activityId: activity.id, conversationId: activity.conversation.id });
    const started = performance.now();
    // One span per turn: the kind of activity, never its text; the Teams layer adds verb, role and outcome.
    const turnAttributes = {
      'http.request.method': 'POST',
      'http.route': '/api/messages',
      'ssar.activity.type': activity.type,
    };
    await inSpan(
      'POST /api/messages',
      turnAttributes,
      (span) =>
        turnLogs.run(turnLog, async () => {
          try {
            await adapter.process(req, res, runTurn);
          } catch (error) {
            // The adapter answers authentication failures itself; anything reaching here is ours.
            turnLog.error({ err: errorSummary(error) }, 'activity processing failed');
            if (!res.headersSent)
              res.send(500, { error: { code: 'InternalError', message: 'The bot could not process this activity.' } });
          }
          const ms = performance.now() - started;
          span.setAttribute('http.response.status_code', res.statusCode);
          metric.turn(ms / 1000, {
            method: 'POST',
            route: '/api/messages',
            status: res.statusCode,
            activityType: activity.type,
          });
          turnLog.info({ type: activity.type, status: res.statusCode, ms: Math.round(ms) }, 'activity processed');
        }),
      SpanKind.SERVER,
    );
  });

  return server;
}

/**
 * A cheap first gate before the SDK's full validation (signature, issuer, keys): the bearer token
 * must be a JWT for this app id that has not expired. Forged or misdirected tokens stop here.
 */
export function tokenAddressedTo(header: string | undefined, appId: string | undefined): boolean {
  const token = /^Bearer ([\w-]+\.([\w-]+)\.[\w-]+)$/.exec(header ?? '');
  if (!token || !appId) return false;
  try {
    const claims = JSON.parse(Buffer.from(token[2]!, 'base64url').toString('utf8'));
    const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return audiences.includes(appId) && typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
  } catch {
    return false;
  }
}
