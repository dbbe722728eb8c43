import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { inSpan, metric, recordFinishedSpan, SpanKind } from '../telemetry/telemetry.js';
import { type BudgetName, budgetOf } from './budget.js';
import { retryAfterMs, setHeader } from './middleware.js';

/**
 * A client span per Graph attempt, named by its path template so no user id, sign-in name or query
 * value reaches telemetry. Each attempt carries a fresh `client-request-id` (Graph echoes it and
 * Microsoft support can trace it); a 429 records which throttling budget it came from and its
 * Retry-After.
 */
export class GraphTelemetry implements Middleware {
  private next?: Middleware;

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = new URL(typeof context.request === 'string' ? context.request : context.request.url);
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const template = graphPathTemplate(url.pathname);
    // Relative to the version root (`/v1.0`), as budgetOf reads it.
    const budget = budgetName(`${url.pathname.replace(/^\/[^/]+/, '')}${url.search}`);
    const clientRequestId = randomUUID();
    setHeader(context, 'client-request-id', clientRequestId);
    await inSpan(
      `graph ${method} ${template}`,
      {
        'http.request.method': method,
        'url.template': template,
        'server.address': url.hostname,
        'ssar.graph.budget': budget,
        'ssar.graph.client_request_id': clientRequestId,
      },
      async (span) => {
        await this.next!.execute(context);
        const status = context.response?.status ?? 0;
        span.setAttribute('http.response.status_code', status);
        if (status === 429) {
          const waitMs = retryAfterMs(context.response?.headers.get('Retry-After'));
          const seconds = waitMs === undefined ? undefined : waitMs / 1000;
          if (seconds !== undefined) span.setAttribute('ssar.graph.retry_after_s', seconds);
          metric.graphThrottled(budget, seconds);
        }
        if (status >= 400) span.setAttribute('error.type', String(status));
      },
      SpanKind.CLIENT,
    );
  }
}

/**
 * One span per request inside a `$batch` envelope (Graph counts each against its budget), spanning
 * the envelope's round trip: the path template, the status, the budget and a Retry-After.
 */
export function recordBatchItems(
  items: ReadonlyArray<{ method: string; url: string; status: number; retryAfterMs: number | undefined }>,
  startedAt: number,
): void {
  for (const item of items) {
    const template = graphPathTemplate(item.url.split('?')[0]!);
    const budget = budgetName(item.url);
    const retryAfterSeconds = item.retryAfterMs === undefined ? undefined : item.retryAfterMs / 1000;
    recordFinishedSpan(`graph batch ${item.method} ${template}`, startedAt, {
      'http.request.method': item.method,
      'url.template': template,
      'http.response.status_code': item.status,
      'ssar.graph.budget': budget,
      ...(retryAfterSeconds === undefined ? {} : { 'ssar.graph.retry_after_s': retryAfterSeconds }),
      ...(item.status >= 400 ? { 'error.type': String(item.status) } : {}),
    });
    if (item.status === 429) metric.graphThrottled(budget, retryAfterSeconds);
  }
}

/**
 * `/v1.0/users/1b6c.../authentication/methods` -> `/v1.0/users/{id}/authentication/methods`.
 * Graph's own path words are letters (and dots in casts such as microsoft.graph.user); anything
 * else (an object id, a sign-in name, a `('...')` key) is a value and becomes `{id}`.
 */
export function graphPathTemplate(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) =>
      segment === '' || /^(v\d+\.\d+|beta|\$batch|\$count|\$value|[A-Za-z][A-Za-z.]*)$/.test(segment)
        ? segment
        : '{id}',
    )
    .join('/');
}

/**
 * Which of Graph's documented throttling budgets a request draws on, by the same rule the client's
 * budget middleware paces by (`budgetOf`); everything else is the general directory budget.
 */
function budgetName(pathFromVersionRoot: string): BudgetName | 'directory' {
  return budgetOf(pathFromVersionRoot) ?? 'directory';
}
