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

/**
 * The pino `redact` paths for {@link SECRET_LOG_KEYS} at every depth up to {@link MAX_DEPTH}
 * (`key`, `*.key`, `*.*.key`, …), so a secret is hidden whichever object it arrives in.
 */
export function secretRedactPaths(keys: readonly string[] = SECRET_LOG_KEYS): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const leaf = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const prefix = '*.'.repeat(depth);
      if (leaf.startsWith('[')) paths.push(depth === 0 ? leaf : `${prefix.slice(0, -1)}${leaf}`);
      else paths.push(`${prefix}${leaf}`);
    }
  }
  return paths;
}
