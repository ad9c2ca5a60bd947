/**
 * The configuration is written once (libs/config/src/lib/caravan-config.ts); the tables of
 * docs/operations.md and helm/caravan/README.md are generated from it by
 * `npm run docs:config`, and the chart agrees with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  CONFIG_VARIABLES,
  GENERATED_DOC_BLOCKS,
  replaceGeneratedBlock,
  SECRET_VARIABLES,
  VariableDefinition,
} from '@caravan/config';
import { REPO_ROOT } from './support/catalogue';

const CHART = join(REPO_ROOT, 'helm/caravan');
const definitions = Object.entries(CONFIG_VARIABLES) as [string, VariableDefinition][];

describe('configuration docs generated from the one definition', () => {
  it.each(GENERATED_DOC_BLOCKS.map((block) => [block.file, block] as const))(
    '%s is current (run `npm run docs:config` after changing a variable)',
    (file, block) => {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      expect(replaceGeneratedBlock(text, block.marker, block.render())).toBe(text);
    },
  );

  it('lists every variable in each generated table, once', () => {
    for (const block of GENERATED_DOC_BLOCKS) {
      const rows = block
        .render()
        .split('\n')
        .filter((line) => line.startsWith('| `CARAVAN_'));
      expect(rows.map((row) => /^\| `(CARAVAN_[A-Z0-9_]+)`/.exec(row)?.[1])).toEqual(Object.keys(CONFIG_VARIABLES));
    }
  });
});

describe('the configuration definitions', () => {
  it.each(definitions)('%s has a description, readers and a consistent default', (name, definition) => {
    expect(name).toMatch(/^CARAVAN_[A-Z0-9_]+$/);
    expect(definition.description.length).toBeGreaterThan(5);
    expect(definition.description).not.toContain('\n');
    if (definition.usedBy !== 'all') expect(definition.usedBy.length).toBeGreaterThan(0);
    if (definition.kind === 'integer' && definition.default !== undefined) {
      expect(definition.default).toBeGreaterThanOrEqual(definition.min);
      if (definition.max !== undefined) expect(definition.default).toBeLessThanOrEqual(definition.max);
    }
    if (definition.kind === 'enum') expect(definition.values).toContain(definition.default);
    if (definition.kind === 'string' && typeof definition.default === 'string' && definition.pattern) {
      expect(definition.default).toMatch(definition.pattern);
    }
  });
});

describe('the Helm chart and the definitions', () => {
  const values = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const schema: unknown = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

  /** Every `propertyNames.not.enum` of the schema: the variable names a map of env refuses. */
  function refusedNames(node: unknown): string[][] {
    if (!node || typeof node !== 'object') return [];
    const here = (node as { propertyNames?: { not?: { enum?: string[] } } }).propertyNames?.not?.enum;
    return [...(here ? [here] : []), ...Object.values(node).flatMap(refusedNames)];
  }

  it.each(definitions.filter(([, d]) => (d.helmValue ?? d.helmSecretRef) !== undefined))(
    '%s: the chart value it is set with exists in values.yaml',
    (_name, definition) => {
      const path = (definition.helmValue ?? definition.helmSecretRef ?? '').replace('<service>', 'api').split('.');
      const found = path.reduce<unknown>(
        (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
        values,
      );
      expect(found).toBeDefined();
    },
  );

  it('refuses every secret variable as a plain (ConfigMap or env) value', () => {
    expect(SECRET_VARIABLES.length).toBeGreaterThan(0);
    const refusals = refusedNames(schema);
    // config.extra and the env of each of the three services.
    expect(refusals).toHaveLength(4);
    for (const refused of refusals) expect([...refused].sort()).toEqual([...SECRET_VARIABLES].sort());
  });
});
