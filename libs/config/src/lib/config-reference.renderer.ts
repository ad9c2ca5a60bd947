import { CONFIG_VARIABLES, VariableDefinition } from './caravan-config';

/**
 * The configuration tables of the documentation, rendered from CONFIG_VARIABLES. Each lives
 * in its file between `<!-- <marker>:begin -->` and `<!-- <marker>:end -->`;
 * `npm run docs:config` rewrites them and test/ops/config-reference.spec.ts fails when one
 * is not current.
 */
export interface GeneratedDocBlock {
  /** Path from the repository root. */
  file: string;
  marker: string;
  render: () => string;
}

const GENERATED_NOTE =
  '<!-- Generated from libs/config/src/lib/caravan-config.ts by `npm run docs:config`: edit there, not here. -->';

type Entry = [string, VariableDefinition];

const entries = (): Entry[] => Object.entries(CONFIG_VARIABLES) as Entry[];

/** A table cell: pipes escaped so a description never breaks the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultCell(definition: VariableDefinition): string {
  if (definition.default === undefined) return definition.unsetMeans ?? '*unset*';
  return `\`${String(definition.default)}\``;
}

function acceptsCell(definition: VariableDefinition): string {
  switch (definition.kind) {
    case 'integer':
      return definition.max === undefined
        ? `integer ≥ ${definition.min}`
        : `integer ${definition.min}–${definition.max}`;
    case 'boolean':
      return '`1`, `true`, `yes`, `on` = true; anything else false';
    case 'enum':
      return definition.values.map((value) => `\`${value}\``).join(', ');
    case 'string': {
      const parts = [definition.format ?? 'text'];
      if (definition.minLength !== undefined && definition.minLength > 1) {
        parts.push(`at least ${definition.minLength} characters`);
      }
      return parts.join(', ');
    }
  }
}

function usedByCell(definition: VariableDefinition): string {
  return definition.usedBy === 'all' ? 'all' : definition.usedBy.join(', ');
}

function meaningCell(definition: VariableDefinition): string {
  return definition.secret
    ? `${definition.description} **Secret**: keep it in a secret store, never in a ConfigMap.`
    : definition.description;
}

/** docs/operations.md#configuration-reference: every variable, its default and validation. */
export function renderOperationsTable(): string {
  const rows = entries().map(
    ([name, d]) =>
      `| \`${name}\` | ${cell(defaultCell(d))} | ${cell(acceptsCell(d))} | ${usedByCell(d)} | ${cell(meaningCell(d))} |`,
  );
  return [
    GENERATED_NOTE,
    '| Variable | Default | Accepts | Used by | Meaning |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function helmCell(definition: VariableDefinition): string {
  if (definition.helmSecretRef) {
    return `\`${definition.helmSecretRef}\` (name and key of an existing Secret)`;
  }
  if (definition.secret) {
    return definition.helmValue
      ? `\`${definition.helmValue}\` (chart Secret) or \`secrets.existingSecret\``
      : '`<service>.extraEnv` with `valueFrom.secretKeyRef`';
  }
  return definition.helmValue ? `\`${definition.helmValue}\`` : '`config.extra` (all services) or `<service>.env`';
}

/** helm/caravan/README.md: how the chart sets each variable. */
export function renderHelmTable(): string {
  const rows = entries().map(
    ([name, d]) => `| \`${name}\` | ${cell(helmCell(d))} | ${usedByCell(d)} | ${cell(defaultCell(d))} |`,
  );
  return [
    GENERATED_NOTE,
    '| Variable | Set with | Used by | Default of the service |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const GENERATED_DOC_BLOCKS: readonly GeneratedDocBlock[] = [
  { file: 'docs/operations.md', marker: 'config-reference', render: renderOperationsTable },
  { file: 'helm/caravan/README.md', marker: 'config-env', render: renderHelmTable },
];

/** `text` with the block between the marker comments replaced by `content`. */
export function replaceGeneratedBlock(text: string, marker: string, content: string): string {
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${begin} … ${end} block`);
  return `${text.slice(0, from + begin.length)}\n${content}\n${text.slice(to)}`;
}
