import {
  apiKeySecretMatches,
  constantTimeEquals,
  generateApiKey,
  hashApiKeySecret,
  maskApiKey,
  parseApiKey,
} from './api-keys';

describe('API keys', () => {
  it('generates CO.<mask>.<secret> keys whose secret matches the returned hash', () => {
    const { key, maskId, secretHash } = generateApiKey();
    expect(key).toMatch(/^CO\.[A-Za-z0-9]{16}\.[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key);
    expect(parsed?.maskId).toBe(maskId);
    expect(hashApiKeySecret(parsed?.secret ?? '')).toBe(secretHash);
    expect(secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeats a mask or a key', () => {
    const keys = Array.from({ length: 500 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.maskId)).size).toBe(500);
    expect(new Set(keys.map((k) => k.key)).size).toBe(500);
  });

  it.each([
    '',
    'CO.short.secret',
    'XX.AAAAAAAAAAAAAAAA.' + 'a'.repeat(40),
    'CO.AAAAAAAAAAAAAAAA.' + 'a'.repeat(10),
    'Bearer x',
  ])('rejects a malformed key %p', (key) => {
    expect(parseApiKey(key)).toBeNull();
  });

  it('matches the right secret only', () => {
    const { key, secretHash } = generateApiKey();
    const secret = parseApiKey(key)?.secret ?? '';
    expect(apiKeySecretMatches(secret, secretHash)).toBe(true);
    expect(apiKeySecretMatches(secret + 'x', secretHash)).toBe(false);
    expect(apiKeySecretMatches(secret, 'not-hex')).toBe(false);
  });

  it('compares strings in constant time without throwing on different lengths', () => {
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('', 'a')).toBe(false);
  });

  it('masks keys for listings', () => {
    expect(maskApiKey('AAAABBBBCCCCDDDD')).toBe('CO.AAAABBBBCCCCDDDD.********');
  });
});
