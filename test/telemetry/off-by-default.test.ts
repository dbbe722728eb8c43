import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startAzureMonitor } from '../../src/telemetry/azure-monitor.js';
import { startedOutput } from '../ops/start-process.js';

describe('Azure Monitor only when it is configured', () => {
  it('without APPLICATIONINSIGHTS_CONNECTION_STRING nothing is started: spans and metrics go nowhere', async () => {
    expect(await startAzureMonitor({})).toBe(false);
    expect(await startAzureMonitor({ APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' })).toBe(false);
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });

  // Starting the real entry point through tsx takes seconds on a busy machine.
  it('with a connection string, npm start loads the distro first and the bot still starts', {
    timeout: 60_000,
  }, async () => {
    // A stand-in for the ingestion endpoint on loopback: it takes whatever the exporter sends.
    const ingestion = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"itemsReceived":0,"itemsAccepted":0,"errors":[]}'),
      );
    });
    await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
    const { port } = ingestion.address() as AddressInfo;
    try {
      const connectionString = `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=http://127.0.0.1:${port}/`;
      const output = await startedOutput({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString });
      expect(output).toContain('ssar-helpdesk is running');
      expect(output).not.toContain(connectionString);
    } finally {
      ingestion.close();
    }
  });
});
