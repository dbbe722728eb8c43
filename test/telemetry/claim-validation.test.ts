import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../harness.js';
import { callout, ownClaims, RECORDS, rememberClaimValues } from '../recovery-extension/helpers.js';

// What the Azure Monitor distro would export, captured in memory (this file's worker only).
const spans = new InMemorySpanExporter();
const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
tracing.register();

describe('telemetry of claim validation callouts', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ claimValidation: true });
    rememberClaimValues(harness);
    spans.reset();
    await callout(harness, { userPrincipalName: 'jon.doe@contoso.com', claims: ownClaims('jon.doe@contoso.com') });
    await callout(harness, { userPrincipalName: 'jon.doe2@contoso.com', claims: ownClaims('jon.doe@contoso.com') });
  });
  afterAll(() => harness.close());

  it('exports the Graph and store work of a callout, and no date of birth, document number or claim in any attribute', () => {
    const finished = spans.getFinishedSpans();
    expect(finished.some((span) => span.name.startsWith('graph '))).toBe(true);
    expect(finished.some((span) => span.name.startsWith('store '))).toBe(true);
    const exported = finished
      .flatMap((span) => [
        span.name,
        span.status.message ?? '',
        ...Object.values(span.attributes).map(String),
        ...span.events.flatMap((event) => [event.name, ...Object.values(event.attributes ?? {}).map(String)]),
      ])
      .join('\n');
    for (const record of Object.values(RECORDS)) {
      expect(exported).not.toContain(record.dateOfBirth);
      expect(exported).not.toContain(record.documentId);
    }
  });
});
