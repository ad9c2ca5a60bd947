import { createHmac } from 'node:crypto';
import { createServer as createHttpServer, IncomingHttpHeaders, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DeliveryMode, EndpointContentType, EndpointSecret, RetryStrategyType } from '@caravan/domain';
import { EndpointEntity, EventsRepository, ProjectEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { makeTestCertificates, TestCertificates } from './support/test-certificates';
import { defined } from './support/webhook-receiver';

const SECRET: EndpointSecret = {
  uid: 's1',
  value: 'feature-secret',
  created_at: '2024-01-01T00:00:00Z',
  expires_at: null,
};

interface Seen {
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Endpoint and subscription settings the sender honours, against the dispatcher bundle, real
 * Postgres and Kafka, and real local servers: form-encoded bodies signed as sent, basic and
 * oauth2 credentials (a local token server), a client certificate (a local TLS receiver that
 * requires one), at_most_once subscriptions, and the endpoints a broadcast event reached.
 */
describe('dispatcher: delivery features', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;
  let project: ProjectEntity;
  let certs: TestCertificates;
  let tokenServer: Server;
  let tlsServer: Server;
  const tokenRequests: Seen[] = [];
  const tlsRequests: Seen[] = [];

  async function endpoint(fields: Partial<EndpointEntity>, deliveryMode?: DeliveryMode): Promise<EndpointEntity> {
    const created = await insertEndpoint(h.dataSource, project.id, {
      secrets: [SECRET],
      advancedSignatures: false,
      ...fields,
    });
    await insertSubscription(h.dataSource, project.id, created.id, deliveryMode ? { deliveryMode } : {});
    return created;
  }

  async function deliver(target: EndpointEntity, body = '{"ok":true}') {
    const event = await h.publish(project.id, { routing: 'direct', endpointIds: [target.id], body });
    const [delivery] = await h.settled(event.id);
    return { event, delivery: defined(delivery) };
  }

  beforeAll(async () => {
    certs = makeTestCertificates();
    let issued = 0;
    tokenServer = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        tokenRequests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        issued += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ access_token: `tok-${issued}`, token_type: 'bearer', expires_in: 3600 }));
      });
    });
    tlsServer = createHttpsServer(
      { cert: certs.server.cert, key: certs.server.key, ca: [certs.ca], requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          tlsRequests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          response.writeHead(200);
          response.end('mtls ok');
        });
      },
    );
    await Promise.all([listen(tokenServer), listen(tlsServer)]);
    // The dispatcher trusts the test CA for the TLS receiver's server certificate.
    h = await DispatcherHarness.start('features', { NODE_EXTRA_CA_CERTS: certs.caFile });
    project = await insertProject(h.dataSource, {
      config: { strategy: { type: RetryStrategyType.Linear, duration: 1, retry_count: 3 } },
    });
  });

  afterAll(async () => {
    await h?.stop();
    await close(tokenServer);
    await close(tlsServer);
    certs?.remove();
  });

  it('form-encodes the body for application/x-www-form-urlencoded endpoints and signs the bytes sent', async () => {
    const target = await endpoint({ url: h.receiver.url('/form'), contentType: EndpointContentType.FormUrlEncoded });
    const { delivery } = await deliver(target, '{"name":"Zoë & co","amount":12,"tags":["a"]}');
    expect(delivery.status).toBe('Success');
    const [request] = h.receiver.at('/form');
    const body = defined(request).body;
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(body.toString()).toBe('name=Zo%C3%AB+%26+co&amount=12&tags=%5B%22a%22%5D');
    expect(request?.headers['x-convoy-signature']).toBe(createHmac('sha256', SECRET.value).update(body).digest('hex'));
    const json = await endpoint({ url: h.receiver.url('/json') });
    await deliver(json, '{"a": 1}');
    expect(h.receiver.at('/json')[0]?.body.toString()).toBe('{"a": 1}');
    expect(h.receiver.at('/json')[0]?.headers['content-type']).toBe('application/json');
  });

  it('sends basic_auth credentials and records them redacted', async () => {
    const target = await endpoint({
      url: h.receiver.url('/basic'),
      authentication: { type: 'basic_auth', basic_auth: { username: 'user', password: 'p@ss' } },
    });
    const { delivery } = await deliver(target);
    expect(h.receiver.at('/basic')[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    );
    const [attempt] = await h.attemptsOf(delivery.id);
    expect(attempt?.requestHttpHeader['Authorization']).toEqual(['[REDACTED]']);
    expect(h.logs()).not.toContain('p@ss');
  });

  it('fetches an oauth2 token with client credentials, reuses it until expiry, and refreshes it on a 401', async () => {
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    const target = await endpoint({
      url: h.receiver.url('/oauth'),
      authentication: {
        type: 'oauth2',
        oauth2: {
          url: tokenUrl,
          client_id: 'client-1',
          client_secret: 'oauth-client-secret',
          grant_type: 'client_credentials',
          scope: 'hooks',
        },
      },
    });
    // 200 for the first two deliveries; the third is refused once (a revoked token), then accepted.
    h.receiver.script('/oauth', { status: 200 }, { status: 200 }, { status: 401 }, { status: 200 });
    for (let i = 0; i < 3; i++) expect((await deliver(target)).delivery.status).toBe('Success');
    expect(h.receiver.at('/oauth').map((request) => request.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
    expect(tokenRequests).toHaveLength(2);
    const form = new URLSearchParams(tokenRequests[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: 'oauth-client-secret',
      scope: 'hooks',
    });
    expect(tokenRequests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(h.logs()).not.toContain('oauth-client-secret');
    expect(h.logs()).not.toContain('tok-1');
  });

  it('fails the attempt, saying why, when no token can be had', async () => {
    const target = await endpoint({
      url: h.receiver.url('/oauth-down'),
      authentication: {
        type: 'oauth2',
        oauth2: {
          url: h.receiver.url('/token-refused'),
          client_id: 'c',
          client_secret: 's',
          grant_type: 'client_credentials',
        },
      },
    });
    h.receiver.script('/token-refused', { status: 403 });
    const { delivery } = await deliver(target);
    expect(delivery.status).toBe('Failure');
    const attempts = await h.attemptsOf(delivery.id);
    expect(attempts[0]?.error).toContain('oauth2 token');
    expect(h.receiver.at('/oauth-down')).toHaveLength(0);
  });

  it('presents the mtls_client_cert to a TLS receiver that requires one; without it the handshake fails', async () => {
    const url = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}/mtls`;
    const withCert = await endpoint({
      url,
      mtlsClientCert: { client_cert: certs.client.cert, client_key: certs.client.key },
    });
    const { delivery } = await deliver(withCert, '{"secure":true}');
    expect(delivery.status).toBe('Success');
    expect(tlsRequests.map((request) => request.body)).toEqual(['{"secure":true}']);

    const stranger = await endpoint(
      { url, mtlsClientCert: { client_cert: certs.stranger.cert, client_key: certs.stranger.key } },
      DeliveryMode.AtMostOnce,
    );
    const refused = await deliver(stranger, '{"secure":false}');
    expect(refused.delivery.status).toBe('Failure');
    expect(tlsRequests).toHaveLength(1);
    expect(h.logs()).not.toContain('PRIVATE KEY');
  });

  it('gives at_most_once deliveries one attempt, never retried; at_least_once ones are retried', async () => {
    h.receiver.script('/once', { status: 500 });
    h.receiver.script('/least', { status: 500 });
    const once = await endpoint({ url: h.receiver.url('/once') }, DeliveryMode.AtMostOnce);
    const least = await endpoint({ url: h.receiver.url('/least') }, DeliveryMode.AtLeastOnce);
    const [onceResult, leastResult] = await Promise.all([deliver(once), deliver(least)]);
    expect(onceResult.delivery).toMatchObject({ status: 'Failure', attempts: 1, retryLimit: 1 });
    expect(h.receiver.at('/once')).toHaveLength(1);
    expect(leastResult.delivery).toMatchObject({ status: 'Failure', attempts: 3, retryLimit: 3 });
  });

  it('lists the endpoints a broadcast event was routed to, so the endpoint filter finds it', async () => {
    // A project of its own: the endpoints above must not receive this broadcast.
    project = await insertProject(h.dataSource);
    const a = await endpoint({ url: h.receiver.url('/bc/a') });
    const b = await endpoint({ url: h.receiver.url('/bc/b') });
    const event = await h.publish(project.id, { routing: 'broadcast', body: '{"all":true}' });
    await h.settled(event.id);
    const events = new EventsRepository(h.dataSource);
    const stored = await eventually(
      () => events.findById(project.id, event.id),
      (row) => (row?.endpointIds.length ?? 0) > 0,
    );
    expect(stored?.endpointIds).toEqual(expect.arrayContaining([a.id, b.id]));
    const found = await events.search(project.id, { endpointIds: [b.id] }, {});
    expect(found.content.map((row) => row.id)).toContain(event.id);
  });
});
