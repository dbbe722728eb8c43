import { type AttributeValue, metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, cast, openApp, passesIn, personalChatId, storedText } from '../escalation-bot/helpers.js';
import { type Harness, startHarness } from '../harness.js';

/** Collects on demand, as an exporter's periodic reader would. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

// What the Azure Monitor distro would export, captured in memory (this file's worker only).
const spans = new InMemorySpanExporter();
const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
tracing.register();
const reader = new OnDemandReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

async function exportedMetrics(): Promise<ResourceMetrics> {
  return (await reader.collect()).resourceMetrics;
}

function metricPoints(
  resource: ResourceMetrics,
  name: string,
): Array<{ attributes: Record<string, AttributeValue | undefined> }> {
  return resource.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints as Array<{ attributes: Record<string, AttributeValue | undefined> }>);
}

/** Every value anything exported carries: span names, attributes, events, metric attributes. */
function everythingExported(finished: ReadableSpan[], resource: ResourceMetrics): string {
  const values: AttributeValue[] = [];
  for (const span of finished) {
    values.push(span.name, ...Object.values(span.attributes).filter((v): v is AttributeValue => v !== undefined));
    for (const event of span.events)
      values.push(
        event.name,
        ...Object.values(event.attributes ?? {}).filter((v): v is AttributeValue => v !== undefined),
      );
    if (span.status.message) values.push(span.status.message);
  }
  for (const scope of resource.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints)
        values.push(...Object.values(point.attributes).filter((v): v is AttributeValue => v !== undefined));
    }
  }
  return values.map(String).join('\n');
}

describe('telemetry an operator sees in Application Insights', () => {
  let harness: Harness;
  let pass: string;

  beforeAll(async () => {
    harness = await startHarness();
    await openApp(harness, cast.helen, cast.megan);
    spans.reset();
    await harness.say(cast.helen, 'check jon.doe@contoso.com');
    await harness.invoke(cast.helen, 'escalate.start', { userId: cast.adele.aadObjectId });
    const submitted = await harness.invoke(cast.helen, 'escalate.submit', {
      userId: cast.adele.aadObjectId,
      reason: 'Lost her phone on a trip',
      verification: 'video-call-with-id',
    });
    await act(harness, cast.megan, 'escalation.approve', {
      requestId: submitted.body.value.refresh.action.data.requestId,
    });
    pass = passesIn(harness, personalChatId(cast.helen))[0] ?? '';
  });
  afterAll(() => harness.close());

  it('a check is one trace: the turn, then its Graph calls and store operations as children', () => {
    const finished = spans.getFinishedSpans();
    const turns = finished.filter((span) => span.name === 'POST /api/messages');
    expect(turns.length).toBeGreaterThanOrEqual(4);
    const checkTurn = turns[0]!;
    expect(checkTurn.attributes['ssar.activity.type']).toBe('message');
    expect(checkTurn.attributes['http.response.status_code']).toBe(200);
    const inCheck = finished.filter(
      (span) => span.spanContext().traceId === checkTurn.spanContext().traceId && span !== checkTurn,
    );
    const graphCalls = inCheck.filter(
      (span) => span.name.startsWith('graph ') && !span.name.startsWith('graph batch '),
    );
    expect(graphCalls.length).toBeGreaterThan(0);
    for (const call of graphCalls) {
      expect(call.parentSpanContext?.spanId).toBeDefined();
      expect(call.attributes['url.template']).toMatch(/^\/v1\.0\//);
      expect(call.attributes['http.response.status_code']).toBe(200);
      expect(['directory', 'reports', 'signInActivity']).toContain(call.attributes['ssar.graph.budget']);
    }
    expect(graphCalls.map((call) => call.name)).toContain('graph POST /v1.0/$batch');
  });

  it('filing a request shows its store operations, by collection and never by key', () => {
    const finished = spans.getFinishedSpans();
    const stores = finished.filter((span) => span.name.startsWith('store '));
    expect(stores.length).toBeGreaterThan(0);
    const turnIds = new Set(
      finished.filter((span) => span.name === 'POST /api/messages').map((span) => span.spanContext().traceId),
    );
    expect(stores.some((span) => turnIds.has(span.spanContext().traceId))).toBe(true);
    for (const span of stores)
      expect(Object.keys(span.attributes).sort()).toEqual(expect.arrayContaining(['ssar.store.operation']));
  });

  it('each turn says what it was (verb, role of the asker, outcome) and which card it rendered, never what was typed', () => {
    const finished = spans.getFinishedSpans();
    const turns = finished.filter((span) => span.name === 'POST /api/messages');
    const [checkTurn, , submitTurn, approveTurn] = turns;
    expect(checkTurn!.attributes).toMatchObject({
      'ssar.turn.verb': 'check',
      'ssar.asker.role': 'agent',
      'ssar.turn.outcome': 'answered',
    });
    expect(submitTurn!.attributes).toMatchObject({
      'ssar.turn.verb': 'escalate.submit',
      'ssar.asker.role': 'agent',
      'ssar.activity.type': 'invoke',
    });
    // Megan decides as Adele's manager: no standing of her own in the bot's groups.
    expect(approveTurn!.attributes).toMatchObject({
      'ssar.turn.verb': 'escalation.approve',
      'ssar.asker.role': 'member',
    });
    const cards = finished.filter(
      (span) => span.name.startsWith('card ') && span.spanContext().traceId === checkTurn!.spanContext().traceId,
    );
    expect(cards.map((span) => span.attributes['ssar.card.template'])).toContain('eligibility-agent');
  });

  it('checks are counted by verdict and by failing requirement; escalations by state; the pass once', async () => {
    const resource = await exportedMetrics();
    expect(metricPoints(resource, 'ssar.checks').map((p) => p.attributes['ssar.verdict'])).toContain('fail');
    expect(metricPoints(resource, 'ssar.check.requirements').map((p) => p.attributes['ssar.requirement'])).toContain(
      'E5',
    );
    expect(
      metricPoints(resource, 'ssar.escalation.transitions').map((p) => p.attributes['ssar.escalation.state']),
    ).toEqual(expect.arrayContaining(['requested', 'approved', 'issued']));
    expect(metricPoints(resource, 'ssar.passes.issued')).toHaveLength(1);
  });

  it('the audit entry of each step carries the trace id of the turn that caused it', async () => {
    const entries = (await storedText(harness.dataDir))
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"action"'))
      .map((line) => JSON.parse(line));
    const issued = entries.find((entry) => entry.action === 'issued');
    expect(issued?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const approveTurn = spans
      .getFinishedSpans()
      .filter(
        (span) => span.name === 'POST /api/messages' && span.attributes['ssar.turn.verb'] === 'escalation.approve',
      );
    expect(approveTurn.map((span) => span.spanContext().traceId)).toContain(issued!.traceId);
  });

  it('each request inside a $batch is a span of its own, by path template, under the turn', () => {
    const finished = spans.getFinishedSpans();
    const checkTurn = finished.find((span) => span.name === 'POST /api/messages')!;
    const items = finished.filter(
      (span) => span.name.startsWith('graph batch ') && span.spanContext().traceId === checkTurn.spanContext().traceId,
    );
    expect(items.length).toBeGreaterThan(3);
    expect(items.map((span) => span.attributes['url.template'])).toContain('/users/{id}/authentication/methods');
    expect(
      items.find((span) => span.attributes['url.template'] === '/users/{id}/authentication/methods')!.attributes[
        'ssar.graph.budget'
      ],
    ).toBe('reports');
  });

  it('a readiness report counts the members it checked', async () => {
    const since = harness.connector.activities.length;
    await harness.say(cast.helen, 'readiness report');
    await harness.connector.waitFor(
      (a) => harness.connector.activities.indexOf(a) >= since && /members are ready/.test(JSON.stringify(a.activity)),
      15_000,
    );
    const points = metricPoints(await exportedMetrics(), 'ssar.readiness.members') as Array<{ value?: number }>;
    expect(points.length).toBe(1);
    expect(points[0]!.value).toBeGreaterThan(0);
  });

  it('turn latency is a histogram under the HTTP semantic conventions', async () => {
    const points = metricPoints(await exportedMetrics(), 'http.server.request.duration');
    expect(points.length).toBeGreaterThan(0);
    expect(points[0]!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/messages',
      'http.response.status_code': 200,
    });
  });

  it('no exported attribute holds the pass, a token, or the name or sign-in name of anyone checked', async () => {
    expect(pass).toMatch(/^.{8}$/);
    const exported = everythingExported(spans.getFinishedSpans(), await exportedMetrics());
    for (const secret of [
      pass,
      ...harness.issuedPasses,
      'jon.doe',
      'Jon Doe',
      'adele.vance',
      'Adele',
      'Vance',
      'Bearer ',
      'Lost her phone',
    ]) {
      expect(exported).not.toContain(secret);
    }
  });

  it('log lines written during a turn carry its trace and span ids', () => {
    const lines = harness.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'activity processed');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    const turnTraces = new Set(
      spans
        .getFinishedSpans()
        .filter((span) => span.name === 'POST /api/messages')
        .map((span) => span.spanContext().traceId),
    );
    expect(lines.filter((line) => turnTraces.has(line.trace_id)).length).toBe(turnTraces.size);
  });

  it('a throttled Graph call is counted against its budget with the Retry-After Graph asked for', async () => {
    harness.graph.failNext({ path: /^\/users\?/ }, { status: 429, retryAfterSeconds: 1 });
    await harness.say(cast.helen, 'check Jon');
    const points = metricPoints(await exportedMetrics(), 'ssar.graph.throttled');
    expect(points.map((point) => point.attributes['ssar.graph.budget'])).toContain('directory');
    const waits = metricPoints(await exportedMetrics(), 'ssar.graph.retry_after');
    expect(waits.length).toBeGreaterThan(0);
  });
});
