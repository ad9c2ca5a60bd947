import { rawJsonMember } from './json-member';

/**
 * The pub/sub message contract (reference api.md): a message on a source's queue or topic is
 * `{"endpoint_id"?, "owner_id"?, "event_type"*, "data"*, "custom_headers"?{string:string},
 * "idempotency_key"?}`, routed by the `x-convoy-message-type` attribute/header (or a custom
 * header of that name): `single` (default, needs endpoint_id), `fanout` (needs owner_id),
 * `broadcast`. Validated as strictly as the api validates `POST /events`.
 */
export const MESSAGE_TYPE_HEADER = 'x-convoy-message-type';

export type PubSubMessageType = 'single' | 'fanout' | 'broadcast';

/** Where the event goes; the same shapes as the intake's direct/fanout/broadcast routes. */
export type PubSubRoute =
  { routing: 'direct'; endpointId: string } | { routing: 'fanout'; ownerId: string } | { routing: 'broadcast' };

export interface PubSubMessage {
  eventType: string;
  /** The exact bytes of the message's `data` member, as the api keeps them. */
  data: Buffer;
  route: PubSubRoute;
  /** Broker attributes plus custom_headers (which win on a name clash), in Convoy's shape. */
  headers: Record<string, string[]>;
  idempotencyKey: string | null;
}

export type PubSubMessageParse = { ok: true; message: PubSubMessage } | { ok: false; reason: string };

/** An HTTP header name (RFC 9110 token): what custom_headers and forwarded attributes may use. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const MAX_EVENT_TYPE = 255;
const MAX_IDEMPOTENCY_KEY = 512;

/**
 * Parses and validates one message. `attributes` are the broker's message attributes or
 * headers as strings; invalid header names or values among them are not forwarded (a broker
 * may carry anything), while an invalid `custom_headers` rejects the message.
 */
export function parsePubSubMessage(body: Buffer, attributes: Readonly<Record<string, string>>): PubSubMessageParse {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return reject(`message is not valid JSON (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return reject('message must be a JSON object');
  }
  const fields = document as Record<string, unknown>;

  const eventType = fields['event_type'];
  if (typeof eventType !== 'string' || eventType.length === 0) {
    return reject('event_type is required and must be a non-empty string');
  }
  if (eventType.length > MAX_EVENT_TYPE) return reject(`event_type must be at most ${MAX_EVENT_TYPE} characters`);
  if (fields['data'] === undefined || fields['data'] === null) return reject('data is required');

  const endpointId = optionalString(fields, 'endpoint_id');
  const ownerId = optionalString(fields, 'owner_id');
  const idempotencyKey = optionalString(fields, 'idempotency_key');
  for (const checked of [endpointId, ownerId, idempotencyKey]) {
    if (checked.error) return reject(checked.error);
  }
  if (idempotencyKey.value !== null && idempotencyKey.value.length > MAX_IDEMPOTENCY_KEY) {
    return reject(`idempotency_key must be at most ${MAX_IDEMPOTENCY_KEY} characters`);
  }

  const customHeaders = fields['custom_headers'] ?? {};
  if (!isHeaderMap(customHeaders)) {
    return reject('custom_headers must be an object of header names to string values');
  }

  const type = messageType(attributes, customHeaders);
  if (type === null) return reject(`${MESSAGE_TYPE_HEADER} must be single, fanout or broadcast`);
  const route = chooseRoute(type, endpointId.value, ownerId.value);
  if (typeof route === 'string') return reject(route);

  // The document parsed, so `data` is there; its bytes are found in the original document.
  const data = rawJsonMember(body, 'data') ?? Buffer.from(JSON.stringify(fields['data']), 'utf8');
  return {
    ok: true,
    message: {
      eventType,
      data,
      route,
      headers: mergeHeaders(attributes, customHeaders),
      idempotencyKey: idempotencyKey.value,
    },
  };
}

/** The route a message type asks for, or why the message cannot be routed. */
export function chooseRoute(
  type: PubSubMessageType,
  endpointId: string | null,
  ownerId: string | null,
): PubSubRoute | string {
  switch (type) {
    case 'single':
      return endpointId ? { routing: 'direct', endpointId } : 'endpoint_id is required for a single (default) message';
    case 'fanout':
      return ownerId ? { routing: 'fanout', ownerId } : 'owner_id is required for a fanout message';
    case 'broadcast':
      return { routing: 'broadcast' };
  }
}

/**
 * `x-convoy-message-type` from the broker attributes first, then custom_headers; names match
 * case-insensitively. Absent or empty means `single`; an unknown value is null.
 */
export function messageType(
  attributes: Readonly<Record<string, string>>,
  customHeaders: Readonly<Record<string, string>> = {},
): PubSubMessageType | null {
  const raw = headerValue(attributes, MESSAGE_TYPE_HEADER) ?? headerValue(customHeaders, MESSAGE_TYPE_HEADER) ?? '';
  const value = raw.trim().toLowerCase();
  if (value === '') return 'single';
  return value === 'single' || value === 'fanout' || value === 'broadcast' ? value : null;
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function isHeaderValue(value: unknown): value is string {
  return typeof value === 'string' && !/[\r\n\0]/.test(value);
}

function isHeaderMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(([name, header]) => HEADER_NAME.test(name) && isHeaderValue(header))
  );
}

function mergeHeaders(
  attributes: Readonly<Record<string, string>>,
  customHeaders: Readonly<Record<string, string>>,
): Record<string, string[]> {
  const custom = new Set(Object.keys(customHeaders).map((name) => name.toLowerCase()));
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (HEADER_NAME.test(name) && isHeaderValue(value) && !custom.has(name.toLowerCase())) headers[name] = [value];
  }
  for (const [name, value] of Object.entries(customHeaders)) headers[name] = [value];
  return headers;
}

function optionalString(
  fields: Record<string, unknown>,
  name: string,
): { value: string | null; error?: undefined } | { value: null; error: string } {
  const value = fields[name];
  // "" is "not set": Convoy's Go clients send it for every optional string they leave unset.
  if (value === undefined || value === null || value === '') return { value: null };
  if (typeof value !== 'string') return { value: null, error: `${name} must be a string` };
  return { value };
}

function reject(reason: string): PubSubMessageParse {
  return { ok: false, reason };
}
