import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Convoy-shaped API keys: `CO.<16-char mask>.<secret>`; the mask finds the row. */
export interface GeneratedApiKey {
  key: string;
  maskId: string;
  secretHash: string;
}

const MASK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^CO\.([A-Za-z0-9]{16})\.([A-Za-z0-9_-]{32,128})$/;

function randomMask(): string {
  const bytes = randomBytes(16);
  return Array.from(bytes, (byte) => MASK_ALPHABET[byte % MASK_ALPHABET.length]).join('');
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const maskId = randomMask();
  const secret = randomBytes(32).toString('base64url');
  return { key: `CO.${maskId}.${secret}`, maskId, secretHash: hashApiKeySecret(secret) };
}

export function parseApiKey(key: string): { maskId: string; secret: string } | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { maskId: match[1], secret: match[2] } : null;
}

/** Constant-time check of a presented secret against the stored hash. */
export function apiKeySecretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKeySecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Constant-time equality of two strings of possibly different length. */
export function constantTimeEquals(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** What a key looks like in listings: the mask and a hint, never the secret. */
export function maskApiKey(maskId: string): string {
  return `CO.${maskId}.********`;
}

/** An unguessable bearer token (256 random bits) and the SHA-256 under which it is stored. */
export function generateOpaqueToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashApiKeySecret(token) };
}
