import { RE2JS } from 're2js';
import { CATCH_ALL_EVENT_TYPE, type FilterConfig } from './filters';

/**
 * Convoy's subscription filter semantics (docs/architecture.md#the-path-of-one-event), framework-free.
 *
 * A filter is a JSON object evaluated against a payload:
 * - every key must hold (implicit AND);
 * - a field key is a dot-path (`"data.customer.id"`), a nested object is the same as a
 *   dot-path (`{data:{customer:{id:5}}}` ≡ `{"data.customer.id": 5}`); a numeric segment
 *   indexes an array (`items.0.sku`);
 * - the segment `$` is the array wildcard: `"items.$.sku": "A"` holds if ANY element's
 *   `sku` matches; a leading `$.` walks a root-level array; wildcards nest (at most
 *   MAX_ARRAY_WILDCARDS per path, Convoy's documented limit). The wildcard is existential:
 *   the rest of the path and its condition are evaluated per element, one element is
 *   enough (`{"tags.$": {"$neq": "x"}}` = some tag is not "x"). Two keys each with a
 *   wildcard may be satisfied by different elements; to require the same element, nest:
 *   `{"items.$": {"sku": "A", "qty": {"$gt": 1}}}`;
 * - a plain value is implicit `$eq`;
 * - operators: `$eq $neq $gt $gte $lt $lte $in $nin $or $and $exist $regex`.
 *
 * Operator semantics (the field's value is "v"; when v is an array, "any element" also
 * means the array itself, so arrays compare deeply AND match by containment, as Convoy's
 * documented "array contains match" `{"dish":{"ingredients":"rice"}}` requires):
 * - `$eq x`  : v deep-equals x, or v is an array with an element deep-equal to x. Types are
 *              strict: 5 never equals "5".
 * - `$neq x` : not `$eq x`; a missing field is "not equal", so it matches.
 * - `$in [..]`: any of v / v's elements deep-equals any listed value. `$nin`: not `$in`
 *              (a missing field matches).
 * - `$gt $gte $lt $lte`: numbers compare numerically, strings lexicographically (ISO
 *              dates work); mixed types (string vs number, booleans, null) never match.
 * - `$exist true|false`: the key is present (a present `null` counts as present).
 * - `$regex "p"`: a string v (or string element) matches p. See REGEX LIMITS below.
 * - `$or [..]` / `$and [..]`: sub-filters evaluated at the same place (at the root, or
 *              scoped under a field: `{"age": {"$or": [{"$lt": 18}, {"$gt": 65}]}}`).
 * An empty filter (or `{}`) matches everything.
 *
 * Headers (matchesHeaderFilter): header names are case-insensitive (filter keys and
 * header names are both compared lower-cased); values are case-sensitive. In Caravan's
 * event shape a header is an array of strings (`{"X-Tenant": ["a"]}`), a single string is
 * treated as a one-element array, and every operator above applies through the array rule:
 * `{"x-tenant": "a"}` matches `{"X-Tenant": ["a"]}` and `{"X-Tenant": ["b", "a"]}`;
 * `{"x-tenant": ["a"]}` matches only when "a" is the one value; `$neq`/`$nin` hold when no
 * value matches; `$regex` when any value matches.
 *
 * REGEX LIMITS: patterns use RE2 syntax and a linear-time engine (re2js), as Convoy's Go
 * regexp does, so no pattern can backtrack; patterns are capped at MAX_REGEX_LENGTH
 * characters and strings longer than MAX_REGEX_SUBJECT_LENGTH never match `$regex`.
 *
 * An invalid filter never matches (fail closed); validateFilter names every problem so the
 * API can refuse it with a 400 before it is stored.
 */

export const FILTER_OPERATORS = [
  '$eq',
  '$neq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$or',
  '$and',
  '$exist',
  '$regex',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Deepest object nesting accepted in a filter. */
export const MAX_FILTER_DEPTH = 32;
/** Longest `$regex` pattern accepted. */
export const MAX_REGEX_LENGTH = 512;
/** Strings longer than this never match `$regex`. */
export const MAX_REGEX_SUBJECT_LENGTH = 64 * 1024;
/** Array wildcards (`$`) per path: Convoy's limit is three levels. */
export const MAX_ARRAY_WILDCARDS = 3;
/** Array elements one match may visit through wildcards before it gives up (no match). */
export const MAX_WILDCARD_CANDIDATES = 100_000;

export type FilterExpression = Record<string, unknown>;
export type EventHeaders = Record<string, string | readonly string[] | null | undefined>;

// ---------------------------------------------------------------------------------------
// Event types
// ---------------------------------------------------------------------------------------

/**
 * `*` matches every type; otherwise exact, case-sensitive equality. An empty or absent
 * list is treated as `["*"]` (the API's default when `event_types` is omitted).
 */
export function matchesEventType(eventTypes: readonly string[] | null | undefined, type: string): boolean {
  if (!eventTypes || eventTypes.length === 0) return true;
  return eventTypes.some((candidate) => candidate === CATCH_ALL_EVENT_TYPE || candidate === type);
}

// ---------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------

const OPERATOR_SET: ReadonlySet<string> = new Set(FILTER_OPERATORS);

/** Thrown inside evaluation when the filter is invalid or over a limit; caught at the top. */
class FilterAbort extends Error {}

/** Where a condition is evaluated: a value, or nothing when the path is missing. */
interface Scope {
  /** [] when missing, else [value]. */
  values: readonly unknown[];
  /** Array wildcards crossed on the way here. */
  wildcards: number;
}

interface EvalOptions {
  /** Header mode: field keys are compared lower-cased. */
  lowerCaseKeys: boolean;
  /** Array elements visited through wildcards so far (bounded by MAX_WILDCARD_CANDIDATES). */
  visits: number;
}

/** Body filter against a payload. Never throws; an invalid filter does not match. */
export function matchesFilter(filter: unknown, payload: unknown): boolean {
  return evaluate(filter, payload, { lowerCaseKeys: false, visits: 0 });
}

/** Header filter against an event's headers (see the header rules at the top of this file). */
export function matchesHeaderFilter(filter: unknown, headers: EventHeaders | null | undefined): boolean {
  return evaluate(filter, normaliseHeaders(headers), {
    lowerCaseKeys: true,
    visits: 0,
  });
}

export interface FilterableEvent {
  eventType: string;
  body: unknown;
  headers?: EventHeaders | null;
}

/** A subscription's whole filter_config: event type, body filter and header filter. */
export function matchesSubscription(config: FilterConfig | null | undefined, event: FilterableEvent): boolean {
  if (!config) return true;
  return (
    matchesEventType(config.event_types, event.eventType) &&
    matchesFilter(config.filter?.body, event.body) &&
    matchesHeaderFilter(config.filter?.headers, event.headers)
  );
}

/** Header names lower-cased, values as string arrays; repeated names are concatenated. */
export function normaliseHeaders(headers: EventHeaders | null | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isPlainObject(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === null || value === undefined) continue;
    // Anything but a string or an array of them (a number, an object) carries no header value.
    const candidates: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    const values = candidates.filter((v): v is string => typeof v === 'string');
    const key = name.toLowerCase();
    out[key] = [...(out[key] ?? []), ...values];
  }
  return out;
}

function evaluate(filter: unknown, document: unknown, options: EvalOptions): boolean {
  if (filter === null || filter === undefined) return true;
  if (!isPlainObject(filter)) return false;
  try {
    return evalNode(filter, { values: [document], wildcards: 0 }, 1, options);
  } catch (error) {
    if (error instanceof FilterAbort || error instanceof RangeError) return false;
    throw error;
  }
}

/** Every key of the node holds at the scope. */
function evalNode(node: FilterExpression, scope: Scope, depth: number, options: EvalOptions): boolean {
  if (depth > MAX_FILTER_DEPTH) throw new FilterAbort('too deep');
  for (const [key, condition] of Object.entries(node)) {
    if (!evalKey(key, condition, scope, depth, options)) return false;
  }
  return true;
}

function evalKey(key: string, condition: unknown, scope: Scope, depth: number, options: EvalOptions): boolean {
  if (key === '$or' || key === '$and') {
    if (!Array.isArray(condition) || condition.length === 0) throw new FilterAbort(`${key} needs an array`);
    const holds = (sub: unknown): boolean => {
      if (!isPlainObject(sub)) throw new FilterAbort(`${key} needs objects`);
      return evalNode(sub, scope, depth + 1, options);
    };
    return key === '$or' ? condition.some(holds) : condition.every(holds);
  }
  if (isOperatorKey(key)) return evalOperator(key, condition, scope.values);
  const segments = key.split('.');
  // Checked up front so that validity never depends on the payload.
  if (segments.includes('')) throw new FilterAbort('empty path segment');
  if (scope.wildcards + segments.filter((segment) => segment === '$').length > MAX_ARRAY_WILDCARDS) {
    throw new FilterAbort('too many wildcards');
  }
  return evalPath(segments, 0, scope, condition, depth + 1, options);
}

function MISSING(wildcards: number): Scope {
  return { values: [], wildcards };
}

/** A field's condition: an object is a sub-filter at the field, anything else is `$eq`. */
function evalCondition(condition: unknown, scope: Scope, depth: number, options: EvalOptions): boolean {
  if (isPlainObject(condition) && Object.keys(condition).length > 0) {
    return evalNode(condition, scope, depth, options);
  }
  return evalOperator('$eq', condition, scope.values);
}

/**
 * Walks a dot-path from the scope and evaluates the condition where it ends. A `$` segment
 * is existential: the rest of the path and the condition are evaluated for each element
 * separately, and one element satisfying them is enough. A missing step (absent key, path
 * through a scalar, `$` on a non-array) evaluates the condition against "missing".
 */
function evalPath(
  segments: readonly string[],
  index: number,
  scope: Scope,
  condition: unknown,
  depth: number,
  options: EvalOptions,
): boolean {
  if (index === segments.length || scope.values.length === 0) {
    return evalCondition(condition, scope, depth, options);
  }
  const raw = segments[index] ?? '';
  const segment = options.lowerCaseKeys ? raw.toLowerCase() : raw;
  const value = scope.values[0];
  if (segment === '$') {
    const wildcards = scope.wildcards + 1;
    if (!Array.isArray(value)) return evalPath(segments, index + 1, MISSING(wildcards), condition, depth, options);
    return value.some((element) => {
      if (++options.visits > MAX_WILDCARD_CANDIDATES) throw new FilterAbort('too many array elements visited');
      return evalPath(segments, index + 1, { values: [element], wildcards }, condition, depth, options);
    });
  }
  let next: Scope = MISSING(scope.wildcards);
  if (isPlainObject(value)) {
    if (Object.prototype.hasOwnProperty.call(value, segment))
      next = { values: [value[segment]], wildcards: scope.wildcards };
  } else if (Array.isArray(value) && /^\d{1,9}$/.test(segment)) {
    const position = Number(segment);
    if (position < value.length) next = { values: [value[position]], wildcards: scope.wildcards };
  }
  return evalPath(segments, index + 1, next, condition, depth, options);
}

/** The values an operator looks at: each value, and the elements of array values. */
function expand(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    out.push(value);
    if (Array.isArray(value)) out.push(...value);
  }
  return out;
}

function evalOperator(operator: string, operand: unknown, values: readonly unknown[]): boolean {
  switch (operator) {
    case '$eq':
      return expand(values).some((value) => jsonEqual(value, operand, 0));
    case '$neq':
      return !expand(values).some((value) => jsonEqual(value, operand, 0));
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw new FilterAbort(`${operator} needs an array`);
      const found = expand(values).some((value) => operand.some((candidate) => jsonEqual(value, candidate, 0)));
      return operator === '$in' ? found : !found;
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (!isComparable(operand)) throw new FilterAbort(`${operator} needs a number or a string`);
      return expand(values).some((value) => compare(operator, value, operand));
    case '$exist':
      if (typeof operand !== 'boolean') throw new FilterAbort('$exist needs a boolean');
      return values.length > 0 === operand;
    case '$regex': {
      const regex = compileRegex(operand);
      if (typeof regex === 'string') throw new FilterAbort(regex);
      return expand(values).some(
        (value) => typeof value === 'string' && value.length <= MAX_REGEX_SUBJECT_LENGTH && regex.test(value),
      );
    }
    default:
      throw new FilterAbort(`unknown operator ${operator}`);
  }
}

function isComparable(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
}

function compare(operator: '$gt' | '$gte' | '$lt' | '$lte', value: unknown, operand: number | string): boolean {
  if (!isComparable(value) || typeof value !== typeof operand) return false;
  switch (operator) {
    case '$gt':
      return value > operand;
    case '$gte':
      return value >= operand;
    case '$lt':
      return value < operand;
    case '$lte':
      return value <= operand;
  }
}

/**
 * JSON deep equality: key order is irrelevant, types are strict. Values nested deeper than
 * 4 × MAX_FILTER_DEPTH are reported unequal rather than walked.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  try {
    return jsonEqual(a, b, 0);
  } catch (error) {
    if (error instanceof FilterAbort) return false;
    throw error;
  }
}

function jsonEqual(a: unknown, b: unknown, depth: number): boolean {
  if (depth > MAX_FILTER_DEPTH * 4) throw new FilterAbort('value too deep');
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i], depth + 1));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual(a[key], b[key], depth + 1));
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `$name` is an operator; `$` and `$.…` are array-wildcard paths. */
function isOperatorKey(key: string): boolean {
  return key.startsWith('$') && key !== '$' && !key.startsWith('$.');
}

// ---------------------------------------------------------------------------------------
// Regex
// ---------------------------------------------------------------------------------------

const REGEX_CACHE_LIMIT = 1000;
const regexCache = new Map<string, RE2JS | string>();

/** A compiled RE2 pattern, or a string saying why the pattern is refused. Cached. */
function compileRegex(pattern: unknown): RE2JS | string {
  if (typeof pattern !== 'string') return '$regex must be a string';
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = compileRegexUncached(pattern);
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(pattern, compiled);
  return compiled;
}

function compileRegexUncached(pattern: string): RE2JS | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `$regex is longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    // RE2 syntax, as Convoy's Go regexp: inline flags `(?i)` are native, backreferences and
    // lookarounds are syntax errors, and matching is linear in the subject whatever the pattern.
    return RE2JS.compile(pattern);
  } catch (error) {
    return `invalid $regex: ${(error as Error).message}`;
  }
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

/**
 * Problems with a subscription's `filter` (`{headers, body}`), each naming its path, e.g.
 * `filter.body.amount: unknown operator $foo`. Empty when the filter is valid.
 */
export function validateFilter(filter: unknown, prefix = 'filter'): string[] {
  if (filter === null || filter === undefined) return [];
  if (!isPlainObject(filter)) return [`${prefix}: must be an object`];
  return [
    ...validateFilterExpression(filter['body'], `${prefix}.body`),
    ...validateFilterExpression(filter['headers'], `${prefix}.headers`),
  ];
}

/** Problems with a whole `filter_config` (`{event_types, filter}`). */
export function validateFilterConfig(config: unknown, prefix = 'filter_config'): string[] {
  if (config === null || config === undefined) return [];
  if (!isPlainObject(config)) return [`${prefix}: must be an object`];
  const problems: string[] = [];
  const eventTypes = config['event_types'];
  if (eventTypes !== undefined && eventTypes !== null) {
    if (!Array.isArray(eventTypes)) problems.push(`${prefix}.event_types: must be an array of strings`);
    else {
      eventTypes.forEach((type, i) => {
        if (typeof type !== 'string' || type.trim() === '') {
          problems.push(`${prefix}.event_types[${i}]: must be a non-empty string`);
        }
      });
    }
  }
  return [...problems, ...validateFilter(config['filter'], `${prefix}.filter`)];
}

/** Problems with one body or header filter expression; `path` names its root. */
export function validateFilterExpression(expression: unknown, path: string): string[] {
  if (expression === null || expression === undefined) return [];
  if (!isPlainObject(expression)) return [`${path}: must be an object`];
  const problems: string[] = [];
  validateNode(expression, path, 0, 1, problems);
  return problems;
}

function validateNode(
  node: FilterExpression,
  path: string,
  wildcards: number,
  depth: number,
  problems: string[],
): void {
  if (depth > MAX_FILTER_DEPTH) {
    problems.push(`${path}: nested deeper than ${MAX_FILTER_DEPTH} levels`);
    return;
  }
  for (const [key, condition] of Object.entries(node)) {
    if (key === '$or' || key === '$and') {
      if (!Array.isArray(condition) || condition.length === 0) {
        problems.push(`${path}: ${key} must be a non-empty array of filter objects`);
        continue;
      }
      condition.forEach((sub, i) => {
        const subPath = `${path}.${key}[${i}]`;
        if (!isPlainObject(sub)) problems.push(`${subPath}: must be an object`);
        else validateNode(sub, subPath, wildcards, depth + 1, problems);
      });
    } else if (isOperatorKey(key)) {
      const problem = operatorProblem(key, condition);
      if (problem) problems.push(`${path}: ${problem}`);
    } else {
      const fieldPath = `${path}.${key}`;
      const segments = key.split('.');
      if (segments.some((segment) => segment === '')) {
        problems.push(`${fieldPath}: empty path segment`);
        continue;
      }
      const total = wildcards + segments.filter((segment) => segment === '$').length;
      if (total > MAX_ARRAY_WILDCARDS) {
        problems.push(`${fieldPath}: more than ${MAX_ARRAY_WILDCARDS} array wildcards ($) in one path`);
        continue;
      }
      if (isPlainObject(condition) && Object.keys(condition).length > 0) {
        validateNode(condition, fieldPath, total, depth + 1, problems);
      }
    }
  }
}

function operatorProblem(operator: string, operand: unknown): string | null {
  if (!OPERATOR_SET.has(operator)) return `unknown operator ${operator}`;
  switch (operator as FilterOperator) {
    case '$in':
    case '$nin':
      return Array.isArray(operand) ? null : `${operator} must be an array`;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return isComparable(operand) ? null : `${operator} needs a number or a string`;
    case '$exist':
      return typeof operand === 'boolean' ? null : '$exist needs true or false';
    case '$regex': {
      const compiled = compileRegex(operand);
      return typeof compiled === 'string' ? compiled : null;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------
// Flattening
// ---------------------------------------------------------------------------------------

/**
 * Convoy's flattened representation: nested field objects become dot-paths
 * (`{data:{customer:{id:5}}}` → `{"data.customer.id": 5}`), operator objects stay as leaf
 * values, `$or`/`$and` elements are flattened with the enclosing field's prefix, and
 * conditions that would collide on one key are combined under `$and`. The result matches
 * exactly the same payloads. Objects under a path that contains a wildcard are kept nested,
 * because flattening them would let different array elements satisfy different keys.
 */
export function flattenFilter(expression: FilterExpression): FilterExpression {
  return mergeConjuncts(flattenConjuncts(expression, ''));
}

function flattenConjuncts(node: FilterExpression, prefix: string): FilterExpression[] {
  const out: FilterExpression[] = [];
  const operators: FilterExpression = {};
  for (const [key, condition] of Object.entries(node)) {
    if ((key === '$or' || key === '$and') && Array.isArray(condition)) {
      out.push({
        [key]: condition.map((sub) => (isPlainObject(sub) ? mergeConjuncts(flattenConjuncts(sub, prefix)) : sub)),
      });
    } else if (isOperatorKey(key)) {
      operators[key] = condition;
    } else {
      const path = prefix ? `${prefix}.${key}` : key;
      const nestable = isPlainObject(condition) && Object.keys(condition).length > 0;
      if (nestable && !path.split('.').includes('$')) out.push(...flattenConjuncts(condition, path));
      else out.push({ [path]: condition });
    }
  }
  if (Object.keys(operators).length > 0) {
    // Operators at the root apply to the payload itself; there is no key to hang them on.
    out.unshift(prefix ? { [prefix]: operators } : operators);
  }
  return out;
}

function mergeConjuncts(conjuncts: FilterExpression[]): FilterExpression {
  const merged: FilterExpression = {};
  for (const conjunct of conjuncts) {
    for (const key of Object.keys(conjunct)) {
      if (Object.prototype.hasOwnProperty.call(merged, key)) return { $and: conjuncts };
      merged[key] = conjunct[key];
    }
  }
  return merged;
}
