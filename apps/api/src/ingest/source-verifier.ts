import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  constantTimeEquals,
  HmacRule,
  PROVIDER_RULES,
  SignatureEncoding,
  SignatureHash,
  VerifierType,
  verifyHmac,
} from '@caravan/domain';
import type { SourceEntity } from '@caravan/persistence';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function hashOf(value: string | undefined): SignatureHash | null {
  const upper = (value ?? 'SHA256').toUpperCase().replace('-', '');
  return upper === 'SHA256' ? SignatureHash.SHA256 : upper === 'SHA512' ? SignatureHash.SHA512 : null;
}

/** The HMAC rule a source verifies with: its provider's preset, else its own hmac settings. */
function hmacRule(source: SourceEntity): (HmacRule & { secret: string }) | null {
  const hmac = source.verifier?.hmac;
  const secret = hmac?.secret ?? '';
  if (secret === '') return null;
  if (source.provider && PROVIDER_RULES[source.provider]) return { ...PROVIDER_RULES[source.provider], secret };
  const hash = hashOf(hmac?.hash);
  if (!hmac?.header || !hash) return null;
  const encoding = hmac.encoding === 'base64' ? SignatureEncoding.Base64 : SignatureEncoding.Hex;
  return { header: hmac.header, hash, encoding, prefix: '', secret };
}

/**
 * Does the request pass its source's verifier? Constant-time comparisons throughout; a
 * misconfigured verifier (no secret, unknown hash) fails closed.
 */
export function verifySourceRequest(source: SourceEntity, body: Buffer, headers: IncomingHttpHeaders): boolean {
  const type = source.provider ? VerifierType.Hmac : (source.verifier?.type ?? VerifierType.Noop);
  switch (type) {
    case VerifierType.Noop:
      return true;
    case VerifierType.Hmac: {
      const rule = hmacRule(source);
      if (!rule) return false;
      let signature = header(headers, rule.header)?.trim();
      if (!signature) return false;
      const prefix = rule.prefix || `${rule.hash.toLowerCase()}=`;
      if (signature.toLowerCase().startsWith(prefix)) signature = signature.slice(prefix.length);
      else if (rule.prefix) return false;
      return verifyHmac(body, rule.secret, rule.hash, rule.encoding, signature);
    }
    case VerifierType.BasicAuth: {
      const expected = source.verifier.basic_auth;
      const presented = /^Basic\s+(.+)$/i.exec(header(headers, 'authorization') ?? '')?.[1];
      if (!expected || presented === undefined) return false;
      const decoded = Buffer.from(presented, 'base64').toString('utf8');
      return constantTimeEquals(decoded, `${expected.username}:${expected.password}`);
    }
    case VerifierType.ApiKey: {
      const expected = source.verifier.api_key;
      if (!expected?.header_name || !expected.header_value) return false;
      const presented = header(headers, expected.header_name);
      return presented !== undefined && constantTimeEquals(presented, expected.header_value);
    }
    default:
      return false;
  }
}

/**
 * Is this a token of the shape Twitter sends (short, opaque: base64/base64url characters, and
 * not itself JSON)? Anything else is refused, because the CRC answer is the very HMAC that
 * POST verifies: answering a JSON body as a "token" would sign a forged webhook.
 */
export function isTwitterCrcToken(token: string): boolean {
  if (!/^[A-Za-z0-9+/=_.-]{1,128}$/.test(token)) return false;
  try {
    JSON.parse(token);
    return false; // digits only, true, false, null: valid JSON bodies, never Twitter's tokens
  } catch {
    return true;
  }
}

/** Twitter's CRC answer: `sha256=` + base64 HMAC-SHA256(secret, crc_token). */
export function twitterCrcResponse(secret: string, crcToken: string): string {
  return `sha256=${createHmac('sha256', secret).update(crcToken, 'utf8').digest('base64')}`;
}

/** Headers that carry the source's own credentials: never stored on the event (they would be forwarded). */
export function credentialHeaders(source: SourceEntity): Set<string> {
  const names = new Set(['authorization', 'proxy-authorization', 'cookie']);
  const apiKeyHeader = source.verifier?.api_key?.header_name;
  if (apiKeyHeader) names.add(apiKeyHeader.toLowerCase());
  return names;
}
