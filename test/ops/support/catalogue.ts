/**
 * The metric catalogue, read from docs/metrics.md: the tables between
 * `<!-- metrics-catalogue:begin <name> -->` and `<!-- metrics-catalogue:end <name> -->`.
 * The document is the single source of truth; this module only parses it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const METRICS_DOC = join(REPO_ROOT, 'docs/metrics.md');

export type ServiceName = 'api' | 'ingester' | 'dispatcher';
export const SERVICES: readonly ServiceName[] = ['api', 'ingester', 'dispatcher'];
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface CatalogueLabel {
  name: string;
  /** The closed set of values the code emits, or undefined for an open set (ids, routes…). */
  values?: string[];
  /** The text as written (values, or the italic description of an open set). */
  text: string;
}

export interface CatalogueMetric {
  name: string;
  type: MetricType;
  services: ServiceName[];
  labels: CatalogueLabel[];
  meaning: string;
  /** Which table: `caravan` (ours) or `defaults` (prom-client's collectDefaultMetrics). */
  table: string;
}

/** The cells of a Markdown table row (`| a | b |`); `\|` stays inside its cell. */
export function tableCells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** Parses `` `a`: x, y; `b`: *open set* `` into labels. */
export function parseLabels(cell: string): CatalogueLabel[] {
  if (cell.trim() === '') return [];
  return cell.split(/;\s*(?=`)/).map((part) => {
    const m = /^`([a-zA-Z_][a-zA-Z0-9_]*)`\s*:\s*(.*)$/s.exec(part.trim());
    if (!m) throw new Error(`unreadable label spec "${part}" (want \`name\`: values)`);
    const text = m[2].trim();
    const open = /^\*.*\*$/s.test(text) || /^_.*_$/s.test(text);
    return {
      name: m[1],
      text,
      values: open
        ? undefined
        : text
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
    };
  });
}

/** Every table of the catalogue, in document order. */
export function loadCatalogue(text = readFileSync(METRICS_DOC, 'utf8')): CatalogueMetric[] {
  const metrics: CatalogueMetric[] = [];
  const block = /<!-- metrics-catalogue:begin (\w+) -->([\s\S]*?)<!-- metrics-catalogue:end \1 -->/g;
  let found = 0;
  for (const [, table, body] of text.matchAll(block)) {
    found += 1;
    const rows = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('|'));
    const [header, separator, ...data] = rows;
    const columns = tableCells(header).map((c) => c.toLowerCase());
    if (columns.join(',') !== 'metric,type,services,labels,meaning' || !/^\|[\s|:-]+\|$/.test(separator)) {
      throw new Error(`catalogue table "${table}" has columns ${columns.join(', ')}`);
    }
    for (const row of data) {
      const [metric, type, services, labels, meaning, ...extra] = tableCells(row);
      if (extra.length > 0) throw new Error(`catalogue row has too many cells: ${row}`);
      const name = /^`([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(metric)?.[1];
      if (!name) throw new Error(`catalogue row without a \`metric_name\`: ${row}`);
      if (!['counter', 'gauge', 'histogram', 'summary'].includes(type)) {
        throw new Error(`${name}: unknown type "${type}"`);
      }
      const serviceList = services.split(',').map((s) => s.trim());
      for (const s of serviceList) {
        if (!SERVICES.includes(s as ServiceName)) throw new Error(`${name}: unknown service "${s}"`);
      }
      metrics.push({
        name,
        type: type as MetricType,
        services: serviceList as ServiceName[],
        labels: parseLabels(labels),
        meaning,
        table,
      });
    }
  }
  if (found === 0) throw new Error('no metrics-catalogue table in docs/metrics.md');
  return metrics;
}

/** Series names a metric family produces (histograms: _bucket, _sum, _count). */
export function seriesNames(metric: Pick<CatalogueMetric, 'name' | 'type'>): string[] {
  if (metric.type === 'histogram') return [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
  if (metric.type === 'summary') return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}

/** Series Prometheus itself adds to every target. */
export const PROMETHEUS_TARGET_SERIES = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
];
