/** What a redacted value is replaced with in a log line. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values are credentials wherever they appear in a logged object: request
 * headers (`authorization`, `cookie`), API keys and portal tokens, endpoint secrets and
 * auth headers (`authentication.api_key.header_value`, `basic_auth.password`,
 * `oauth2.client_secret`, the mTLS `client_key`), source verifier secrets (`hmac.secret`,
 * `basic_auth.password`, `api_key.header_value`), pub_sub broker credentials (SQS
 * `secret_key`, Google `service_account`, Kafka and AMQP `auth.password`) and the SMTP
 * password. Log lines carry ids, not these objects; this is the net under a mistake.
 */
export const SECRET_LOG_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api_key',
  'apiKey',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'secrets',
  'secret_key',
  'client_secret',
  'clientSecret',
  'client_key',
  'clientKey',
  'header_value',
  'password',
  'service_account',
] as const;

/** How deep below the logged object a secret key is still found (`req.headers.authorization` is 2). */
const MAX_DEPTH = 4;

const SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_LOG_KEYS);

/**
 * Values walked into: arrays and objects holding data (plain objects, entities). Not errors
 * (their serializer keeps only type, message, stack and code), buffers, dates, anything with
 * its own `toJSON`, nor live objects such as requests and sockets.
 */
function holdsFields(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  return (
    !(value instanceof Error) &&
    !(value instanceof Date) &&
    !ArrayBuffer.isView(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function' &&
    typeof (value as { on?: unknown }).on !== 'function'
  );
}

/**
 * `fields` with the value of every {@link SECRET_LOG_KEYS} key replaced by {@link REDACTED}, at
 * any depth up to {@link MAX_DEPTH} below it, so a secret is hidden whichever object it arrives
 * in. Copies only the objects on the way to a secret; the caller's objects are never changed.
 * One walk with a set lookup per key: pino's own path-based redaction, with a wildcard path per
 * key and depth, cost more than the rest of a request's logging.
 */
export function redactSecrets<T extends Record<string, unknown>>(fields: T): T {
  return redactBelow(fields, 0) as T;
}

function redactBelow(value: Record<string, unknown> | unknown[], depth: number): Record<string, unknown> | unknown[] {
  let copy: Record<string, unknown> | unknown[] | undefined;
  const keys = Object.keys(value);
  for (const key of keys) {
    const field = (value as Record<string, unknown>)[key];
    let replaced = field;
    if (!Array.isArray(value) && SECRET_KEYS.has(key)) {
      if (field !== undefined && field !== null) replaced = REDACTED;
    } else if (depth < MAX_DEPTH && holdsFields(field)) {
      replaced = redactBelow(field, depth + 1);
    }
    if (replaced !== field) {
      copy ??= Array.isArray(value) ? [...value] : { ...value };
      (copy as Record<string, unknown>)[key] = replaced;
    }
  }
  return copy ?? value;
}
