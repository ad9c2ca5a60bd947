/**
 * docs/operations.md documents every CARAVAN_* variable of the configuration class
 * (libs/config/src/lib/caravan-config.ts), with the default the class actually has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaravanEnvironment } from '@caravan/config';
import { REPO_ROOT, tableCells } from './support/catalogue';

const CONFIG_SOURCE = join(REPO_ROOT, 'libs/config/src/lib/caravan-config.ts');

/** The variables declared in the class body (`  CARAVAN_X = …;` or `  CARAVAN_X?: type;`). */
function configVariables(): string[] {
  const source = readFileSync(CONFIG_SOURCE, 'utf8');
  const body = source.slice(source.indexOf('export class CaravanEnvironment'));
  return [...body.matchAll(/^ {2}(CARAVAN_[A-Z0-9_]+)\??\s*[:=]/gm)].map((m) => m[1]);
}

interface DocumentedVariable {
  name: string;
  default: string;
  usedBy: string;
  meaning: string;
}

function documentedVariables(): DocumentedVariable[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs/operations.md'), 'utf8');
  const block = /<!-- config-reference:begin -->([\s\S]*?)<!-- config-reference:end -->/.exec(doc)?.[1];
  if (!block) throw new Error('docs/operations.md has no config-reference block');
  const rows = block.split('\n').filter((l) => l.trim().startsWith('|'));
  return rows.slice(2).map((row) => {
    const [name, def, usedBy, meaning] = tableCells(row);
    return { name: name.replace(/`/g, ''), default: def, usedBy, meaning };
  });
}

describe('docs/operations.md: configuration reference', () => {
  const declared = configVariables();
  const documented = documentedVariables();

  it('reads the configuration class (sanity: it declares the variables we know)', () => {
    expect(declared.length).toBeGreaterThan(30);
    expect(declared).toEqual(
      expect.arrayContaining(['CARAVAN_DATABASE_URL', 'CARAVAN_HTTP_PORT', 'CARAVAN_SSRF_ALLOW_CIDRS']),
    );
    // The source scan and the class agree on every variable that has a default.
    const instance = new CaravanEnvironment() as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(instance)) {
      if (key.startsWith('CARAVAN_') && value !== undefined) expect(declared).toContain(key);
    }
  });

  it('documents every CARAVAN_* variable of the configuration class', () => {
    const names = new Set(documented.map((v) => v.name));
    expect(declared.filter((name) => !names.has(name))).toEqual([]);
  });

  it('documents no variable the configuration class does not have', () => {
    expect(documented.map((v) => v.name).filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('documents each variable once, with a meaning and the services that read it', () => {
    const names = documented.map((v) => v.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    for (const v of documented) {
      expect({ name: v.name, usedBy: v.usedBy }).toEqual({
        name: v.name,
        usedBy: expect.stringMatching(/^(all|api|ingester|dispatcher)(, (api|ingester|dispatcher))*$/),
      });
      expect(v.meaning.length).toBeGreaterThan(15);
    }
  });

  it('gives the default the class really has (literal defaults in backticks)', () => {
    const instance = new CaravanEnvironment() as unknown as Record<string, unknown>;
    for (const v of documented) {
      const actual = instance[v.name];
      const literal = /^`([^`]*)`$/.exec(v.default)?.[1];
      if (actual === undefined) {
        // No default in the class: the doc says what happens instead, in italics.
        expect({ name: v.name, default: v.default }).toEqual({
          name: v.name,
          default: expect.stringMatching(/^\*.+\*$/),
        });
      } else {
        expect({ name: v.name, default: literal }).toEqual({ name: v.name, default: String(actual) });
      }
    }
  });
});
