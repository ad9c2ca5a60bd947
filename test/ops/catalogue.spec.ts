/**
 * docs/metrics.md is the metric catalogue. These checks hold it to the code without
 * running anything: every metric defined in apps/ and libs/ is catalogued with its type and
 * labels, nothing catalogued is invented, and the prom-client defaults table matches the
 * prom-client installed. (metrics-exposed.spec.ts checks the running services.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { CatalogueMetric, loadCatalogue, parseLabels, REPO_ROOT } from './support/catalogue';

interface CodeMetric {
  name: string;
  type: string;
  labels: string[];
  file: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `new Counter({ name: '…', labelNames: [...] })` and friends in apps/ and libs/. */
function metricsInCode(): CodeMetric[] {
  const found: CodeMetric[] = [];
  for (const file of [...sourceFiles(join(REPO_ROOT, 'apps')), ...sourceFiles(join(REPO_ROOT, 'libs'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\s*\{/g)) {
      const body = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 800);
      const name = /\bname:\s*['"`]([^'"`]+)['"`]/.exec(body)?.[1];
      if (!name) throw new Error(`${relative(REPO_ROOT, file)}: a ${m[1]} whose name is not a literal`);
      const labelList = /\blabelNames:\s*\[([^\]]*)\]/.exec(
        body.split(/\bnew (?:Counter|Gauge|Histogram|Summary)\b/)[0],
      )?.[1];
      found.push({
        name,
        type: m[1].toLowerCase(),
        labels: labelList ? [...labelList.matchAll(/['"`]([^'"`]+)['"`]/g)].map((l) => l[1]).sort() : [],
        file: relative(REPO_ROOT, file),
      });
    }
  }
  return found;
}

const catalogue = loadCatalogue();
const ours = catalogue.filter((m) => m.table === 'caravan');
const defaults = catalogue.filter((m) => m.table === 'defaults');
const byName = new Map<string, CatalogueMetric>(catalogue.map((m) => [m.name, m]));

describe('docs/metrics.md: the catalogue', () => {
  it('has both tables, and every metric once', () => {
    expect(ours.length).toBeGreaterThan(20);
    expect(defaults.length).toBeGreaterThan(10);
    const names = catalogue.map((m) => m.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('follows the naming rules of docs/metrics.md', () => {
    for (const m of ours) {
      expect(m.name).toMatch(/^caravan_[a-z0-9_]+$/);
      if (m.type === 'counter')
        expect({ name: m.name, ok: m.name.endsWith('_total') }).toEqual({ name: m.name, ok: true });
      if (m.type === 'histogram')
        expect({ name: m.name, ok: /_(seconds|bytes)$/.test(m.name) }).toEqual({ name: m.name, ok: true });
      expect(m.meaning.length).toBeGreaterThan(10);
      // `service` is on every series (default label) and `le` belongs to histograms.
      expect(m.labels.map((l) => l.name)).not.toContain('service');
      expect(m.labels.map((l) => l.name)).not.toContain('le');
      // Never an endpoint URL as a label (docs/metrics.md).
      expect(m.labels.map((l) => l.name)).not.toEqual(expect.arrayContaining(['url']));
    }
  });

  it('parses label specs, closed and open sets alike', () => {
    expect(parseLabels('`a`: x, y; `b`: *an id*')).toEqual([
      { name: 'a', text: 'x, y', values: ['x', 'y'] },
      { name: 'b', text: '*an id*', values: undefined },
    ]);
    expect(() => parseLabels('a: x')).toThrow(/unreadable label spec/);
  });

  it('lists every metric the code defines, with its type and labels', () => {
    const code = metricsInCode();
    expect(code.length).toBeGreaterThan(20);
    for (const metric of code) {
      const entry = byName.get(metric.name);
      expect({ metric: metric.name, file: metric.file, catalogued: entry?.table }).toEqual({
        metric: metric.name,
        file: metric.file,
        catalogued: 'caravan',
      });
      expect({ metric: metric.name, type: entry?.type, labels: entry?.labels.map((l) => l.name).sort() }).toEqual({
        metric: metric.name,
        type: metric.type,
        labels: metric.labels,
      });
    }
  });

  it('lists nothing the code does not define', () => {
    const defined = new Set(metricsInCode().map((m) => m.name));
    expect(ours.map((m) => m.name).filter((n) => !defined.has(n))).toEqual([]);
  });

  it('lists exactly the default metrics of the installed prom-client, with their types', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const installed = (await registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }));
    expect(defaults.map((m) => ({ name: m.name, type: m.type })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      installed.sort((a, b) => a.name.localeCompare(b.name)),
    );
    registry.clear();
  });
});
