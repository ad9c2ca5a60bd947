/**
 * A place in an incoming webhook request, in Convoy's syntax (source `idempotency_keys` and
 * `event_type_location`): `request.header.X-Id`, `request.body.a.b`, `request.query.ref`.
 * The root may be `req`; the part may be spelt `Header`, `Body` or `QueryParam` (Convoy's
 * other spellings), and `headers` is accepted too (Caravan's earlier form).
 */
export type RequestPart = 'header' | 'body' | 'query';

export interface RequestLocation {
  part: RequestPart;
  /** header: [name]; query: [name]; body: the path of keys (array indexes as digits). */
  path: string[];
}

const ROOTS = new Set(['request', 'req']);
const PARTS: Readonly<Record<string, RequestPart>> = {
  header: 'header',
  Header: 'header',
  headers: 'header',
  body: 'body',
  Body: 'body',
  query: 'query',
  QueryParam: 'query',
};

/** The location, or null when the text is not one. */
export function parseRequestLocation(text: unknown): RequestLocation | null {
  if (typeof text !== 'string' || /\s/.test(text)) return null;
  const [root, part, ...rest] = text.split('.');
  const kind = part === undefined ? undefined : PARTS[part];
  if (!ROOTS.has(root) || !kind || rest.length === 0 || rest.some((segment) => segment === '')) return null;
  // Header and query names may themselves contain dots: everything after the part is the name.
  return { part: kind, path: kind === 'body' ? rest : [rest.join('.')] };
}

/** What a location is read from. */
export interface RequestView {
  /** A header's value (case-insensitive name); repeated headers joined with ", ". */
  header(name: string): string | undefined;
  /** The first value of a query parameter. */
  query(name: string): string | undefined;
  /** The parsed body (JSON, or a form's fields); undefined when it is neither. */
  body: unknown;
}

/**
 * The value at `location` as a string: a scalar as its text, an object or array as JSON;
 * undefined when the request has nothing there (or only null or an empty string).
 */
export function readRequestLocation(location: RequestLocation, request: RequestView): string | undefined {
  let value: unknown;
  if (location.part === 'header') value = request.header(location.path[0]);
  else if (location.part === 'query') value = request.query(location.path[0]);
  else {
    value = request.body;
    for (const key of location.path) {
      value =
        typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
  }
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
