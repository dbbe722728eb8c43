import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { type BudgetName, budgetOf, type GraphBudget, type Priority } from './budget.js';

/**
 * Cross-cutting Graph concerns as a middleware chain, as msgraph-sdk-javascript intends: callers
 * never sleep, retry or log Graph calls themselves.
 */

/** Per-request retry rule, attached with `.middlewareOptions([new RetryPolicy(...)])`. */
export class RetryPolicy implements MiddlewareOptions {
  /**
   * A request that changes something (creating a Temporary Access Pass) must not be repeated after
   * a 5xx or a timeout: the first attempt may have succeeded. A 429 is always safe to repeat, since
   * Graph did not process the throttled request.
   */
  constructor(readonly retryServerErrors: boolean) {}
}

/** Who is waiting for a request: a person in chat, or background work such as the readiness report. */
export class RequestPriority implements MiddlewareOptions {
  /** `signal` ends background waits (for a budget, for a Retry-After) when the work is cancelled. */
  constructor(
    readonly priority: Priority,
    readonly signal?: AbortSignal,
  ) {}
}

export interface RetryOptions {
  maxRetries: number;
  /**
   * Longest total time an interactive request may spend waiting for retries before its error is
   * returned: a person is waiting, and "Graph is throttling, retry in N s" is a better answer.
   */
  maxWaitMs: number;
  /** Background work honours any Retry-After, however long, and tries this many times. */
  backgroundMaxRetries: number;
  /** Backoff base when Graph gives no Retry-After. */
  baseDelayMs: number;
}

const priorityOption = (context: Context) =>
  context.middlewareControl?.getMiddlewareOptions(RequestPriority) as RequestPriority | undefined;
const priorityOf = (context: Context): Priority => priorityOption(context)?.priority ?? 'interactive';

const THROTTLED = 429;
const TRANSIENT = new Set([500, 502, 503, 504]);

/** Seconds or HTTP-date in a Retry-After header, as milliseconds from now. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Retries throttled (429) and transient (5xx) responses, honouring Retry-After, with exponential
 * backoff and jitter otherwise. A 429 also pauses every other request through this client until
 * Retry-After has passed: in a throttling storm, hammering Graph only lengthens the penalty.
 */
export class ThrottlingRetryHandler implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly options: RetryOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const policy = context.middlewareControl?.getMiddlewareOptions(RetryPolicy) as RetryPolicy | undefined;
    const retryServerErrors = policy?.retryServerErrors ?? isIdempotent(context);
    const background = priorityOf(context) === 'background';
    const maxRetries = background ? this.options.backgroundMaxRetries : this.options.maxRetries;
    const started = this.clock.now();
    for (let attempt = 0; ; attempt++) {
      await this.next!.execute(context);
      const status = context.response?.status ?? 0;
      const retryable = status === THROTTLED || (retryServerErrors && TRANSIENT.has(status));
      if (!retryable || attempt >= maxRetries) return;
      // A refusal by our own budget (no request was sent) is final for a person: answer now.
      if (context.response?.headers.get(BUDGET_REFUSAL_HEADER)) return;
      const hinted = retryAfterMs(context.response?.headers.get('Retry-After'), this.clock.now());
      const backoff = this.options.baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
      const delay = hinted ?? backoff;
      if (!background && this.clock.now() - started + delay > this.options.maxWaitMs) return;
      await this.clock.sleep(delay, priorityOption(context)?.signal);
    }
  }
}

/** Set on a 429 the budget handler answers itself, without sending the request to Graph. */
export const BUDGET_REFUSAL_HEADER = 'x-ssar-budget';

/**
 * Paces requests to the documented reports and signInActivity budgets (see budget.ts): background
 * work waits its turn and leaves a share for interactive checks; an interactive request that does
 * not fit within `interactiveWaitMs` gets a 429 with the Retry-After at once, without costing
 * Graph anything, so the check can answer with what it has. `$batch` items count one by one; an
 * interactive batch sends what fits and answers the rest itself. A 429 from Graph pauses the
 * budget it came from. Every request carries `x-ms-throttle-priority` (low for background, high for
 * a person waiting), which Graph uses to choose whom to throttle first.
 */
export class ThrottlingBudgetHandler implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly budget: GraphBudget,
    private readonly interactiveWaitMs = 2_000,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const priority = priorityOf(context);
    setHeader(context, 'x-ms-throttle-priority', priority === 'background' ? 'low' : 'high');
    const path = versionRelative(requestUrl(context));
    const batch = path.split('?')[0]!.toLowerCase() === '/$batch' ? parseBatch(context) : undefined;
    const items = batch
      ? batch.requests.map((request) => ({ id: String(request.id), budget: budgetOf(withSlash(String(request.url))) }))
      : [{ id: '', budget: budgetOf(path) }];
    const refused = new Map<string, number>();
    if (priority === 'background') {
      await this.budget.admitBackground(countBudgets(items), priorityOption(context)?.signal);
    } else {
      for (const item of items) {
        const ms = item.budget && (await this.admitInteractive(item.budget));
        if (ms) refused.set(item.id, ms);
      }
    }
    if (!batch) {
      if (refused.size > 0) return void (context.response = budgetRefusal(refused.get('')!));
      await this.next!.execute(context);
      const budget = items[0]!.budget;
      if (budget && context.response?.status === THROTTLED)
        this.budget.pause(
          budget,
          retryAfterMs(context.response.headers.get('Retry-After'), this.budget.clock.now()) ?? 1_000,
        );
      return;
    }
    const sent = batch.requests.filter((request) => !refused.has(String(request.id)));
    const answers = refusedAnswers(refused);
    if (sent.length === 0) return void (context.response = jsonResponse({ responses: answers }));
    if (refused.size > 0) context.options = { ...context.options, body: JSON.stringify({ ...batch, requests: sent }) };
    await this.next!.execute(context);
    if (!context.response?.ok) return;
    const body = (await context.response
      .clone()
      .json()
      .catch(() => undefined)) as
      | { responses?: Array<{ id: string; status: number; headers?: Record<string, string> }> }
      | undefined;
    for (const response of body?.responses ?? []) {
      const budget = items.find((item) => item.id === String(response.id))?.budget;
      const hinted = Object.entries(response.headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
      if (budget && response.status === THROTTLED)
        this.budget.pause(budget, retryAfterMs(hinted, this.budget.clock.now()) ?? 1_000);
    }
    if (refused.size > 0)
      context.response = jsonResponse({ ...body, responses: [...(body?.responses ?? []), ...answers] });
  }

  /** 0 when admitted (after at most a short wait), else the milliseconds until it would fit. */
  private async admitInteractive(budget: BudgetName): Promise<number> {
    const first = this.budget.tryAdmit({ [budget]: 1 }, 'interactive');
    if (first.admitted) return 0;
    if (first.retryAfterMs > this.interactiveWaitMs) return first.retryAfterMs;
    await this.budget.clock.sleep(first.retryAfterMs);
    const second = this.budget.tryAdmit({ [budget]: 1 }, 'interactive');
    return second.admitted ? 0 : second.retryAfterMs;
  }
}

interface BatchPayload {
  requests: Array<{ id: unknown; url: unknown; [key: string]: unknown }>;
}

function parseBatch(context: Context): BatchPayload | undefined {
  const body = context.options?.body;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body) as BatchPayload;
    return Array.isArray(parsed.requests) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function countBudgets(items: Array<{ budget?: BudgetName }>): Partial<Record<BudgetName, number>> {
  const counts: Partial<Record<BudgetName, number>> = {};
  for (const { budget } of items) if (budget) counts[budget] = (counts[budget] ?? 0) + 1;
  return counts;
}

const TOO_MANY = {
  code: 'TooManyRequests',
  message: "The bot is holding this request back to stay within Graph's throttling limits.",
};

function budgetRefusal(ms: number): Response {
  return jsonResponse({ error: TOO_MANY }, 429, {
    'Retry-After': String(Math.ceil(ms / 1000)),
    [BUDGET_REFUSAL_HEADER]: '1',
  });
}

function refusedAnswers(refused: Map<string, number>) {
  return [...refused].map(([id, ms]) => ({
    id,
    status: 429,
    headers: { 'Retry-After': String(Math.ceil(ms / 1000)), [BUDGET_REFUSAL_HEADER]: '1' },
    body: { error: TOO_MANY },
  }));
}

function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function requestUrl(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

/** `/users/x?...` from `https://graph.microsoft.com/v1.0/users/x?...`. */
function versionRelative(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname.replace(/^\/[^/]+/, '') + parsed.search;
}

const withSlash = (url: string) => (url.startsWith('/') ? url : `/${url}`);

/** Sets one request header, whichever of the three shapes fetch allows the headers are in. */
export function setHeader(context: Context, name: string, value: string): void {
  context.options ??= {};
  const headers = context.options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else context.options.headers = { ...(headers ?? {}), [name]: value };
}

function isIdempotent(context: Context): boolean {
  const method = (
    context.options?.method ?? (typeof context.request === 'string' ? 'GET' : context.request.method)
  ).toUpperCase();
  return method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'PUT';
}

/** One debug line per Graph attempt: method, path, status, time. Never query values, bodies or headers. */
export class GraphCallLogger implements Middleware {
  private next?: Middleware;

  constructor(private readonly log: Logger) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const started = performance.now();
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const path = new URL(url).pathname;
    const method = context.options?.method ?? 'GET';
    try {
      await this.next!.execute(context);
    } finally {
      const status = context.response?.status;
      const requestId = context.response?.headers.get('request-id') ?? undefined;
      const line = { graph: { method, path, status, ms: Math.round(performance.now() - started), requestId } };
      if (status === THROTTLED || (status ?? 0) >= 500) this.log.warn(line, 'graph call failed');
      else this.log.debug(line, 'graph call');
    }
  }
}
