import {
  EndpointContentType,
  NoLiveSecretError,
  SignatureEncoding,
  SignatureFormat,
  SignatureHash,
  signSimple,
} from '@caravan/domain';
import { Webhook } from 'standardwebhooks';
import { buildDeliveryRequest, DeliveryRequestBuilder, DeliveryRequestInput } from './delivery-request.builder';

/** Test vectors from reference/signatures.md. */
const BODY = Buffer.from('{"event":"charge.success","amount":1000,"currency":"NGN"}');
const SECRET = {
  uid: 's1',
  value: 'convoy-webhook-secret',
  created_at: '2024-01-01T00:00:00Z',
  expires_at: null,
};

function input(
  overrides: Partial<DeliveryRequestInput> = {},
  endpoint: Partial<DeliveryRequestInput['endpoint']> = {},
): DeliveryRequestInput {
  return {
    deliveryId: 'delivery-1',
    event: {
      id: 'event-1',
      eventType: 'charge.success',
      raw: BODY,
      headers: {},
      idempotencyKey: null,
    },
    endpoint: {
      secrets: [SECRET],
      advancedSignatures: false,
      signatureFormat: SignatureFormat.Convoy,
      authentication: null,
      ...endpoint,
    },
    signature: {
      header: 'X-Convoy-Signature',
      versions: [{ hash: SignatureHash.SHA256, encoding: SignatureEncoding.Hex }],
    },
    userAgent: 'Caravan/0.1.0',
    now: new Date(1_700_000_000_000),
    ...overrides,
  };
}

describe('DeliveryRequestBuilder', () => {
  it('builds the documented headers with the simple signature', () => {
    expect(DeliveryRequestBuilder.headers(input())).toEqual({
      'Content-Type': 'application/json',
      'User-Agent': 'Caravan/0.1.0',
      'X-Convoy-Event-Type': 'charge.success',
      'X-Convoy-Event-ID': 'event-1',
      'X-Convoy-Delivery-ID': 'delivery-1',
      'X-Convoy-Signature': '244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4',
    });
  });

  it('uses the project header name and newest signature version', () => {
    const headers = DeliveryRequestBuilder.headers(
      input({
        signature: {
          header: 'X-Acme-Signature',
          versions: [
            { hash: SignatureHash.SHA256, encoding: SignatureEncoding.Hex },
            { hash: SignatureHash.SHA512, encoding: SignatureEncoding.Base64 },
          ],
        },
      }),
    );
    expect(headers['X-Acme-Signature']).toBe(
      'bMdy3IGUKuG1/6kcOmoHsNN+3I3GvYPjUYohnx8Z/3GuG3bWsyCUDUFMI2oarX95MLY+DxkolRlV0xIZVF4bZg==',
    );
    expect(headers['X-Convoy-Signature']).toBeUndefined();
  });

  it('signs advanced signatures per the test vector', () => {
    expect(DeliveryRequestBuilder.headers(input({}, { advancedSignatures: true }))['X-Convoy-Signature']).toBe(
      't=1700000000,v1=77b8b9269f25a199846a55a2bd25b3fba151c70fdae60bb1dcd87fbbc943c55c',
    );
  });

  it('signs Standard Webhooks with the delivery id, verifiable by the standardwebhooks library', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const now = new Date();
    const headers = DeliveryRequestBuilder.headers(
      input(
        { now },
        {
          signatureFormat: SignatureFormat.StandardWebhooks,
          secrets: [{ ...SECRET, value: secret }],
        },
      ),
    );
    expect(headers['webhook-id']).toBe('delivery-1');
    expect(headers['X-Convoy-Signature']).toBeUndefined();
    expect(() => new Webhook(secret).verify(BODY.toString(), headers as Record<string, string>)).not.toThrow();
  });

  it('adds custom headers, the idempotency key and authentication, but never lets custom headers override its own', () => {
    const headers = DeliveryRequestBuilder.headers(
      input(
        {
          event: {
            id: 'event-1',
            eventType: 'charge.success',
            raw: BODY,
            idempotencyKey: 'key-1',
            headers: {
              'X-Trace': ['a', 'b'],
              'content-type': ['text/plain'],
              'x-convoy-signature': ['forged'],
              'X-One': ['1'],
            },
          },
        },
        {
          authentication: {
            type: 'api_key',
            api_key: { header_name: 'X-Api-Key', header_value: 'sekret' },
          },
        },
      ),
    );
    expect(headers).toMatchObject({
      'X-Trace': ['a', 'b'],
      'X-One': '1',
      'X-Api-Key': 'sekret',
      'X-Convoy-Idempotency-Key': 'key-1',
      'Content-Type': 'application/json',
      'X-Convoy-Signature': '244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4',
    });
    expect(headers['content-type']).toBeUndefined();
    expect(headers['x-convoy-signature']).toBeUndefined();
    expect(
      DeliveryRequestBuilder.forRecord(headers, {
        type: 'api_key',
        api_key: { header_name: 'X-Api-Key', header_value: 'sekret' },
      })['X-Api-Key'],
    ).toEqual(['[REDACTED]']);
  });

  it('throws NoLiveSecretError when every secret has expired', () => {
    expect(() =>
      DeliveryRequestBuilder.headers(input({}, { secrets: [{ ...SECRET, expires_at: '2020-01-01T00:00:00Z' }] })),
    ).toThrow(NoLiveSecretError);
  });

  it('form-encodes the body for form endpoints and signs the bytes it sends', () => {
    const request = buildDeliveryRequest(input({}, { contentType: EndpointContentType.FormUrlEncoded }));
    expect(request.body.toString()).toBe('event=charge.success&amount=1000&currency=NGN');
    expect(request.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers['X-Convoy-Signature']).toBe(signSimple(request.body, SECRET.value));
    const json = buildDeliveryRequest(input());
    expect(json.body).toBe(BODY);
    expect(json.headers['Content-Type']).toBe('application/json');
  });

  it('sends Basic credentials and an oauth2 bearer token that custom headers cannot replace; records them redacted', () => {
    const forged = { ...input().event, headers: { authorization: ['Bearer forged'] } };
    const basic = DeliveryRequestBuilder.headers(
      input(
        { event: forged },
        { authentication: { type: 'basic_auth', basic_auth: { username: 'u', password: 'p:w' } } },
      ),
    );
    expect(basic['Authorization']).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    expect(basic['authorization']).toBeUndefined();
    const oauth2 = {
      type: 'oauth2' as const,
      oauth2: { url: 'https://a/t', client_id: 'c', client_secret: 's', grant_type: 'client_credentials' as const },
    };
    const bearer = DeliveryRequestBuilder.headers(
      input({ event: forged, bearerToken: { type: 'Bearer', value: 'tok' } }, { authentication: oauth2 }),
    );
    expect(bearer['Authorization']).toBe('Bearer tok');
    expect(bearer['authorization']).toBeUndefined();
    expect(DeliveryRequestBuilder.forRecord(bearer, oauth2)['Authorization']).toEqual(['[REDACTED]']);
    expect(DeliveryRequestBuilder.forRecord(basic, null)['Authorization']).toEqual(['[REDACTED]']);
  });
});
