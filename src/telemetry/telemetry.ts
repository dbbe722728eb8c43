import {
  type Attributes,
  type Counter,
  context,
  type Histogram,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * The bot's own traces and metrics, through the OpenTelemetry API only. With no SDK registered
 * (APPLICATIONINSIGHTS_CONNECTION_STRING unset) every call here is a no-op and costs next to nothing;
 * `register.ts` starts the Azure Monitor distro, which registers the SDK, when it is set.
 *
 * What may be an attribute: kinds, codes, counts, durations, path templates. Never a pass, a token,
 * what a person typed, or the name or sign-in name of anyone checked (docs/operations.md).
 */

const SCOPE = 'ssar-helpdesk';
const tracer = trace.getTracer(SCOPE);

/** Runs `work` in a span that is active for everything it awaits; errors mark it failed and rethrow. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'Error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The same for synchronous work, such as binding a card template. */
export function inSpanSync<T>(name: string, attributes: Attributes, work: () => T): T {
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    try {
      return work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'Error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A span for work that has already happened (a request inside a `$batch`), a child of the active span. */
export function recordFinishedSpan(name: string, startedAt: number, attributes: Attributes): void {
  tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: startedAt, attributes }).end();
}

export { SpanKind };

/** Adds what the Teams layer learns during a turn (verb, role of the asker, outcome) to the turn's span. */
export function annotateTurn(attributes: { verb?: string; role?: string; outcome?: string }): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  if (attributes.verb) span.setAttribute('ssar.turn.verb', attributes.verb);
  if (attributes.role) span.setAttribute('ssar.asker.role', attributes.role);
  if (attributes.outcome) span.setAttribute('ssar.turn.outcome', attributes.outcome);
}

/** The active trace and span ids, as the OpenTelemetry pino instrumentation names them, for log lines. */
export function traceIds(): { trace_id: string; span_id: string; trace_flags: string } | undefined {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !isSpanContextValid(ids)) return undefined;
  return { trace_id: ids.traceId, span_id: ids.spanId, trace_flags: `0${ids.traceFlags.toString(16)}` };
}

/** The trace id that correlates a turn, its Graph calls, its log lines and its audit entries. */
export function correlationId(): string | undefined {
  return traceIds()?.trace_id;
}

interface Instruments {
  checks: Counter;
  checkRequirements: Counter;
  escalationTransitions: Counter;
  passesIssued: Counter;
  refusals: Counter;
  graphThrottled: Counter;
  graphRetryAfter: Histogram;
  readinessMembers: Counter;
  turnDuration: Histogram;
}

let instruments: { provider: MeterProvider; value: Instruments } | undefined;

/**
 * The metric instruments of the meter provider registered now. The API has no proxy meter, so they
 * are made when first used rather than at import, and again if another provider was registered.
 */
function meters(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments.value;
  const meter = provider.getMeter(SCOPE);
  const value: Instruments = {
    checks: meter.createCounter('ssar.checks', {
      unit: '{check}',
      description: 'Eligibility checks answered, by verdict.',
    }),
    checkRequirements: meter.createCounter('ssar.check.requirements', {
      unit: '{requirement}',
      description: 'Requirements that did not pass in an eligibility check, by requirement and status.',
    }),
    escalationTransitions: meter.createCounter('ssar.escalation.transitions', {
      unit: '{transition}',
      description: 'Escalation requests entering a state.',
    }),
    passesIssued: meter.createCounter('ssar.passes.issued', {
      unit: '{pass}',
      description: 'Temporary Access Passes created and delivered.',
    }),
    refusals: meter.createCounter('ssar.refusals', {
      unit: '{refusal}',
      description: 'Requests the bot refused, by refusal code.',
    }),
    graphThrottled: meter.createCounter('ssar.graph.throttled', {
      unit: '{response}',
      description: 'HTTP 429 answers from Microsoft Graph, by budget.',
    }),
    graphRetryAfter: meter.createHistogram('ssar.graph.retry_after', {
      unit: 's',
      description: 'Retry-After that Microsoft Graph asked for, by budget.',
    }),
    readinessMembers: meter.createCounter('ssar.readiness.members', {
      unit: '{member}',
      description: 'Members a readiness scan has checked.',
    }),
    turnDuration: meter.createHistogram('http.server.request.duration', {
      unit: 's',
      description: 'Duration of HTTP server requests.',
    }),
  };
  instruments = { provider, value };
  return value;
}

/** One place that records each metric, so names, units and attribute keys cannot drift apart. */
export const metric = {
  check(verdict: string, notPassing: ReadonlyArray<{ requirement: string; status: string }>): void {
    const m = meters();
    m.checks.add(1, { 'ssar.verdict': verdict });
    for (const { requirement, status } of notPassing)
      m.checkRequirements.add(1, { 'ssar.requirement': requirement, 'ssar.status': status });
  },
  escalationTransition(state: string): void {
    meters().escalationTransitions.add(1, { 'ssar.escalation.state': state });
  },
  passIssued(): void {
    meters().passesIssued.add(1);
  },
  refusal(code: string): void {
    meters().refusals.add(1, { 'ssar.refusal.code': code });
  },
  graphThrottled(budget: string, retryAfterSeconds: number | undefined): void {
    const m = meters();
    m.graphThrottled.add(1, { 'ssar.graph.budget': budget });
    if (retryAfterSeconds !== undefined) m.graphRetryAfter.record(retryAfterSeconds, { 'ssar.graph.budget': budget });
  },
  readinessMembers(count: number): void {
    meters().readinessMembers.add(count);
  },
  turn(seconds: number, attributes: { method: string; route: string; status: number; activityType?: string }): void {
    meters().turnDuration.record(seconds, {
      'http.request.method': attributes.method,
      'http.route': attributes.route,
      'http.response.status_code': attributes.status,
      ...(attributes.activityType ? { 'ssar.activity.type': attributes.activityType } : {}),
    });
  },
};
