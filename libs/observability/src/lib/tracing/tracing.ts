import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import type { TracingSettings } from '@caravan/config';
import { markTracingEnabled } from './trace-context';

export interface Tracing {
  /** Exports the spans still queued and stops; resolves when done (bounded by the exporter's timeout). */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: () => Promise.resolve() };

/** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the specification defines them. */
export function samplerFor(settings: Pick<TracingSettings, 'sampler' | 'samplerRatio'>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * The one place tracing is set up, by runService() before the app is built. Off (nothing
 * registered: the API's no-op tracer, and every helper of trace-context.ts returns at once)
 * unless an OTLP endpoint is configured. On: spans are batched and POSTed as OTLP/JSON to
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces), with the
 * W3C trace-context propagator and the AsyncLocalStorage context manager registered globally.
 */
export function startTracing(settings: TracingSettings, serviceVersion?: string): Tracing {
  if (!settings.enabled) return OFF;
  const resource = detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({
      'service.name': settings.serviceName,
      ...(serviceVersion ? { 'service.version': serviceVersion } : {}),
    }),
  );
  const provider = new NodeTracerProvider({
    resource,
    sampler: samplerFor(settings),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  markTracingEnabled(true);
  return {
    shutdown: async () => {
      markTracingEnabled(false);
      await provider.shutdown();
      propagation.disable();
    },
  };
}
