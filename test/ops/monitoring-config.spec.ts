/**
 * The Grafana dashboards, the Prometheus alert rules and the PromQL of the docs, checked as
 * documents: well-formed, and querying only metrics (and labels) of the catalogue in
 * docs/metrics.md, so a renamed metric breaks this test instead of a 3 a.m. page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  CatalogueMetric,
  loadCatalogue,
  PROMETHEUS_TARGET_SERIES,
  REPO_ROOT,
  seriesNames,
  tableCells,
} from './support/catalogue';
import { promqlUses, variableQueryUses } from './support/promql';

const catalogue = loadCatalogue();
/** Series name → its catalogue family (histogram suffixes resolved). */
const series = new Map<string, CatalogueMetric>();
for (const metric of catalogue) for (const name of seriesNames(metric)) series.set(name, metric);
/** Labels every series may carry besides its own: ours (`service`), Prometheus' target labels, `le`. */
const COMMON_LABELS = ['service', 'job', 'instance', 'le', 'environment'];

interface Query {
  where: string;
  expr: string;
}

/** Problems of one expression: unknown metrics, and labels no metric of the expression has. */
function check({ where, expr }: Query, uses = promqlUses(expr)): string[] {
  const problems: string[] = [];
  for (const name of uses.metrics) {
    if (!series.has(name) && !PROMETHEUS_TARGET_SERIES.includes(name)) {
      problems.push(`${where}: unknown metric ${name} in ${expr}`);
    }
  }
  const known = new Set([
    ...COMMON_LABELS,
    ...uses.metrics.flatMap((name) => series.get(name)?.labels.map((l) => l.name) ?? []),
  ]);
  for (const label of uses.labels) {
    if (!known.has(label)) problems.push(`${where}: label ${label} is on none of ${uses.metrics.join(', ')}`);
  }
  return problems;
}

// --------------------------------------------------------------------------- dashboards

const DASHBOARD_DIR = join(REPO_ROOT, 'deploy/grafana/dashboards');
const dashboardFiles = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'));
type Panel = Record<string, any>;
const dashboards = dashboardFiles.map((file) => ({
  file,
  json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Panel,
}));
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

function dashboardQueries(file: string, json: Panel): Query[] {
  const queries: Query[] = [];
  for (const panel of allPanels(json.panels)) {
    for (const target of panel.targets ?? []) {
      queries.push({
        where: `${file} panel ${panel.id} "${panel.title}" ${target.refId}`,
        expr: String(target.expr ?? ''),
      });
    }
  }
  return queries;
}

// --------------------------------------------------------------------------- alerts

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const alertsDoc = parseYaml(readFileSync(join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
  groups: { name: string; rules: Rule[] }[];
};
const rules = alertsDoc.groups.flatMap((g) => g.rules);
const operationsDoc = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');

describe('Grafana dashboards', () => {
  it('are the overview and the endpoint-health dashboards', () => {
    expect(dashboardFiles.sort()).toEqual(['caravan-endpoint-health.json', 'caravan-overview.json']);
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(['caravan-endpoint-health', 'caravan-overview']);
  });

  it.each(dashboardFiles)('%s is a provisionable dashboard model', (file) => {
    const json = dashboards.find((d) => d.file === file)?.json as Panel;
    expect(json.id ?? null).toBeNull(); // provisioned dashboards carry no database id
    expect(json.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(json.schemaVersion).toBeLessThanOrEqual(41);
    expect(json.title).toEqual(expect.any(String));
    expect(json.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const variables = json.templating.list as Panel[];
    expect(variables).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
  });

  it.each(dashboardFiles)('%s: unique panel ids, a datasource and a query on every panel, a sane grid', (file) => {
    const json = dashboards.find((d) => d.file === file)?.json as Panel;
    const panels = allPanels(json.panels);
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const rectangles: { id: number; x: number; y: number; w: number; h: number }[] = [];
    for (const panel of panels) {
      const { x, y, w, h } = panel.gridPos;
      expect({ id: panel.id, inGrid: x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0 }).toEqual({
        id: panel.id,
        inGrid: true,
      });
      for (const other of rectangles) {
        const overlap = x < other.x + other.w && other.x < x + w && y < other.y + other.h && other.y < y + h;
        expect({ panels: [other.id, panel.id], overlap }).toEqual({ panels: [other.id, panel.id], overlap: false });
      }
      rectangles.push({ id: panel.id, x, y, w, h });
      if (panel.type === 'row') continue;
      expect({ id: panel.id, datasource: panel.datasource }).toEqual({
        id: panel.id,
        datasource: { type: 'prometheus', uid: '${datasource}' },
      });
      expect(panel.title).toEqual(expect.any(String));
      const targets = panel.targets as Panel[];
      expect(targets.length).toBeGreaterThan(0);
      const refIds = targets.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of targets) {
        expect(String(target.expr).trim()).not.toEqual('');
        expect(target.datasource ?? panel.datasource).toEqual(panel.datasource);
      }
    }
  });

  it.each(dashboardFiles)('%s queries only catalogued metrics and their labels', (file) => {
    const json = dashboards.find((d) => d.file === file)?.json as Panel;
    const problems = dashboardQueries(file, json).flatMap((q) => check(q));
    for (const variable of json.templating.list as Panel[]) {
      if (variable.type !== 'query') continue;
      const query = typeof variable.query === 'string' ? variable.query : String(variable.query.query);
      problems.push(...check({ where: `${file} variable ${variable.name}`, expr: query }, variableQueryUses(query)));
    }
    expect(problems).toEqual([]);
  });

  it('cover what an operator looks for first', () => {
    const used = (file: string) =>
      new Set(
        dashboardQueries(file, dashboards.find((d) => d.file === file)?.json as Panel).flatMap(
          (q) => promqlUses(q.expr).metrics,
        ),
      );
    expect([...used('caravan-overview.json')]).toEqual(
      expect.arrayContaining([
        'caravan_intake_events_total', // events accepted/s
        'caravan_deliveries_total', // deliveries/s by status
        'caravan_delivery_latency_seconds_bucket', // end-to-end p50/p99
        'caravan_scheduler_due_deliveries', // retry backlog
        'caravan_scheduler_oldest_due_age_seconds',
        'caravan_consumer_lag_messages', // lag per topic
        'caravan_http_requests_total', // API error rate
        'caravan_ingester_messages_accepted_total', // ingester throughput
        'up',
      ]),
    );
    expect([...used('caravan-endpoint-health.json')]).toEqual(
      expect.arrayContaining([
        'caravan_circuit_breakers',
        'caravan_delivery_attempts_total',
        'caravan_rate_limited_deliveries_total',
        'caravan_breaker_deferred_deliveries_total',
        'caravan_delivery_attempt_duration_seconds_bucket',
      ]),
    );
  });
});

describe('Prometheus alert rules (deploy/prometheus/alerts.yml)', () => {
  it('are alerting rules with expr, for, severity, summary, description and a runbook link', () => {
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const names = rules.map((r) => r.alert);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const rule of rules) {
      expect({
        alert: rule.alert,
        expr: typeof rule.expr === 'string' && rule.expr.trim().length > 0,
        for: rule.for,
        severity: rule.labels?.severity,
        summary: rule.annotations?.summary,
        description: (rule.annotations?.description ?? '').length > 80,
        runbook: rule.annotations?.runbook_url,
      }).toEqual({
        alert: expect.stringMatching(/^Caravan[A-Z][A-Za-z0-9]+$/),
        expr: true,
        for: expect.stringMatching(/^\d+[smh]$/),
        severity: expect.stringMatching(/^(critical|warning)$/),
        summary: expect.any(String),
        description: true,
        runbook: `docs/operations.md#${String(rule.alert).toLowerCase()}`,
      });
    }
  });

  it('have balanced parentheses and template braces', () => {
    for (const rule of rules) {
      let depth = 0;
      for (const ch of rule.expr.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
        depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect({ alert: rule.alert, depth }).toEqual({ alert: rule.alert, depth: 0 });
      for (const text of Object.values(rule.annotations ?? {})) {
        expect((text.match(/\{\{/g) ?? []).length).toEqual((text.match(/\}\}/g) ?? []).length);
      }
    }
  });

  it('query only catalogued metrics and their labels', () => {
    expect(rules.flatMap((rule) => check({ where: String(rule.alert), expr: rule.expr }))).toEqual([]);
  });

  it('cover the conditions an operator must wake up for', () => {
    const byMetric = (metric: string) =>
      rules.filter((r) => promqlUses(r.expr).metrics.includes(metric)).map((r) => r.alert);
    expect(rules.find((r) => /\bup\{[^}]*\}\s*==\s*0/.test(r.expr))?.for).toEqual('2m');
    for (const metric of [
      'caravan_scheduler_oldest_due_age_seconds',
      'caravan_scheduler_due_deliveries',
      'caravan_consumer_lag_messages',
      'caravan_deliveries_total',
      'caravan_kafka_produce_errors_total',
      'caravan_http_requests_total',
      'caravan_ingester_messages_rejected_total',
    ]) {
      expect({ metric, alerts: byMetric(metric).length > 0 }).toEqual({ metric, alerts: true });
    }
    const api5xx = rules.find((r) => r.expr.includes('caravan_http_requests_total'));
    expect(api5xx?.expr).toMatch(/service="api"/);
    expect(api5xx?.expr).toMatch(/status=~"5\.\."/);
  });

  it('each have a runbook section in docs/operations.md, and the runbook has no stale sections', () => {
    const runbook = operationsDoc.slice(operationsDoc.indexOf('## Runbook'));
    const sections = [...runbook.matchAll(/^### (Caravan\w+)\s*$/gm)].map((m) => m[1]);
    expect(sections.sort()).toEqual(rules.map((r) => String(r.alert)).sort());
  });
});

describe('the PromQL reader used above', () => {
  it('finds metric names and resolves nothing else as one', () => {
    expect(
      promqlUses(
        'histogram_quantile(0.99, sum by (le, route) (rate(caravan_http_request_duration_seconds_bucket{service="api",route!~"/x{1}"}[$__rate_interval]))) / clamp_min(1e-9, 2) and on (service) up offset 5m',
      ),
    ).toEqual({ metrics: ['caravan_http_request_duration_seconds_bucket', 'up'], labels: ['service', 'route', 'le'] });
    expect(variableQueryUses('label_values(caravan_deliveries_total{status="x"}, project)')).toEqual({
      metrics: ['caravan_deliveries_total'],
      labels: ['status', 'project'],
    });
  });

  it('catches an unknown metric, a wrong histogram suffix and a label the metric does not have', () => {
    expect(check({ where: 't', expr: 'sum(rate(caravan_deliveries_failed_total[5m]))' })).toEqual([
      't: unknown metric caravan_deliveries_failed_total in sum(rate(caravan_deliveries_failed_total[5m]))',
    ]);
    expect(check({ where: 't', expr: 'rate(caravan_delivery_latency_seconds_total[5m])' })).toHaveLength(1);
    expect(check({ where: 't', expr: 'sum by (endpoint) (rate(caravan_deliveries_total[5m]))' })).toEqual([
      't: label endpoint is on none of caravan_deliveries_total',
    ]);
    expect(check({ where: 't', expr: 'sum(rate(caravan_delivery_latency_seconds_count[5m]))' })).toEqual([]);
  });
});

describe('PromQL in docs/metrics.md', () => {
  it('uses only catalogued metrics', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/metrics.md'), 'utf8');
    const howTo = doc.slice(doc.indexOf('## How to use them'));
    const queries: Query[] = howTo
      .split('\n')
      .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
      .slice(1)
      .flatMap((line) => {
        const [question, promql] = tableCells(line);
        return [...promql.matchAll(/`([^`]+)`/g)].map((m) => ({ where: `metrics.md "${question}"`, expr: m[1] }));
      });
    expect(queries.length).toBeGreaterThan(10);
    expect(queries.flatMap((q) => check(q))).toEqual([]);
  });
});
