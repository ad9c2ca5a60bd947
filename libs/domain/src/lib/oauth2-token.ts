import type { OAuth2Config } from './endpoints';

/** An access token and when to stop using it. */
export interface OAuth2Token {
  type: string;
  value: string;
  /** Epoch ms; the token is refreshed before this. */
  expiresAt: number;
}

/** Lifetime assumed when the token server names none: refetched at least this often. */
export const DEFAULT_TOKEN_LIFETIME_MS = 5 * 60 * 1000;
/** Refresh this long before the server's expiry, so a token never expires in flight. */
export const TOKEN_EXPIRY_MARGIN_MS = 30 * 1000;

const UNIT_MS = { seconds: 1000, milliseconds: 1, minutes: 60_000, hours: 3_600_000 } as const;

/** The client-credentials token request body (RFC 6749 §4.4, credentials in the body). */
export function oauth2TokenRequestBody(config: OAuth2Config): string {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: config.client_id,
    client_secret: config.client_secret,
  });
  if (config.scope) form.set('scope', config.scope);
  if (config.audience) form.set('audience', config.audience);
  return form.toString();
}

export class OAuth2TokenError extends Error {}

/**
 * The token in a token server's JSON answer, read through the config's field_mapping
 * (access_token, token_type, expires_in by default) and expiry unit (seconds by default).
 * Throws OAuth2TokenError when there is no token.
 */
export function parseOAuth2TokenResponse(config: OAuth2Config, body: string, now: number): OAuth2Token {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new OAuth2TokenError('the token endpoint did not answer JSON');
  }
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const mapping = config.field_mapping ?? {};
  const value = fields[mapping.access_token || 'access_token'];
  if (typeof value !== 'string' || value === '') {
    throw new OAuth2TokenError('the token endpoint answered no access token');
  }
  const type = fields[mapping.token_type || 'token_type'];
  const expiresIn = Number(fields[mapping.expires_in || 'expires_in']);
  const lifetime =
    Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn * UNIT_MS[config.expiry_time_unit || 'seconds']
      : DEFAULT_TOKEN_LIFETIME_MS;
  return {
    // "bearer" is as valid as "Bearer" (RFC 6750); send the canonical spelling.
    type: typeof type === 'string' && type.toLowerCase() !== 'bearer' && type !== '' ? type : 'Bearer',
    value,
    expiresAt: now + Math.max(0, lifetime - TOKEN_EXPIRY_MARGIN_MS),
  };
}

/** Longest token-server error text quoted in a refusal (its own words, not a whole page). */
const MAX_QUOTED_ERROR = 200;

/**
 * The token in a token server's answer: a non-2xx status is refused, quoting the server's
 * RFC 6749 §5.2 `error` and `error_description` when it gives them; a 2xx body is read by
 * parseOAuth2TokenResponse. Throws OAuth2TokenError.
 */
export function oauth2TokenFromAnswer(
  config: OAuth2Config,
  statusCode: number,
  body: string,
  now: number,
): OAuth2Token {
  if (statusCode >= 200 && statusCode < 300) return parseOAuth2TokenResponse(config, body, now);
  let reason = '';
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    reason = [parsed.error, parsed.error_description].filter((part) => typeof part === 'string' && part).join(': ');
  } catch {
    // Not JSON: the status says enough.
  }
  const quoted = reason.length > MAX_QUOTED_ERROR ? `${reason.slice(0, MAX_QUOTED_ERROR)}…` : reason;
  throw new OAuth2TokenError(`the token endpoint answered ${statusCode}${quoted ? ` (${quoted})` : ''}`);
}
