import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * The OpenTelemetry SDK as the Azure Monitor distro sets it up (batched spans, periodic metrics),
 * exporting into memory instead of to Application Insights: what telemetry costs the bot itself,
 * without the network. Imported by bench/bot-process.ts before the bot starts.
 */
const spans = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] }).register();
metrics.setGlobalMeterProvider(
  new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 5_000,
      }),
    ],
  }),
);
// Exported spans are dropped now and then, as a real exporter's would leave the process.
setInterval(() => spans.reset(), 1_000).unref();
