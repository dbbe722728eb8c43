import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../log.js';

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

export interface RetryOptions {
  maxRetries: number;
  /** Longest total time one request may spend waiting for retries before its error is returned. */
  maxWaitMs: number;
  /** Backoff base when Graph gives no Retry-After. */
  baseDelayMs: number;
}

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
  private pausedUntil = 0;

  constructor(private readonly options: RetryOptions, private readonly sleep = defaultSleep) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const policy = context.middlewareControl?.getMiddlewareOptions(RetryPolicy) as RetryPolicy | undefined;
    const retryServerErrors = policy?.retryServerErrors ?? isIdempotent(context);
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await this.sleep(pause);
      await this.next!.execute(context);
      const status = context.response?.status ?? 0;
      const retryable = status === THROTTLED || (retryServerErrors && TRANSIENT.has(status));
      if (!retryable || attempt >= this.options.maxRetries) return;
      const hinted = retryAfterMs(context.response?.headers.get('Retry-After'));
      const backoff = this.options.baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
      const delay = hinted ?? backoff;
      if (status === THROTTLED) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
      if (Date.now() - started + delay > this.options.maxWaitMs) return;
      if (status !== THROTTLED) await this.sleep(delay);
    }
  }
}

function isIdempotent(context: Context): boolean {
  const method = (context.options?.method ?? (typeof context.request === 'string' ? 'GET' : context.request.method)).toUpperCase();
  return method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'PUT';
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
