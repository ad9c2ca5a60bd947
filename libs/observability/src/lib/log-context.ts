import { currentTraceLogFields } from './tracing/trace-context';

/**
 * Extra fields merged into every log line, computed when the line is written (pino's
 * `mixin`): the active span's `trace_id` and `span_id` when tracing is on, so a log line and
 * its trace can be joined; nothing otherwise.
 */
export function logContextFields(): Record<string, unknown> {
  return currentTraceLogFields();
}
