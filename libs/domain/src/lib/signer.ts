import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EndpointSecret } from './endpoints';
import { SignatureEncoding, SignatureHash, type SignatureVersion } from './project-config';

/**
 * Webhook signing (docs/architecture.md#the-path-of-one-event). Every function here signs the EXACT bytes it is given:
 * bodies are `Buffer`s and are never parsed or re-serialised, so a pretty-printed or
 * unicode payload verifies byte for byte at the receiver. Time is always passed in.
 */

/** Thrown when a delivery has to be signed but none of the endpoint's secrets is live. */
export class NoLiveSecretError extends Error {
  constructor() {
    super('No live secret to sign with: every secret of the endpoint has expired');
    this.name = 'NoLiveSecretError';
  }
}

const NODE_HASH: Readonly<Record<SignatureHash, string>> = {
  [SignatureHash.SHA256]: 'sha256',
  [SignatureHash.SHA512]: 'sha512',
};

const DIGEST_BYTES: Readonly<Record<SignatureHash, number>> = {
  [SignatureHash.SHA256]: 32,
  [SignatureHash.SHA512]: 64,
};

const DEFAULT_VERSION: SignatureVersion = {
  hash: SignatureHash.SHA256,
  encoding: SignatureEncoding.Hex,
};

/** HMAC of `data` under `key`, encoded as asked. */
export function computeHmac(
  data: Buffer,
  key: string | Buffer,
  hash: SignatureHash,
  encoding: SignatureEncoding,
): string {
  return createHmac(NODE_HASH[hash], key)
    .update(data)
    .digest(encoding === SignatureEncoding.Hex ? 'hex' : 'base64');
}

// ---------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------

/**
 * A secret is live while `expires_at` is null or strictly after `now`. An unparseable
 * `expires_at` counts as expired (fail closed: never sign with a secret of unknown state).
 */
export function isSecretLive(secret: Pick<EndpointSecret, 'expires_at'>, now: Date): boolean {
  if (secret.expires_at === null || secret.expires_at === undefined) return true;
  const expiresAt = Date.parse(secret.expires_at);
  return Number.isFinite(expiresAt) && expiresAt > now.getTime();
}

/** Live secrets in creation order (oldest first); ties keep the given order. */
export function liveSecrets(secrets: readonly EndpointSecret[], now: Date): EndpointSecret[] {
  return secrets
    .map((secret, index) => ({
      secret,
      index,
      created: createdAtMillis(secret),
    }))
    .filter(({ secret }) => isSecretLive(secret, now))
    .sort((a, b) => a.created - b.created || a.index - b.index)
    .map(({ secret }) => secret);
}

/** The newest live secret: the one simple (single-signature) mode signs with. */
export function currentSecret(secrets: readonly EndpointSecret[], now: Date): EndpointSecret {
  const live = liveSecrets(secrets, now);
  const newest = live[live.length - 1];
  if (!newest) throw new NoLiveSecretError();
  return newest;
}

function createdAtMillis(secret: EndpointSecret): number {
  const created = Date.parse(secret.created_at);
  return Number.isFinite(created) ? created : 0;
}

function unixSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

// ---------------------------------------------------------------------------------------
// Convoy simple and advanced signatures
// ---------------------------------------------------------------------------------------

/** Convoy simple signature: the `X-Convoy-Signature` value, `HMAC(secret, body)`. */
export function signSimple(body: Buffer, secret: string, version: SignatureVersion = DEFAULT_VERSION): string {
  return computeHmac(body, secret, version.hash, version.encoding);
}

export interface AdvancedSignatureInput {
  body: Buffer;
  /** All the endpoint's secrets; expired ones are skipped. */
  secrets: readonly EndpointSecret[];
  /** The signing time: `t` is its unix seconds, and liveness is judged against it. */
  now: Date;
  /**
   * The project's signature versions; version i (0-based) is labelled `v{i+1}`.
   * Defaults to one version, SHA256/hex.
   */
  versions?: readonly SignatureVersion[];
}

/**
 * Convoy advanced signature: `t=<unix>,v1=<sig>[,v1=<sig2>…]`, each sig over
 * `"<t>," + body`, one per live secret in creation order (so a rotation has an overlap
 * window), repeated for each configured version as `v2=…`, `v3=…`.
 * Throws NoLiveSecretError when no secret is live.
 */
export function signAdvanced(input: AdvancedSignatureInput): string {
  const live = liveSecrets(input.secrets, input.now);
  if (live.length === 0) throw new NoLiveSecretError();
  const versions = input.versions && input.versions.length > 0 ? input.versions : [DEFAULT_VERSION];
  const t = unixSeconds(input.now);
  const signed = Buffer.concat([Buffer.from(`${t},`, 'utf8'), input.body]);
  const parts = [`t=${t}`];
  versions.forEach((version, index) => {
    for (const secret of live) {
      parts.push(`v${index + 1}=${computeHmac(signed, secret.value, version.hash, version.encoding)}`);
    }
  });
  return parts.join(',');
}

export interface ParsedAdvancedSignature {
  timestamp: number;
  /** Signatures by version label (`v1`, `v2`, …), in header order. */
  signatures: Record<string, string[]>;
}

/** Parses `t=…,v1=…,…`; null when the header is malformed. Never throws. */
export function parseAdvancedSignature(header: unknown): ParsedAdvancedSignature | null {
  if (typeof header !== 'string' || header.length === 0 || header.length > 16_384) return null;
  let timestamp: number | null = null;
  const signatures: Record<string, string[]> = {};
  for (const rawPart of header.split(',')) {
    const part = rawPart.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,15}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (/^v\d+$/.test(key) && value.length > 0) {
      (signatures[key] ??= []).push(value);
    } else {
      return null;
    }
  }
  if (timestamp === null || Object.keys(signatures).length === 0) return null;
  return { timestamp, signatures };
}

export interface VerifyAdvancedInput {
  body: Buffer;
  header: unknown;
  /** Candidate secrets (raw values); any of them may have produced any `v1`. */
  secrets: readonly string[];
  hash: SignatureHash;
  encoding: SignatureEncoding;
  now: Date;
  /** Maximum |now − t| in seconds. */
  toleranceSeconds: number;
  /** Which label to check; default `v1`. */
  version?: string;
}

/** Receiver side of the advanced signature: timestamp tolerance, then any-match in constant time. */
export function verifyAdvancedSignature(input: VerifyAdvancedInput): boolean {
  try {
    const parsed = parseAdvancedSignature(input.header);
    if (!parsed) return false;
    if (Math.abs(unixSeconds(input.now) - parsed.timestamp) > input.toleranceSeconds) return false;
    const candidates = parsed.signatures[input.version ?? 'v1'] ?? [];
    const signed = Buffer.concat([Buffer.from(`${parsed.timestamp},`, 'utf8'), input.body]);
    let ok = false;
    for (const secret of input.secrets) {
      for (const candidate of candidates) {
        // No early exit: the work done does not depend on which entry matched.
        ok = verifyHmac(signed, secret, input.hash, input.encoding, candidate) || ok;
      }
    }
    return ok;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict decoding (Buffer.from silently skips garbage); null when not well-formed. */
function decodeStrict(value: string, encoding: SignatureEncoding): Buffer | null {
  if (encoding === SignatureEncoding.Hex) {
    return value.length % 2 === 0 && HEX.test(value) ? Buffer.from(value, 'hex') : null;
  }
  return BASE64.test(value) ? Buffer.from(value, 'base64') : null;
}

/**
 * Does `signature` equal HMAC(secret, body) in the given hash/encoding? Compares the
 * decoded digests with crypto.timingSafeEqual; a malformed signature, a length mismatch or
 * any other garbage input answers false, never throws. Hex is accepted in either case.
 */
export function verifyHmac(
  body: Buffer | string,
  secret: string | Buffer,
  hash: SignatureHash,
  encoding: SignatureEncoding,
  signature: unknown,
): boolean {
  try {
    if (typeof signature !== 'string') return false;
    if (!(hash in NODE_HASH) || (encoding !== SignatureEncoding.Hex && encoding !== SignatureEncoding.Base64)) {
      return false;
    }
    if (typeof secret !== 'string' && !Buffer.isBuffer(secret)) return false;
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (!Buffer.isBuffer(data)) return false;
    const given = decodeStrict(signature.trim(), encoding);
    if (!given || given.length !== DIGEST_BYTES[hash]) return false;
    const expected = createHmac(NODE_HASH[hash], secret).update(data).digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Standard Webhooks v1
// ---------------------------------------------------------------------------------------

export const STANDARD_WEBHOOKS_SECRET_PREFIX = 'whsec_';
const STANDARD_WEBHOOKS_MIN_KEY_BYTES = 24;
const STANDARD_WEBHOOKS_MAX_KEY_BYTES = 64;
const STANDARD_WEBHOOKS_GENERATED_KEY_BYTES = 32;

/** `whsec_` + canonical base64 of 24–64 bytes (padding optional). */
export function isStandardWebhooksSecret(secret: unknown): secret is string {
  return standardWebhooksKey(secret) !== null;
}

function standardWebhooksKey(secret: unknown): Buffer | null {
  if (typeof secret !== 'string' || !secret.startsWith(STANDARD_WEBHOOKS_SECRET_PREFIX)) return null;
  let encoded = secret.slice(STANDARD_WEBHOOKS_SECRET_PREFIX.length);
  if (encoded.length % 4 === 2) encoded += '==';
  else if (encoded.length % 4 === 3) encoded += '=';
  const key = decodeStrict(encoded, SignatureEncoding.Base64);
  if (!key || key.length < STANDARD_WEBHOOKS_MIN_KEY_BYTES || key.length > STANDARD_WEBHOOKS_MAX_KEY_BYTES) {
    return null;
  }
  return key;
}

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateStandardWebhooksSecret(): string {
  return STANDARD_WEBHOOKS_SECRET_PREFIX + randomBytes(STANDARD_WEBHOOKS_GENERATED_KEY_BYTES).toString('base64');
}

/** A new Convoy-style endpoint secret: 32 random bytes, base64url (43 URL-safe chars). */
export function generateConvoySecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface StandardWebhooksHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface StandardWebhooksInput {
  /** The message id: the delivery's stable id across retries. */
  id: string;
  body: Buffer;
  /** All the endpoint's secrets (`whsec_…`); expired ones are skipped. */
  secrets: readonly EndpointSecret[];
  /** The signing time: `webhook-timestamp` is its unix seconds. */
  now: Date;
}

/**
 * Standard Webhooks v1 headers: `webhook-signature` is `v1,<base64 HMAC-SHA256>` over
 * `"<id>.<ts>." + body`, one space-separated entry per live secret in creation order.
 * Throws NoLiveSecretError when none is live, and an Error naming the secret's uid when a
 * secret is not of the `whsec_` form (the API refuses those, so that is a bug upstream).
 */
export function signStandardWebhooks(input: StandardWebhooksInput): StandardWebhooksHeaders {
  const live = liveSecrets(input.secrets, input.now);
  if (live.length === 0) throw new NoLiveSecretError();
  const timestamp = String(unixSeconds(input.now));
  const signed = Buffer.concat([Buffer.from(`${input.id}.${timestamp}.`, 'utf8'), input.body]);
  const entries = live.map((secret) => {
    const key = standardWebhooksKey(secret.value);
    if (!key) throw new Error(`Secret ${secret.uid} is not a Standard Webhooks secret (whsec_…)`);
    return `v1,${computeHmac(signed, key, SignatureHash.SHA256, SignatureEncoding.Base64)}`;
  });
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': entries.join(' '),
  };
}

export interface VerifyStandardWebhooksInput {
  body: Buffer;
  /** Header names in any case; values as strings or the first of an array. */
  headers: Record<string, string | readonly string[] | undefined>;
  secret: string;
  now: Date;
  /** Maximum |now − webhook-timestamp| in seconds; the spec suggests 300. */
  toleranceSeconds: number;
}

/** Receiver side of Standard Webhooks v1; false on anything malformed, never throws. */
export function verifyStandardWebhooks(input: VerifyStandardWebhooksInput): boolean {
  try {
    const header = (name: string): string | undefined => {
      for (const [key, value] of Object.entries(input.headers)) {
        if (key.toLowerCase() === name) return typeof value === 'string' ? value : value?.[0];
      }
      return undefined;
    };
    const id = header('webhook-id');
    const timestamp = header('webhook-timestamp');
    const signature = header('webhook-signature');
    const key = standardWebhooksKey(input.secret);
    if (!id || !timestamp || !signature || !key || !/^\d{1,15}$/.test(timestamp)) return false;
    if (Math.abs(unixSeconds(input.now) - Number(timestamp)) > input.toleranceSeconds) return false;
    const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), input.body]);
    let ok = false;
    for (const entry of signature.split(' ')) {
      const [label, value] = entry.split(',', 2);
      if (label !== 'v1' || value === undefined) continue;
      ok = verifyHmac(signed, key, SignatureHash.SHA256, SignatureEncoding.Base64, value) || ok;
    }
    return ok;
  } catch {
    return false;
  }
}
