import { Context, Link, ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { contextFromTraceparent, failSpan, isTracing, startSpan } from './trace-context';

export interface Statement {
  /** `INSERT`, `UPDATE`, `SELECT` … */
  operation: string;
  /** The table the statement is about. */
  table: string;
  /** What the statement does when the table alone does not say (e.g. `claim`). */
  purpose?: string;
}

/** Links one span may carry (the SDK's default limit). */
const MAX_LINKS = 128;

/**
 * Runs one SQL statement of the hot path and, when tracing, records it as a CLIENT span in
 * the trace of the rows it serves, read from their stored `traceparent`s (`parentsOf`, given
 * the result, or nothing when it failed). Postgres is shared by batches, so: a statement serving
 * one trace is a child of that row's span; a statement serving several traces is a child of the
 * active span (else a new root) with a link to each. A statement that serves no traced row
 * (an empty claim) makes no span. The span is made after the statement, with its start time.
 */
export async function traceStatement<T>(
  statement: Statement,
  work: () => Promise<T>,
  parentsOf: (result: T | undefined) => ReadonlyArray<string | null | undefined>,
): Promise<T> {
  if (!isTracing()) return work();
  const startTime = performance.timeOrigin + performance.now();
  let result: T | undefined;
  let failure: unknown;
  try {
    result = await work();
  } catch (error) {
    failure = error;
  }
  record(statement, startTime, parentsOf(result), failure);
  if (failure !== undefined) throw failure;
  return result as T;
}

function record(
  statement: Statement,
  startTime: number,
  traceparents: ReadonlyArray<string | null | undefined>,
  failure: unknown,
): void {
  const distinct = [...new Set(traceparents.filter((tp): tp is string => Boolean(tp)))];
  const active = trace.getSpan(context.active()) ? context.active() : undefined;
  let parent: Context | undefined;
  let links: Link[] | undefined;
  if (distinct.length === 1) {
    parent = contextFromTraceparent(distinct[0]);
  } else if (distinct.length > 1) {
    parent = active ?? ROOT_CONTEXT;
    links = distinct.slice(0, MAX_LINKS).flatMap((tp) => {
      const spanContext = trace.getSpanContext(contextFromTraceparent(tp));
      return spanContext ? [{ context: spanContext }] : [];
    });
  } else {
    parent = active;
  }
  if (!parent) return;
  const name = `${statement.operation} ${statement.table}${statement.purpose ? ` (${statement.purpose})` : ''}`;
  const span = startSpan(name, {
    kind: SpanKind.CLIENT,
    parent,
    links,
    startTime,
    attributes: {
      'db.system.name': 'postgresql',
      'db.operation.name': statement.operation,
      'db.collection.name': statement.table,
      ...(traceparents.length > 1 ? { 'db.operation.batch.size': traceparents.length } : {}),
    },
  });
  if (failure !== undefined) failSpan(span, failure);
  span?.end();
}
