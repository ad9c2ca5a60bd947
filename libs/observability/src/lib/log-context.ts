/**
 * Extra fields merged into every log line, computed when the line is written (pino's
 * `mixin`). Tracing fills this with the active span's `trace_id` and `span_id`, so a log
 * line and its trace can be joined; until then it adds nothing.
 */
export function logContextFields(): Record<string, unknown> {
  return {};
}
