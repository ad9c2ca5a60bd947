/**
 * A small PromQL reader: enough to list the metric names and label names an expression
 * uses. Not a full parser: it removes what cannot be a metric name (strings, label
 * matchers, ranges, numbers, Grafana variables, grouping clauses), then every remaining
 * identifier not followed by `(` and not a keyword is a metric name.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
  'Inf',
  'NaN',
]);

export interface PromqlUse {
  metrics: string[];
  /** Label names used in matchers and in by/without/on/ignoring/group_* clauses. */
  labels: string[];
}

/** Grafana's variables ($__rate_interval, ${datasource}, $project) as PromQL-neutral text. */
function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\[\$__\w+\]/g, '[5m]')
    .replace(/\$\{[^}]+\}/g, 'VAR')
    .replace(/\$__\w+/g, '5m')
    .replace(/\$\w+/g, 'VAR');
}

export function promqlUses(expression: string): PromqlUse {
  const labels = new Set<string>();
  let expr = withoutGrafanaVariables(expression);
  // String literals first (they may contain anything, braces included).
  expr = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  // Label matchers: {a="x", b=~"y"} — keep the label names, drop the block.
  expr = expr.replace(/\{([^}]*)\}/g, (_m, inner: string) => {
    for (const [, name] of inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(name);
    return ' ';
  });
  // Grouping clauses: by (a, b), without (a), on (a), ignoring (a), group_left (a).
  expr = expr.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _k, inner: string) => {
    for (const name of inner
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      labels.add(name);
    return ' ';
  });
  // Ranges and subqueries [5m], [15m:1m]; offsets; durations elsewhere.
  expr = expr.replace(/\[[^\]]*\]/g, ' ').replace(/\boffset\s+-?\d+[a-z]+/g, ' ');
  // Numbers: 0.99, 1e-9, 0x1f, 5m (durations as function arguments).
  expr = expr.replace(/(?<![a-zA-Z_:0-9])(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*)/g, ' ');
  const metrics = new Set<string>();
  for (const m of expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const after = expr.slice((m.index ?? 0) + name.length);
    if (/^\s*\(/.test(after)) continue; // a function call
    if (KEYWORDS.has(name)) continue;
    metrics.add(name);
  }
  return { metrics: [...metrics], labels: [...labels] };
}

/** Metric names inside a Grafana variable query such as `label_values(metric, label)`. */
export function variableQueryUses(query: string): PromqlUse {
  const m = /^\s*label_values\(\s*(?:([^,()]+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  if (m) {
    const selector = m[1] ? promqlUses(m[1]) : { metrics: [], labels: [] };
    return { metrics: selector.metrics, labels: [...selector.labels, m[2]] };
  }
  const q = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (q) return promqlUses(q[1]);
  const metricsOnly = /^\s*metrics\(/.test(query) || /^\s*label_names\(\s*\)\s*$/.test(query);
  return metricsOnly ? { metrics: [], labels: [] } : promqlUses(query);
}
