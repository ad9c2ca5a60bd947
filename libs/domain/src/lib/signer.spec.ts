import { createHmac } from 'node:crypto';
import type { EndpointSecret } from './endpoints';
import { SignatureEncoding, SignatureHash } from './project-config';
import {
  computeHmac,
  currentSecret,
  generateConvoySecret,
  generateStandardWebhooksSecret,
  isSecretLive,
  isStandardWebhooksSecret,
  liveSecrets,
  NoLiveSecretError,
  parseAdvancedSignature,
  signAdvanced,
  signSimple,
  signStandardWebhooks,
  verifyAdvancedSignature,
  verifyHmac,
  verifyStandardWebhooks,
} from './signer';

// Test vectors, verbatim from shared/reference/signatures.md.
const CONVOY_SECRET = 'convoy-webhook-secret';
const CONVOY_BODY = Buffer.from('{"event":"charge.success","amount":1000,"currency":"NGN"}', 'utf8');
const SIMPLE_SHA256_HEX = '244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4';
const SIMPLE_SHA512_BASE64 = 'bMdy3IGUKuG1/6kcOmoHsNN+3I3GvYPjUYohnx8Z/3GuG3bWsyCUDUFMI2oarX95MLY+DxkolRlV0xIZVF4bZg==';
const ADVANCED_T = 1700000000;
const ADVANCED_HEADER = 't=1700000000,v1=77b8b9269f25a199846a55a2bd25b3fba151c70fdae60bb1dcd87fbbc943c55c';
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SW_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SW_TIMESTAMP = 1614265330;
const SW_BODY = Buffer.from('{"test": 2432232314}', 'utf8');
const SW_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const at = (unix: number): Date => new Date(unix * 1000);

function secret(uid: string, value: string, createdAt: string, expiresAt: string | null = null): EndpointSecret {
  return { uid, value, created_at: createdAt, expires_at: expiresAt };
}

/** Independent oracle, so expectations do not go through the code under test. */
function hmac(alg: 'sha256' | 'sha512', key: string | Buffer, data: Buffer, enc: 'hex' | 'base64'): string {
  return createHmac(alg, key).update(data).digest(enc);
}

describe('signer', () => {
  describe('Convoy simple signature (reference vectors)', () => {
    it.each([
      [SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX],
      [SignatureHash.SHA512, SignatureEncoding.Base64, SIMPLE_SHA512_BASE64],
    ])('%s/%s', (hash, encoding, expected) => {
      expect(signSimple(CONVOY_BODY, CONVOY_SECRET, { hash, encoding })).toBe(expected);
      expect(computeHmac(CONVOY_BODY, CONVOY_SECRET, hash, encoding)).toBe(expected);
    });

    it('defaults to SHA256/hex, the X-Convoy-Signature header value of the vector', () => {
      expect(signSimple(CONVOY_BODY, CONVOY_SECRET)).toBe(SIMPLE_SHA256_HEX);
    });

    it.each([
      [SignatureHash.SHA256, SignatureEncoding.Base64, 'sha256', 'base64'],
      [SignatureHash.SHA512, SignatureEncoding.Hex, 'sha512', 'hex'],
    ] as const)('covers the other combinations: %s/%s', (hash, encoding, alg, enc) => {
      expect(signSimple(CONVOY_BODY, CONVOY_SECRET, { hash, encoding })).toBe(
        hmac(alg, CONVOY_SECRET, CONVOY_BODY, enc),
      );
    });
  });

  describe('byte-exact signing', () => {
    const compact = Buffer.from('{"a":1,"b":"x"}', 'utf8');
    const pretty = Buffer.from('{\n  "a": 1,\n  "b": "x"\n}\n', 'utf8');
    const unicode = Buffer.from('{"name":"Zoë 🚀 日本","note":"caf\\u00e9"}', 'utf8');

    it('signs the given bytes, so pretty-printed and compact forms of the same JSON differ', () => {
      const prettySig = signSimple(pretty, CONVOY_SECRET);
      expect(prettySig).toBe(hmac('sha256', CONVOY_SECRET, pretty, 'hex'));
      expect(prettySig).not.toBe(signSimple(compact, CONVOY_SECRET));
      // what Convoy does wrong: re-serialising the parsed body
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(pretty.toString('utf8'))), 'utf8');
      expect(prettySig).not.toBe(signSimple(reserialised, CONVOY_SECRET));
    });

    it('signs unicode as its UTF-8 bytes, escapes untouched', () => {
      expect(signSimple(unicode, CONVOY_SECRET)).toBe(hmac('sha256', CONVOY_SECRET, unicode, 'hex'));
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(unicode.toString('utf8'))), 'utf8');
      expect(signSimple(unicode, CONVOY_SECRET)).not.toBe(signSimple(reserialised, CONVOY_SECRET));
    });

    it('signs non-UTF-8 bytes as they are', () => {
      const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
      expect(signSimple(binary, CONVOY_SECRET)).toBe(hmac('sha256', CONVOY_SECRET, binary, 'hex'));
    });

    it('advanced and Standard Webhooks modes also sign the exact bytes', () => {
      const secrets = [secret('s1', CONVOY_SECRET, '2024-01-01T00:00:00Z')];
      const now = at(ADVANCED_T);
      expect(signAdvanced({ body: pretty, secrets, now })).toBe(
        `t=${ADVANCED_T},v1=${hmac('sha256', CONVOY_SECRET, Buffer.concat([Buffer.from(`${ADVANCED_T},`), pretty]), 'hex')}`,
      );
      const sw = signStandardWebhooks({
        id: SW_ID,
        body: unicode,
        secrets: [secret('s1', SW_SECRET, '2024-01-01T00:00:00Z')],
        now: at(SW_TIMESTAMP),
      });
      const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
      const signed = Buffer.concat([Buffer.from(`${SW_ID}.${SW_TIMESTAMP}.`), unicode]);
      expect(sw['webhook-signature']).toBe(`v1,${hmac('sha256', key, signed, 'base64')}`);
    });
  });

  describe('secret liveness', () => {
    const now = new Date('2024-06-01T12:00:00.000Z');

    it.each([
      ['never expires', null, true],
      ['expires in the future', '2024-06-01T12:00:00.001Z', true],
      ['expires exactly now', '2024-06-01T12:00:00.000Z', false],
      ['expired', '2024-06-01T11:59:59.999Z', false],
      ['unparseable expiry (fail closed)', 'not a date', false],
    ])('%s → live=%s', (_name, expiresAt, live) => {
      expect(isSecretLive({ expires_at: expiresAt }, now)).toBe(live);
    });

    it('orders live secrets by creation, not by array order, and drops expired ones', () => {
      const newer = secret('new', 'n', '2024-05-02T00:00:00Z');
      const older = secret('old', 'o', '2024-05-01T00:00:00Z', '2024-06-02T00:00:00Z');
      const dead = secret('dead', 'd', '2024-04-01T00:00:00Z', '2024-05-01T00:00:00Z');
      expect(liveSecrets([newer, dead, older], now).map((s) => s.uid)).toEqual(['old', 'new']);
    });

    it('keeps the given order for equal creation times', () => {
      const a = secret('a', 'a', '2024-05-01T00:00:00Z');
      const b = secret('b', 'b', '2024-05-01T00:00:00Z');
      expect(liveSecrets([b, a], now).map((s) => s.uid)).toEqual(['b', 'a']);
    });

    it('currentSecret is the newest live secret', () => {
      const old = secret('old', 'o', '2024-05-01T00:00:00Z', '2024-06-02T00:00:00Z');
      const cur = secret('cur', 'c', '2024-05-02T00:00:00Z');
      const expiredButNewer = secret('x', 'x', '2024-05-03T00:00:00Z', '2024-05-04T00:00:00Z');
      expect(currentSecret([cur, expiredButNewer, old], now).uid).toBe('cur');
    });

    it('currentSecret throws NoLiveSecretError when everything expired', () => {
      expect(() => currentSecret([secret('x', 'x', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z')], now)).toThrow(
        NoLiveSecretError,
      );
      expect(() => currentSecret([], now)).toThrow(NoLiveSecretError);
    });
  });

  describe('Convoy advanced signature', () => {
    const s1 = secret('s1', CONVOY_SECRET, '2024-01-01T00:00:00Z');
    const s2 = secret('s2', 'second-secret', '2024-02-01T00:00:00Z');
    const now = at(ADVANCED_T);
    const sigOf = (key: string): string =>
      hmac('sha256', key, Buffer.concat([Buffer.from(`${ADVANCED_T},`), CONVOY_BODY]), 'hex');

    it('matches the reference vector', () => {
      expect(signAdvanced({ body: CONVOY_BODY, secrets: [s1], now })).toBe(ADVANCED_HEADER);
    });

    it('uses the unix seconds of now as t, flooring milliseconds', () => {
      expect(
        signAdvanced({
          body: CONVOY_BODY,
          secrets: [s1],
          now: new Date(ADVANCED_T * 1000 + 999),
        }),
      ).toBe(ADVANCED_HEADER);
    });

    it('emits one v1 per live secret in creation order (rotation overlap)', () => {
      const expected = `t=${ADVANCED_T},v1=${sigOf(CONVOY_SECRET)},v1=${sigOf('second-secret')}`;
      expect(signAdvanced({ body: CONVOY_BODY, secrets: [s1, s2], now })).toBe(expected);
      expect(signAdvanced({ body: CONVOY_BODY, secrets: [s2, s1], now })).toBe(expected);
      expect(expected.startsWith(ADVANCED_HEADER + ',')).toBe(true);
    });

    it('excludes an expired secret', () => {
      const expired = {
        ...s1,
        expires_at: new Date((ADVANCED_T - 1) * 1000).toISOString(),
      };
      expect(signAdvanced({ body: CONVOY_BODY, secrets: [expired, s2], now })).toBe(
        `t=${ADVANCED_T},v1=${sigOf('second-secret')}`,
      );
    });

    it('keeps a rotated-out secret until its expires_at', () => {
      const expiring = {
        ...s1,
        expires_at: new Date((ADVANCED_T + 60) * 1000).toISOString(),
      };
      expect(signAdvanced({ body: CONVOY_BODY, secrets: [expiring, s2], now })).toBe(
        `t=${ADVANCED_T},v1=${sigOf(CONVOY_SECRET)},v1=${sigOf('second-secret')}`,
      );
      expect(
        signAdvanced({
          body: CONVOY_BODY,
          secrets: [expiring, s2],
          now: at(ADVANCED_T + 60),
        }),
      ).not.toContain(sigOf(CONVOY_SECRET));
    });

    it('labels further signature versions v2, v3 … in the project order', () => {
      const header = signAdvanced({
        body: CONVOY_BODY,
        secrets: [s1],
        now,
        versions: [
          { hash: SignatureHash.SHA256, encoding: SignatureEncoding.Hex },
          { hash: SignatureHash.SHA512, encoding: SignatureEncoding.Base64 },
        ],
      });
      const signed = Buffer.concat([Buffer.from(`${ADVANCED_T},`), CONVOY_BODY]);
      expect(header).toBe(`${ADVANCED_HEADER},v2=${hmac('sha512', CONVOY_SECRET, signed, 'base64')}`);
    });

    it('throws NoLiveSecretError when no secret is live', () => {
      const expired = { ...s1, expires_at: '2000-01-01T00:00:00Z' };
      expect(() => signAdvanced({ body: CONVOY_BODY, secrets: [expired], now })).toThrow(NoLiveSecretError);
    });

    describe('parsing and verification', () => {
      it('parses the header', () => {
        expect(parseAdvancedSignature(`${ADVANCED_HEADER},v1=abc,v2=def`)).toEqual({
          timestamp: ADVANCED_T,
          signatures: {
            v1: ['77b8b9269f25a199846a55a2bd25b3fba151c70fdae60bb1dcd87fbbc943c55c', 'abc'],
            v2: ['def'],
          },
        });
      });

      it.each([
        [''],
        ['v1=abc'],
        ['t=abc,v1=abc'],
        ['t=1,t=2,v1=abc'],
        ['t=1'],
        ['t=1,v1='],
        ['t=1,x=abc'],
        ['t=1,,v1=abc'],
        ['garbage'],
        [42],
        [null],
      ])('rejects %p', (header) => {
        expect(parseAdvancedSignature(header)).toBeNull();
      });

      const base = {
        body: CONVOY_BODY,
        secrets: [CONVOY_SECRET],
        hash: SignatureHash.SHA256,
        encoding: SignatureEncoding.Hex,
        toleranceSeconds: 300,
      };

      it('accepts the vector within tolerance and against any of several v1 entries', () => {
        expect(
          verifyAdvancedSignature({
            ...base,
            header: ADVANCED_HEADER,
            now: at(ADVANCED_T + 300),
          }),
        ).toBe(true);
        const twoSecrets = signAdvanced({
          body: CONVOY_BODY,
          secrets: [s1, s2],
          now,
        });
        expect(
          verifyAdvancedSignature({
            ...base,
            secrets: ['second-secret'],
            header: twoSecrets,
            now,
          }),
        ).toBe(true);
      });

      it.each([
        ['too old', ADVANCED_HEADER, ADVANCED_T + 301, [CONVOY_SECRET]],
        ['from the future', ADVANCED_HEADER, ADVANCED_T - 301, [CONVOY_SECRET]],
        ['wrong secret', ADVANCED_HEADER, ADVANCED_T, ['other']],
        ['no secrets', ADVANCED_HEADER, ADVANCED_T, []],
        ['tampered t', ADVANCED_HEADER.replace('t=1700000000', 't=1700000001'), ADVANCED_T, [CONVOY_SECRET]],
        ['malformed', 't=1700000000,v1=zz', ADVANCED_T, [CONVOY_SECRET]],
        ['not a string', 12, ADVANCED_T, [CONVOY_SECRET]],
      ])('rejects: %s', (_name, header, nowUnix, secrets) => {
        expect(
          verifyAdvancedSignature({
            ...base,
            secrets,
            header,
            now: at(nowUnix),
          }),
        ).toBe(false);
      });

      it('rejects a tampered body', () => {
        const body = Buffer.from(CONVOY_BODY.toString('utf8').replace('1000', '1001'));
        expect(
          verifyAdvancedSignature({
            ...base,
            body,
            header: ADVANCED_HEADER,
            now,
          }),
        ).toBe(false);
      });
    });
  });

  describe('verifyHmac', () => {
    it.each([
      [SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX],
      [SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX.toUpperCase()],
      [SignatureHash.SHA512, SignatureEncoding.Base64, SIMPLE_SHA512_BASE64],
    ])('accepts the vector %s/%s', (hash, encoding, signature) => {
      expect(verifyHmac(CONVOY_BODY, CONVOY_SECRET, hash, encoding, signature)).toBe(true);
    });

    it('accepts a string body as its UTF-8 bytes and a Buffer key', () => {
      expect(
        verifyHmac(
          CONVOY_BODY.toString('utf8'),
          Buffer.from(CONVOY_SECRET),
          SignatureHash.SHA256,
          SignatureEncoding.Hex,
          SIMPLE_SHA256_HEX,
        ),
      ).toBe(true);
    });

    const flipLast = (s: string): string => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');

    it.each<[string, unknown, SignatureHash, SignatureEncoding, unknown]>([
      ['one nibble off', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, flipLast(SIMPLE_SHA256_HEX)],
      ['wrong secret', 'nope', SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX],
      ['wrong hash', CONVOY_SECRET, SignatureHash.SHA512, SignatureEncoding.Hex, SIMPLE_SHA256_HEX],
      ['wrong encoding', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Base64, SIMPLE_SHA256_HEX],
      ['truncated', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX.slice(0, 62)],
      ['odd length', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX.slice(0, 63)],
      ['too long', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX + '00'],
      ['trailing garbage', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX + 'zz'],
      ['non-hex', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, 'g'.repeat(64)],
      ['empty', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, ''],
      ['base64 garbage', CONVOY_SECRET, SignatureHash.SHA512, SignatureEncoding.Base64, '!!!' + SIMPLE_SHA512_BASE64],
      [
        'base64url form',
        CONVOY_SECRET,
        SignatureHash.SHA512,
        SignatureEncoding.Base64,
        SIMPLE_SHA512_BASE64.replace(/\//g, '_'),
      ],
      ['undefined signature', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, undefined],
      ['numeric signature', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, 42],
      ['object signature', CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, { a: 1 }],
      ['null secret', null, SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX],
      ['unknown hash', CONVOY_SECRET, 'MD5' as SignatureHash, SignatureEncoding.Hex, SIMPLE_SHA256_HEX],
      ['unknown encoding', CONVOY_SECRET, SignatureHash.SHA256, 'latin1' as SignatureEncoding, SIMPLE_SHA256_HEX],
    ])('rejects without throwing: %s', (_name, key, hash, encoding, signature) => {
      expect(verifyHmac(CONVOY_BODY, key as string, hash, encoding, signature)).toBe(false);
    });

    it('compares with crypto.timingSafeEqual', () => {
      const crypto = require('node:crypto') as typeof import('node:crypto');
      const spy = jest.spyOn(crypto, 'timingSafeEqual');
      try {
        expect(
          verifyHmac(CONVOY_BODY, CONVOY_SECRET, SignatureHash.SHA256, SignatureEncoding.Hex, SIMPLE_SHA256_HEX),
        ).toBe(true);
        expect(spy).toHaveBeenCalledTimes(1);
        const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
        expect(a.equals(b)).toBe(true);
      } finally {
        spy.mockRestore();
      }
    });

    it('rejects a non-Buffer body without throwing', () => {
      expect(
        verifyHmac(
          {} as unknown as Buffer,
          CONVOY_SECRET,
          SignatureHash.SHA256,
          SignatureEncoding.Hex,
          SIMPLE_SHA256_HEX,
        ),
      ).toBe(false);
    });
  });

  describe('Standard Webhooks v1', () => {
    const swSecret = secret('sw1', SW_SECRET, '2024-01-01T00:00:00Z');

    it('matches the reference vector', () => {
      expect(
        signStandardWebhooks({
          id: SW_ID,
          body: SW_BODY,
          secrets: [swSecret],
          now: at(SW_TIMESTAMP),
        }),
      ).toEqual({
        'webhook-id': SW_ID,
        'webhook-timestamp': String(SW_TIMESTAMP),
        'webhook-signature': SW_SIGNATURE,
      });
    });

    it('emits space-separated v1 entries per live secret, in creation order, skipping expired ones', () => {
      const other = generateStandardWebhooksSecret();
      const otherKey = Buffer.from(other.slice('whsec_'.length), 'base64');
      const signed = Buffer.concat([Buffer.from(`${SW_ID}.${SW_TIMESTAMP}.`), SW_BODY]);
      const second = secret('sw2', other, '2024-02-01T00:00:00Z');
      const expected = `${SW_SIGNATURE} v1,${hmac('sha256', otherKey, signed, 'base64')}`;
      const now = at(SW_TIMESTAMP);
      expect(
        signStandardWebhooks({
          id: SW_ID,
          body: SW_BODY,
          secrets: [second, swSecret],
          now,
        })['webhook-signature'],
      ).toBe(expected);
      const expired = {
        ...swSecret,
        expires_at: new Date(SW_TIMESTAMP * 1000).toISOString(),
      };
      expect(
        signStandardWebhooks({
          id: SW_ID,
          body: SW_BODY,
          secrets: [expired, second],
          now,
        })['webhook-signature'],
      ).toBe(expected.split(' ')[1]);
    });

    it('throws on no live secret and on a secret of the wrong form', () => {
      const now = at(SW_TIMESTAMP);
      expect(() =>
        signStandardWebhooks({
          id: SW_ID,
          body: SW_BODY,
          secrets: [{ ...swSecret, expires_at: '2000-01-01T00:00:00Z' }],
          now,
        }),
      ).toThrow(NoLiveSecretError);
      expect(() =>
        signStandardWebhooks({
          id: SW_ID,
          body: SW_BODY,
          secrets: [secret('bad', CONVOY_SECRET, '2024-01-01T00:00:00Z')],
          now,
        }),
      ).toThrow(/bad is not a Standard Webhooks secret/);
    });

    describe('secrets', () => {
      it('generates whsec_ + base64 of 32 random bytes that validate', () => {
        const generated = new Set(Array.from({ length: 50 }, () => generateStandardWebhooksSecret()));
        expect(generated.size).toBe(50);
        for (const s of generated) {
          expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
          expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
          expect(isStandardWebhooksSecret(s)).toBe(true);
        }
      });

      it.each([
        ['reference secret (24 bytes, unpadded)', SW_SECRET, true],
        ['24 bytes', 'whsec_' + Buffer.alloc(24, 1).toString('base64'), true],
        ['64 bytes', 'whsec_' + Buffer.alloc(64, 1).toString('base64'), true],
        ['32 bytes without padding', 'whsec_' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, ''), true],
        ['23 bytes', 'whsec_' + Buffer.alloc(23, 1).toString('base64'), false],
        ['65 bytes', 'whsec_' + Buffer.alloc(65, 1).toString('base64'), false],
        ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', false],
        ['wrong prefix case', 'WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', false],
        ['invalid base64 char', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!', false],
        ['base64url chars', 'whsec_' + Buffer.alloc(32, 0xfb).toString('base64url'), false],
        ['impossible length', 'whsec_' + 'A'.repeat(33), false],
        ['empty', 'whsec_', false],
        ['convoy-style secret (base64url)', 'wKN4syNCuo--GDEN3tu9aeS3LAyrsBtv_iY6_fCmjQM', false],
        ['not a string', 42, false],
      ])('isStandardWebhooksSecret: %s', (_name, value, valid) => {
        expect(isStandardWebhooksSecret(value)).toBe(valid);
      });

      it('generates URL-safe Convoy secrets of at least 32 chars, all different', () => {
        const generated = new Set(Array.from({ length: 50 }, () => generateConvoySecret()));
        expect(generated.size).toBe(50);
        for (const s of generated) {
          expect(s.length).toBeGreaterThanOrEqual(32);
          expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(encodeURIComponent(s)).toBe(s);
        }
      });
    });

    describe('verification', () => {
      const headers = {
        'webhook-id': SW_ID,
        'webhook-timestamp': String(SW_TIMESTAMP),
        'webhook-signature': SW_SIGNATURE,
      };
      const base = {
        body: SW_BODY,
        secret: SW_SECRET,
        now: at(SW_TIMESTAMP),
        toleranceSeconds: 300,
      };

      it('verifies the reference vector, header names in any case, array values, multiple entries', () => {
        expect(verifyStandardWebhooks({ ...base, headers })).toBe(true);
        expect(
          verifyStandardWebhooks({
            ...base,
            headers: {
              'Webhook-Id': [SW_ID],
              'WEBHOOK-TIMESTAMP': String(SW_TIMESTAMP),
              'webhook-signature': `v1,AAAA ${SW_SIGNATURE}`,
            },
          }),
        ).toBe(true);
      });

      it('round-trips what signStandardWebhooks produces', () => {
        const s = generateStandardWebhooksSecret();
        const now = new Date('2024-06-01T00:00:00Z');
        const signedHeaders = signStandardWebhooks({
          id: 'msg_1',
          body: SW_BODY,
          secrets: [secret('a', s, '2024-01-01T00:00:00Z')],
          now,
        });
        expect(
          verifyStandardWebhooks({
            body: SW_BODY,
            headers: { ...signedHeaders },
            secret: s,
            now,
            toleranceSeconds: 5,
          }),
        ).toBe(true);
      });

      it.each<
        [
          string,
          Partial<typeof base> & {
            headers?: Record<string, string | undefined>;
          },
        ]
      >([
        ['stale timestamp', { now: at(SW_TIMESTAMP + 301) }],
        ['future timestamp', { now: at(SW_TIMESTAMP - 301) }],
        ['wrong secret', { secret: generateStandardWebhooksSecret() }],
        ['malformed secret', { secret: 'nope' }],
        ['tampered body', { body: Buffer.from('{"test": 2432232315}') }],
        ['other id', { headers: { ...headers, 'webhook-id': 'msg_other' } }],
        ['missing signature', { headers: { ...headers, 'webhook-signature': undefined } }],
        [
          'wrong version label',
          {
            headers: {
              ...headers,
              'webhook-signature': SW_SIGNATURE.replace('v1,', 'v2,'),
            },
          },
        ],
        ['non-numeric timestamp', { headers: { ...headers, 'webhook-timestamp': '1614265330.0' } }],
        ['garbage signature', { headers: { ...headers, 'webhook-signature': ',,, v1 v1,%%%' } }],
      ])('rejects: %s', (_name, override) => {
        expect(verifyStandardWebhooks({ ...base, headers, ...override })).toBe(false);
      });
    });
  });
});
