import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiHarness, startApiHarness } from '../testing/api-harness';

/** A real client-credentials token server on 127.0.0.1: one client, one secret. */
function startTokenServer(): Promise<{ url: string; requests: URLSearchParams[]; close(): Promise<void> }> {
  const requests: URLSearchParams[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      response.setHeader('Content-Type', 'application/json');
      if (request.url === '/silent') return; // never answers
      if (request.url === '/huge') {
        response.end(JSON.stringify({ access_token: 'x'.repeat(100 * 1024) }));
        return;
      }
      if (form.get('client_id') !== 'caravan' || form.get('client_secret') !== 'right-secret') {
        response.statusCode = 401;
        response.end(JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }));
        return;
      }
      response.end(JSON.stringify({ access_token: 'tok-123', token_type: 'bearer', expires_in: 3600 }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('POST /endpoints/oauth2/test (HTTP, real Postgres, a real token server)', () => {
  jest.setTimeout(90_000);
  let open: ApiHarness;
  let closed: ApiHarness;
  let tokenServer: Awaited<ReturnType<typeof startTokenServer>>;
  let projectId: string;
  let key: string;

  const path = (project: string) => `/api/v1/projects/${project}/endpoints/oauth2/test`;
  const oauth2 = (overrides: object = {}) => ({
    url: tokenServer.url,
    client_id: 'caravan',
    client_secret: 'right-secret',
    grant_type: 'client_credentials',
    authentication_type: 'shared_secret',
    scope: 'webhooks',
    audience: '',
    expiry_time_unit: '',
    ...overrides,
  });

  beforeAll(async () => {
    tokenServer = await startTokenServer();
    // The guard stays closed on `closed`; `open` allows the token server's loopback range.
    [open, closed] = await Promise.all([
      startApiHarness({ CARAVAN_SSRF_ALLOW_CIDRS: '127.0.0.0/8' }),
      startApiHarness(),
    ]);
    ({ projectId, apiKey: key } = await open.createProject());
  });

  afterAll(async () => {
    await Promise.all([open?.close(), closed?.close()]);
    await tokenServer?.close();
  });

  it("answers the token's details in Convoy's shape, without the client secret", async () => {
    const before = Date.now();
    const response = await open.request('POST', path(projectId), { key, body: { oauth2: oauth2() } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: true,
      message: 'OAuth2 connection test successful',
      data: {
        success: true,
        access_token: 'tok-123',
        token_type: 'Bearer',
        expires_at: expect.any(String),
        message: 'OAuth2 connection test successful',
      },
    });
    const expiresAt = Date.parse(response.body.data.expires_at);
    expect(expiresAt).toBeGreaterThan(before + 3_000_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(JSON.stringify(response.body)).not.toContain('right-secret');
    const sent = tokenServer.requests.at(-1);
    expect(Object.fromEntries(sent ?? [])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'caravan',
      client_secret: 'right-secret',
      scope: 'webhooks',
    });
  });

  it("answers 400 with the token server's reason on a wrong client secret", async () => {
    const response = await open.request('POST', path(projectId), {
      key,
      body: { oauth2: oauth2({ client_secret: 'wrong-secret' }) },
    });
    expect(response.status).toBe(400);
    expect(response.body.status).toBe(false);
    expect(response.body.message).toBe(
      'oauth2: OAuth2 connection test failed: the token endpoint answered 401 (invalid_client: client authentication failed)',
    );
    expect(JSON.stringify(response.body)).not.toContain('wrong-secret');
  });

  it('answers 400 naming the SSRF guard when the destination is refused, and never calls it', async () => {
    const { projectId: other, apiKey } = await closed.createProject();
    const calls = tokenServer.requests.length;
    const literal = await closed.request('POST', path(other), { key: apiKey, body: { oauth2: oauth2() } });
    expect(literal.status).toBe(400);
    expect(literal.body.message).toMatch(
      /^oauth2\.url: SSRF guard: destination 127\.0\.0\.1 is a loopback address; not allowed \(to allow it, add its range to CARAVAN_SSRF_ALLOW_CIDRS/,
    );
    // A name is resolved through the guard, which refuses the address it resolves to.
    const named = await closed.request('POST', path(other), {
      key: apiKey,
      body: { oauth2: oauth2({ url: tokenServer.url.replace('127.0.0.1', 'localhost') }) },
    });
    expect(named.status).toBe(400);
    expect(named.body.message).toMatch(
      /^oauth2: OAuth2 connection test failed: SSRF guard: destination .* not allowed/,
    );
    expect(tokenServer.requests.length).toBe(calls);
  });

  it('gives up on a token server that does not answer within the bound, and on an oversized answer', async () => {
    const base = tokenServer.url.replace('/oauth/token', '');
    const started = Date.now();
    const silent = await open.request('POST', path(projectId), {
      key,
      body: { oauth2: oauth2({ url: `${base}/silent` }) },
    });
    expect(silent.status).toBe(400);
    expect(silent.body.message).toBe(
      'oauth2: OAuth2 connection test failed: the token endpoint did not answer within 5 s',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    const huge = await open.request('POST', path(projectId), {
      key,
      body: { oauth2: oauth2({ url: `${base}/huge` }) },
    });
    expect(huge.status).toBe(400);
    expect(huge.body.message).toBe(
      'oauth2: OAuth2 connection test failed: the token endpoint answered more than 65536 bytes',
    );
  });

  it('answers 400 when the token server answers no token', async () => {
    const response = await open.request('POST', path(projectId), {
      key,
      body: { oauth2: oauth2({ field_mapping: { access_token: 'token' } }) },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(
      'oauth2: OAuth2 connection test failed: the token endpoint answered no access token',
    );
  });

  it.each([
    ['no oauth2 block', () => ({}), 'oauth2'],
    ['a URL that is not one', () => ({ oauth2: oauth2({ url: 'not a url' }) }), 'oauth2.url'],
    ['no client id', () => ({ oauth2: oauth2({ client_id: undefined }) }), 'oauth2.client_id'],
    ['an unknown grant type', () => ({ oauth2: oauth2({ grant_type: 'password' }) }), 'oauth2.grant_type'],
  ])('answers 400 naming the field for %s', async (_case, body, field) => {
    const response = await open.request('POST', path(projectId), { key, body: body() });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(field);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it("answers 403 to another project's key", async () => {
    const { apiKey: otherKey } = await open.createProject();
    const calls = tokenServer.requests.length;
    const response = await open.request('POST', path(projectId), { key: otherKey, body: { oauth2: oauth2() } });
    expect(response.status).toBe(403);
    expect(tokenServer.requests.length).toBe(calls);
  });
});
