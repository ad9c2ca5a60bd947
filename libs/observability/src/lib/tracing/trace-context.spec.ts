import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { traceStatement } from './statement-span';
import {
  contextFromHeaders,
  contextFromTraceparent,
  currentTraceLogFields,
  currentTraceparent,
  hasActiveSpan,
  inSpan,
  markTracingEnabled,
  runInContext,
  startSpan,
  traceHeaders,
  traceIdOf,
} from './trace-context';
import { samplerFor } from './tracing';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register({ propagator: new W3CTraceContextPropagator() });

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;

const finished = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);
const only = (name: string): ReadableSpan => {
  const spans = finished(name);
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
};

afterEach(() => exporter.reset());
afterAll(() => provider.shutdown());

describe('with tracing off (no endpoint configured)', () => {
  beforeAll(() => markTracingEnabled(false));

  it('makes no span, stores no traceparent, sends no header and adds no log field', async () => {
    let seen: unknown = 'not called';
    await inSpan('off', {}, async (span) => {
      seen = span;
      expect(currentTraceparent()).toBeNull();
      expect(traceHeaders()).toEqual({});
      expect(currentTraceLogFields()).toEqual({});
      expect(hasActiveSpan()).toBe(false);
    });
    expect(seen).toBeUndefined();
    expect(startSpan('off', {})).toBeUndefined();
    expect(
      await traceStatement(
        { operation: 'INSERT', table: 'events' },
        async () => 7,
        () => [TRACEPARENT],
      ),
    ).toBe(7);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('ignores incoming trace context', () => {
    expect(contextFromTraceparent(TRACEPARENT)).toBe(contextFromHeaders({}));
    expect(runInContext(undefined, () => 3)).toBe(3);
  });
});

describe('with tracing on', () => {
  beforeAll(() => markTracingEnabled(true));
  afterAll(() => markTracingEnabled(false));

  it('continues a stored traceparent: the child has its trace id and its span as parent', async () => {
    await inSpan('child', { parent: contextFromTraceparent(TRACEPARENT) }, async () => {
      const fields = currentTraceLogFields();
      expect(fields.trace_id).toBe(TRACE);
      expect(currentTraceparent()).toBe(`00-${TRACE}-${fields.span_id}-01`);
    });
    const child = only('child');
    expect(child.spanContext().traceId).toBe(TRACE);
    expect(child.parentSpanContext?.spanId).toBe(PARENT);
  });

  it('reads traceparent from Kafka headers (Buffers), HTTP headers (any case) and broker attributes', async () => {
    for (const headers of [
      { traceparent: Buffer.from(TRACEPARENT) },
      { Traceparent: [TRACEPARENT] },
      { traceparent: TRACEPARENT, other: 'x' },
    ]) {
      await inSpan('from-headers', { parent: contextFromHeaders(headers) }, async () => undefined);
    }
    const spans = finished('from-headers');
    expect(spans.map((span) => span.parentSpanContext?.spanId)).toEqual([PARENT, PARENT, PARENT]);
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([TRACE]));
  });

  it('starts a new trace from a malformed or absent traceparent', async () => {
    for (const bad of [null, '', 'nonsense', `00-${'0'.repeat(32)}-${PARENT}-01`]) {
      await inSpan('rootless', { parent: contextFromTraceparent(bad) }, async () => undefined);
    }
    for (const span of finished('rootless')) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(TRACE);
    }
  });

  it('injects the active span as W3C traceparent headers, and runs work under a given span', async () => {
    const span = startSpan('outer', { parent: contextFromTraceparent(TRACEPARENT) });
    const headers = runInContext(span, () => {
      expect(hasActiveSpan()).toBe(true);
      return traceHeaders();
    });
    span?.end();
    expect(headers.traceparent).toBe(`00-${TRACE}-${span?.spanContext().spanId}-01`);
    expect(traceIdOf(headers.traceparent)).toBe(TRACE);
    expect(traceIdOf('garbage')).toBeNull();
  });

  it('marks a span failed when its work throws, and rethrows', async () => {
    await expect(
      inSpan('failing', {}, async () => {
        throw new TypeError('boom');
      }),
    ).rejects.toThrow('boom');
    const span = only('failing');
    expect(span.status).toMatchObject({ code: 2, message: 'boom' });
    expect(span.attributes['error.type']).toBe('TypeError');
  });

  describe('statement spans', () => {
    it("are a child of the one row's trace", async () => {
      await traceStatement(
        { operation: 'INSERT', table: 'events' },
        async () => 'ok',
        () => [TRACEPARENT, TRACEPARENT],
      );
      const span = only('INSERT events');
      expect(span.spanContext().traceId).toBe(TRACE);
      expect(span.parentSpanContext?.spanId).toBe(PARENT);
      expect(span.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.collection.name': 'events' });
    });

    it('link to every trace of a batch, as a new root when nothing is active', async () => {
      const other = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
      await traceStatement(
        { operation: 'UPDATE', table: 'event_deliveries', purpose: 'claim' },
        async () => [TRACEPARENT, other, null],
        (rows) => rows ?? [],
      );
      const span = only('UPDATE event_deliveries (claim)');
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.links.map((link) => link.context.traceId).sort()).toEqual([TRACE, 'a'.repeat(32)]);
      expect(span.attributes['db.operation.batch.size']).toBe(3);
    });

    it('make no span for a statement that served no traced row outside any span', async () => {
      await traceStatement(
        { operation: 'UPDATE', table: 'event_deliveries' },
        async () => [],
        () => [],
      );
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    });

    it('record a failed statement and rethrow its error', async () => {
      await expect(
        traceStatement(
          { operation: 'INSERT', table: 'events' },
          async () => {
            throw new Error('connection refused');
          },
          () => [TRACEPARENT],
        ),
      ).rejects.toThrow('connection refused');
      expect(only('INSERT events').status.code).toBe(2);
    });
  });
});

describe('samplerFor (OTEL_TRACES_SAMPLER)', () => {
  it.each([
    ['always_on', 'AlwaysOnSampler'],
    ['always_off', 'AlwaysOffSampler'],
    ['traceidratio', 'TraceIdRatioBased{0.25}'],
    ['parentbased_always_on', 'ParentBased{root=AlwaysOnSampler'],
    ['parentbased_always_off', 'ParentBased{root=AlwaysOffSampler'],
    ['parentbased_traceidratio', 'ParentBased{root=TraceIdRatioBased{0.25}'],
  ] as const)('%s', (sampler, description) => {
    expect(samplerFor({ sampler, samplerRatio: 0.25 }).toString()).toContain(description);
  });
});
