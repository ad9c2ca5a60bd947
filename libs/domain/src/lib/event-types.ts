/**
 * The event-type catalogue's rules that do not depend on storage: what an OpenAPI document's
 * webhooks become on import.
 */

/** An event type as the catalogue stores it. */
export interface CatalogueEventType {
  name: string;
  description: string;
  category: string;
  /** The JSON Schema of events' `data`, self-contained (`$ref`s point inside it). */
  jsonSchema: Record<string, unknown> | null;
}

/** Longest event-type name accepted (the same cap as subscriptions' `event_types`). */
export const MAX_EVENT_TYPE_NAME_LENGTH = 255;

const OPERATION_METHODS = ['post', 'put', 'patch', 'get', 'delete'] as const;
const COMPONENT_REF = /^#\/components\/schemas\/([^/]+)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The event types an OpenAPI document declares: one per entry of `webhooks` (OpenAPI 3.1) or
 * `x-webhooks` (3.0). A webhook's name is the type's name; its operation's description (else
 * summary) the description, its first tag the category, and the JSON schema of its request
 * body the schema of `data` (the request body is what Convoy delivers). Component schemas it
 * references are copied under `definitions`, so the stored schema stands alone.
 * Returns the types, or the problems naming the offending part of the document.
 */
export function webhookEventTypes(
  document: unknown,
  prefix = 'spec',
): { eventTypes: CatalogueEventType[]; problems: string[] } {
  if (!isObject(document)) return { eventTypes: [], problems: [`${prefix}: must be an OpenAPI document (an object)`] };
  const webhooks = document['webhooks'] ?? document['x-webhooks'];
  if (!isObject(webhooks) || Object.keys(webhooks).length === 0) {
    return { eventTypes: [], problems: [`${prefix}: has no webhooks (or x-webhooks) section`] };
  }
  const components = isObject(document['components']) ? document['components'] : {};
  const schemas = isObject(components['schemas']) ? components['schemas'] : {};
  const problems: string[] = [];
  const eventTypes: CatalogueEventType[] = [];
  for (const [name, item] of Object.entries(webhooks)) {
    const at = `${prefix}.webhooks.${name}`;
    if (name.trim() === '' || name.length > MAX_EVENT_TYPE_NAME_LENGTH) {
      problems.push(`${at}: a webhook name must be 1 to ${MAX_EVENT_TYPE_NAME_LENGTH} characters`);
      continue;
    }
    const operation = isObject(item) ? OPERATION_METHODS.map((method) => item[method]).find(isObject) : undefined;
    if (!operation) {
      problems.push(`${at}: has no operation`);
      continue;
    }
    const body = isObject(operation['requestBody']) ? operation['requestBody'] : {};
    const content = isObject(body['content']) ? body['content'] : {};
    const media = Object.entries(content).find(([type]) => type.split(';')[0]?.trim().endsWith('json'))?.[1];
    const schema = isObject(media) && isObject(media['schema']) ? media['schema'] : null;
    const resolved = schema ? selfContained(schema, schemas, `${at}.requestBody`) : { schema: null, problems: [] };
    problems.push(...resolved.problems);
    const tags = Array.isArray(operation['tags']) ? operation['tags'] : [];
    eventTypes.push({
      name,
      description: String(operation['description'] ?? operation['summary'] ?? ''),
      category: typeof tags[0] === 'string' ? tags[0] : '',
      jsonSchema: resolved.schema,
    });
  }
  return { eventTypes, problems };
}

/** The schema with `#/components/schemas/X` references rewritten to `#/definitions/X`, and those copied in. */
function selfContained(
  schema: Record<string, unknown>,
  components: Record<string, unknown>,
  at: string,
): { schema: Record<string, unknown>; problems: string[] } {
  const definitions: Record<string, unknown> = {};
  const problems: string[] = [];
  const pending: string[] = [];
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!isObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const match = key === '$ref' && typeof value === 'string' ? COMPONENT_REF.exec(value) : null;
      if (match?.[1]) {
        const name = decodeURIComponent(match[1]);
        if (!(name in components)) problems.push(`${at}: $ref ${value} names no schema in components.schemas`);
        else if (!(name in definitions) && !pending.includes(name)) pending.push(name);
        out[key] = `#/definitions/${match[1]}`;
      } else {
        out[key] = rewrite(value);
      }
    }
    return out;
  };
  const root = rewrite(schema) as Record<string, unknown>;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    definitions[name] = null; // reserved before rewriting, so a cycle does not loop
    definitions[name] = rewrite(components[name]);
  }
  if (Object.keys(definitions).length > 0) {
    root['definitions'] = { ...(isObject(root['definitions']) ? root['definitions'] : {}), ...definitions };
  }
  return { schema: root, problems };
}
