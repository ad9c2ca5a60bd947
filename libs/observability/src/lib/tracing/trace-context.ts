import {
  Attributes,
  Context,
  Link,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  TextMapGetter,
  TextMapSetter,
  context,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Trace-context helpers every service uses (docs/operations.md#tracing). Everything here is
 * a no-op returning at once until startTracing() has run: with tracing off, no span object is
 * made, nothing is stored with the rows, and no header is sent.
 */

let enabled = false;

/** Called by startTracing() only. */
export function markTracingEnabled(on: boolean): void {
  enabled = on;
}

/** Whether spans are being made in this process. */
export function isTracing(): boolean {
  return enabled;
}

export const TRACER_NAME = 'caravan';

const propagator = new W3CTraceContextPropagator();

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Reads header-like carriers whose values may be strings, string arrays or Buffers (Kafka headers). */
const looseGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? carrier[Object.keys(carrier).find((name) => name.toLowerCase() === key) ?? ''];
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === null) return undefined;
    return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  },
};

/** Whether a traced span is active here (false whenever tracing is off). */
export function hasActiveSpan(): boolean {
  return enabled && trace.getSpan(context.active()) !== undefined;
}

/** Runs `work` with `span` (or the context a traceparent names) as the active parent. */
export function runInContext<T>(parent: Span | Context | undefined, work: () => T): T {
  if (!enabled || !parent) return work();
  const target = 'spanContext' in parent ? trace.setSpan(context.active(), parent) : parent;
  return context.with(target, work);
}

/** The W3C `traceparent` (and `tracestate`) of a context: what a row or a message carries onward. */
export function traceHeaders(of: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (!enabled) return carrier;
  propagator.inject(of, carrier, recordSetter);
  return carrier;
}

/** The `traceparent` of the active span (or of `of`), or null when there is none or tracing is off. */
export function currentTraceparent(of: Context = context.active()): string | null {
  return traceHeaders(of).traceparent ?? null;
}

/** A context whose parent is the span a `traceparent` names (ROOT_CONTEXT when absent or malformed). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (!enabled || !traceparent) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, { traceparent }, looseGetter);
}

/** A context from incoming headers (HTTP, Kafka, broker attributes) carrying `traceparent`/`tracestate`. */
export function contextFromHeaders(headers: Record<string, unknown> | undefined): Context {
  if (!enabled || !headers) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, headers, looseGetter);
}

/** The trace id inside a `traceparent` (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '');
  return match && !/^0+$/.test(match[1]) ? match[1] : null;
}

/**
 * The fields a log line carries to join it to its trace: `{ trace_id, span_id }` of the active
 * span, `{}` when there is none (or tracing is off).
 */
export function currentTraceLogFields(): { trace_id?: string; span_id?: string } {
  if (!enabled) return {};
  const span = trace.getSpan(context.active());
  const spanContext = span?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent: a context (from a row or a message), else the active one. */
  parent?: Context;
  startTime?: number;
}

/**
 * Runs `work` inside a new span made active (so spans and headers made within are its
 * children), ending it when `work` settles and marking it failed if `work` throws. With
 * tracing off it only calls `work` with no span.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return work(undefined);
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(
      name,
      { kind: options.kind, attributes: options.attributes, links: options.links, startTime: options.startTime },
      parent,
    );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Starts a span (not made active) for work that ends elsewhere; undefined when tracing is off. */
export function startSpan(name: string, options: SpanOptions): Span | undefined {
  if (!enabled) return undefined;
  return trace
    .getTracer(TRACER_NAME)
    .startSpan(
      name,
      { kind: options.kind, attributes: options.attributes, links: options.links, startTime: options.startTime },
      options.parent ?? context.active(),
    );
}

/** The context in which `span` is the parent (the active context when there is no span). */
export function contextWith(span: Span | undefined, parent: Context = context.active()): Context {
  return span ? trace.setSpan(parent, span) : parent;
}

/** Marks a span failed with the error's type and message. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setAttribute('error.type', failure.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

export { ROOT_CONTEXT, SpanKind, SpanStatusCode };
export type { Span, Context };
