import { EndpointAuthentication, SignatureEncoding, SignatureFormat, SignatureHash } from '@caravan/domain';
import type { DeliveryRequestInput } from './delivery-request.builder';
import { EndpointRequestSender } from './endpoint-request.sender';
import type { WebhookClient, WebhookRequest, WebhookResponse } from './webhook.client';

/** A scripted stand-in for the HTTP client: token requests and deliveries answered in order. */
class ScriptedClient {
  readonly requests: WebhookRequest[] = [];
  tokenExpiresIn = 3600;
  deliveryStatuses: number[] = [];
  private issued = 0;

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    this.requests.push(request);
    if (request.url.endsWith('/token')) {
      this.issued += 1;
      return answer(200, JSON.stringify({ access_token: `tok-${this.issued}`, expires_in: this.tokenExpiresIn }));
    }
    return answer(this.deliveryStatuses.shift() ?? 200, 'ok');
  }

  authorizations(): unknown[] {
    return this.requests.filter((r) => !r.url.endsWith('/token')).map((r) => r.headers['Authorization']);
  }

  tokenRequests(): number {
    return this.requests.filter((r) => r.url.endsWith('/token')).length;
  }
}

function answer(statusCode: number, body: string): WebhookResponse {
  return { statusCode, headers: {}, body, error: null, refused: false, ip: '127.0.0.1', durationMs: 1 };
}

const OAUTH2: EndpointAuthentication = {
  type: 'oauth2',
  oauth2: { url: 'https://auth.test/token', client_id: 'c', client_secret: 's', grant_type: 'client_credentials' },
};

function input(authentication: EndpointAuthentication | null = OAUTH2): DeliveryRequestInput {
  return {
    deliveryId: 'd1',
    event: { id: 'e1', eventType: 't', raw: Buffer.from('{}'), headers: {}, idempotencyKey: null },
    endpoint: {
      secrets: [{ uid: 's', value: 'secret', created_at: '2024-01-01T00:00:00Z', expires_at: null }],
      advancedSignatures: false,
      signatureFormat: SignatureFormat.Convoy,
      authentication,
    },
    signature: {
      header: 'X-Convoy-Signature',
      versions: [{ hash: SignatureHash.SHA256, encoding: SignatureEncoding.Hex }],
    },
    userAgent: 'test',
    now: new Date(),
  };
}

const target = { endpointId: 'ep1', url: 'https://hooks.test/in', timeoutMs: 1000, mtlsClientCert: null };

describe('EndpointRequestSender', () => {
  let client: ScriptedClient;
  let sender: EndpointRequestSender;

  beforeEach(() => {
    client = new ScriptedClient();
    sender = new EndpointRequestSender(client as unknown as WebhookClient);
  });

  afterEach(() => jest.useRealTimers());

  it('fetches one token and reuses it for later deliveries', async () => {
    await sender.send(input(), target);
    await sender.send(input(), target);
    expect(client.tokenRequests()).toBe(1);
    expect(client.authorizations()).toEqual(['Bearer tok-1', 'Bearer tok-1']);
  });

  it('fetches a new token once the cached one nears its expiry', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate'] });
    client.tokenExpiresIn = 90; // used until 30 s before it expires: for 60 s
    await sender.send(input(), target);
    jest.setSystemTime(1_000_000 + 59_000);
    await sender.send(input(), target);
    jest.setSystemTime(1_000_000 + 61_000);
    await sender.send(input(), target);
    expect(client.authorizations()).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('retries once with a fresh token on a 401, and keeps the 401 when that fails too', async () => {
    client.deliveryStatuses = [401, 200, 401, 401];
    expect((await sender.send(input(), target)).response.statusCode).toBe(200);
    expect((await sender.send(input(), target)).response.statusCode).toBe(401);
    expect(client.authorizations()).toEqual(['Bearer tok-1', 'Bearer tok-2', 'Bearer tok-2', 'Bearer tok-3']);
  });

  it('fetches a new token when the endpoint changes its oauth2 settings', async () => {
    await sender.send(input(), target);
    const changed = { ...OAUTH2, oauth2: { ...OAUTH2.oauth2, client_secret: 'rotated' } } as EndpointAuthentication;
    await sender.send(input(changed), target);
    expect(client.tokenRequests()).toBe(2);
  });

  it('sends without a token for other endpoints', async () => {
    await sender.send(input(null), target);
    expect(client.tokenRequests()).toBe(0);
    expect(client.authorizations()).toEqual([undefined]);
  });
});
