import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  GraphError,
  HTTPMessageHandler,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { type Clock, systemClock } from '../clock.js';
import { isLoopbackUrl } from '../config.js';
import type { Logger } from '../log.js';
import { DOCUMENTED_BUDGETS, GraphBudget, NO_BUDGETS, type Priority } from './budget.js';
import { GraphTelemetry, recordBatchItems } from './graph-telemetry.js';
import {
  BUDGET_REFUSAL_HEADER,
  GraphCallLogger,
  RequestPriority,
  type RetryOptions,
  RetryPolicy,
  retryAfterMs,
  ThrottlingBudgetHandler,
  ThrottlingRetryHandler,
} from './middleware.js';

/** A failed Graph request, the same shape whether it failed on its own or inside a `$batch`. */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** On a 429: how long Graph (or the bot's own budget) asked to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'GraphRequestError';
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isPermissionDenied(): boolean {
    return this.status === 403;
  }

  get isThrottled(): boolean {
    return this.status === 429;
  }
}

export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST';
  /** Relative to the Graph version root, e.g. `/users/{id}?$select=id`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type BatchResult<T = any> = { ok: true; status: number; body: T } | { ok: false; error: GraphRequestError };

export interface GraphOptions {
  /** Graph root including the version, e.g. https://graph.microsoft.com/v1.0 (national clouds differ). */
  baseUrl: string;
  /** Omitted for a loopback emulator: no token is requested. */
  credential?: TokenCredential;
  log: Logger;
  retry?: Partial<RetryOptions>;
  /** The clock waits are measured on; a scaled one in tests and the benchmark. */
  clock?: Clock;
  /**
   * Shared by every client of this app in this tenant. When absent: Graph's documented budgets,
   * or none for a loopback emulator (which enforces none unless a test asks it to).
   */
  budget?: GraphBudget;
}

const BATCH_LIMIT = 20;
/** Rounds for throttled or transient `$batch` items: a person gets few, background work many. */
const BATCH_RETRY_ROUNDS: Record<Priority, number> = { interactive: 3, background: 30 };
const DEFAULT_RETRY: RetryOptions = { maxRetries: 4, maxWaitMs: 20_000, backgroundMaxRetries: 30, baseDelayMs: 500 };

/**
 * The one way the bot talks to Microsoft Graph: the official client with a middleware chain
 * (auth, throttling retry, call logging), plus the two things its callers need most: `$batch`
 * with inner 429s retried, and paging through `@odata.nextLink`.
 */
export class Graph {
  readonly client: Client;
  readonly budget: GraphBudget;
  /** Who waits for this client's requests; `background()` gives a client for the readiness report. */
  readonly priority: Priority = 'interactive';
  private readonly versionRoot: string;
  private readonly clock: Clock;
  private readonly retry: RetryOptions;

  constructor(options: GraphOptions) {
    const url = new URL(options.baseUrl);
    this.versionRoot = url.href.replace(/\/+$/, '');
    this.clock = options.clock ?? options.budget?.clock ?? systemClock;
    this.budget =
      options.budget ?? new GraphBudget(this.clock, isLoopbackUrl(options.baseUrl) ? NO_BUDGETS : DOCUMENTED_BUDGETS);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const chain: Middleware[] = [];
    if (options.credential && !isLoopbackUrl(options.baseUrl)) {
      const scope = `${url.origin}/.default`;
      chain.push(
        new AuthenticationHandler(new TokenCredentialAuthenticationProvider(options.credential, { scopes: [scope] })),
      );
    }
    chain.push(
      new ThrottlingRetryHandler(this.retry, this.clock),
      new GraphTelemetry(),
      new ThrottlingBudgetHandler(this.budget),
      new GraphCallLogger(options.log),
      new HTTPMessageHandler(),
    );
    const segments = url.pathname.split('/').filter(Boolean);
    this.client = Client.initWithMiddleware({
      middleware: chain,
      baseUrl: `${url.origin}/${segments
        .slice(0, -1)
        .map((s) => `${s}/`)
        .join('')}`,
      defaultVersion: segments.at(-1) ?? 'v1.0',
      customHosts: new Set([url.hostname]),
    });
  }

  /** Ends this client's waits when background work is cancelled. */
  private readonly signal?: AbortSignal;

  /**
   * The same client for background work: paced to the budgets, leaving a share for people, waiting
   * out any Retry-After; `signal` cuts those waits short when the work is cancelled.
   */
  background(signal?: AbortSignal): Graph {
    return Object.create(this, {
      priority: { value: 'background', enumerable: true },
      signal: { value: signal, enumerable: true },
    }) as Graph;
  }

  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    return this.call(() => this.request(path).headers(headers).get());
  }

  /** A POST that only reads (checkMemberGroups): safe to retry after a 5xx. */
  async postRead<T>(path: string, body: unknown): Promise<T> {
    return this.call(() => this.request(path, new RetryPolicy(true)).post(body));
  }

  /** A POST that changes the directory: never repeated after a 5xx or timeout, only after a 429. */
  async postChange<T>(path: string, body: unknown): Promise<T> {
    return this.call(() => this.request(path, new RetryPolicy(false)).post(body));
  }

  async delete(path: string): Promise<void> {
    await this.call(() => this.request(path).delete());
  }

  private request(path: string, ...options: RetryPolicy[]) {
    return this.client
      .api(this.relative(path))
      .middlewareOptions([...options, new RequestPriority(this.priority, this.signal)]);
  }

  /** Every page of a collection, following `@odata.nextLink`, one page at a time. */
  async *pages<T>(path: string, headers: Record<string, string> = {}): AsyncGenerator<T[]> {
    let next: string | undefined = path;
    while (next) {
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.get(next, headers);
      yield page.value ?? [];
      next = page['@odata.nextLink'];
    }
  }

  async all<T>(path: string, headers: Record<string, string> = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(path, headers)) items.push(...page);
    return items;
  }

  /**
   * Runs reads in `$batch` envelopes of 20. The envelope is 200 even when inner requests were
   * throttled, and the SDK's retry never sees those, so throttled or transient inner requests are
   * sent again (alone, in a later envelope) after the longest Retry-After they asked for.
   */
  async batch(requests: BatchRequest[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    const background = this.priority === 'background';
    let pending = requests;
    for (let round = 0; pending.length > 0; round++) {
      const chunks: BatchRequest[][] = [];
      for (let i = 0; i < pending.length; i += BATCH_LIMIT) chunks.push(pending.slice(i, i + BATCH_LIMIT));
      const responses = (await Promise.all(chunks.map((chunk) => this.sendBatch(chunk)))).flat();
      const retry: BatchRequest[] = [];
      let wait = 0;
      for (const response of responses) {
        const request = pending.find((r) => r.id === response.id)!;
        const transient = response.status === 429 || response.status === 503 || response.status === 504;
        const hinted = retryAfterMs(header(response.headers, 'retry-after'), this.clock.now());
        // A person is not kept waiting: the bot's own budget refusal, or a long Retry-After, is the answer.
        const worthWaiting =
          background || (!header(response.headers, BUDGET_REFUSAL_HEADER) && (hinted ?? 0) <= this.retry.maxWaitMs);
        if (transient && worthWaiting && round < BATCH_RETRY_ROUNDS[this.priority]) {
          retry.push(request);
          wait = Math.max(wait, hinted ?? 500 * 2 ** Math.min(round, 5));
          continue;
        }
        results.set(
          response.id,
          response.status < 400
            ? { ok: true, status: response.status, body: response.body }
            : {
                ok: false,
                error: toError(response.status, response.body, header(response.headers, 'request-id'), hinted),
              },
        );
      }
      if (retry.length > 0)
        await this.clock.sleep(background ? wait : Math.min(wait, this.retry.maxWaitMs), this.signal);
      pending = retry;
    }
    return results;
  }

  private async sendBatch(
    chunk: BatchRequest[],
  ): Promise<Array<{ id: string; status: number; headers?: Record<string, string>; body?: any }>> {
    const payload = {
      requests: chunk.map(({ id, method, url, body, headers }) => ({
        id,
        method,
        url: this.relative(url),
        ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json', ...headers } }),
        ...(body === undefined && headers ? { headers } : {}),
      })),
    };
    const startedAt = Date.now();
    const response = await this.postRead<{
      responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: any }>;
    }>('/$batch', payload);
    const byId = new Map((response.responses ?? []).map((r) => [String(r.id), r]));
    // A request Graph dropped from the envelope is reported, never silently missing.
    const answers = chunk.map(
      (r) =>
        byId.get(r.id) ?? {
          id: r.id,
          status: 502,
          body: { error: { code: 'MissingBatchResponse', message: 'Graph returned no response for this request' } },
        },
    );
    recordBatchItems(
      chunk.map((request, i) => ({
        method: request.method,
        url: this.relative(request.url),
        status: answers[i]!.status,
        retryAfterMs: retryAfterMs(header(answers[i]!.headers, 'retry-after'), this.clock.now()),
      })),
      startedAt,
    );
    return answers;
  }

  /** Paths and nextLinks relative to the version root: the client does not treat an http:// nextLink as absolute. */
  private relative(path: string): string {
    if (path.startsWith(this.versionRoot)) return path.slice(this.versionRoot.length) || '/';
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      return `${url.pathname.replace(/^\/[^/]+/, '')}${url.search}`;
    }
    return path;
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      // Cancelled background work: not a Graph failure.
      if (this.signal?.aborted) throw this.signal.reason;
      if (error instanceof GraphError) {
        const retryAfter =
          error.statusCode === 429 ? retryAfterMs(error.headers?.get('Retry-After'), this.clock.now()) : undefined;
        throw new GraphRequestError(
          error.statusCode,
          error.code ?? 'Unknown',
          error.message,
          error.requestId ?? undefined,
          retryAfter === undefined ? undefined : Math.ceil(retryAfter / 1000),
        );
      }
      if (error instanceof GraphRequestError) throw error;
      throw new GraphRequestError(
        0,
        'NetworkError',
        `Microsoft Graph could not be reached (${(error as Error).message})`,
      );
    }
  }
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function toError(status: number, body: any, requestId?: string, retryAfter?: number): GraphRequestError {
  const error = body?.error ?? {};
  const seconds = status === 429 && retryAfter !== undefined ? Math.ceil(retryAfter / 1000) : undefined;
  return new GraphRequestError(
    status,
    error.code ?? 'Unknown',
    error.message ?? `Graph answered ${status}`,
    requestId ?? error.innerError?.['request-id'],
    seconds,
  );
}
