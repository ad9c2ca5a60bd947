import { gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { MAX_BODY_BYTES } from './request-body.limits';
import { MAX_REPORTED_ERRORS } from './validation.pipe';

/** Hostile bodies: refused early, cheaply, and with a 4xx naming the body. */
describe('request bodies: authentication first, bounded shape, bounded time', () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;
  let projectId: string;
  let apiKey: string;

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey } = await api.createProject());
  });

  afterAll(async () => {
    await api?.close();
  });

  const endpoints = () => `/api/v1/projects/${projectId}/endpoints`;
  const events = () => `/api/v1/projects/${projectId}/events`;

  it('refuses a body without a valid key before reading it (401, connection closed)', async () => {
    const gzip = gzipSync(Buffer.alloc(8 * 1024 * 1024, 'a'));
    for (const key of [null, 'not-a-key', 'CO.abcdefghijklmnop.qrstuvwxyz0123456789']) {
      const response = await api.request('POST', endpoints(), {
        key,
        rawBody: gzip,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('connection')).toBe('close');
    }
  });

  it('does not inflate compressed bodies (415)', async () => {
    const response = await api.request('POST', endpoints(), {
      key: apiKey,
      rawBody: gzipSync(JSON.stringify({ name: 'x', url: 'https://example.com' })),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(415);
    expect(response.body.status).toBe(false);
  });

  it('keeps the large limit for event routes only; an oversized declared length is a 413 at once', async () => {
    const big = JSON.stringify({ name: 'x', url: 'https://example.com', description: 'd'.repeat(MAX_BODY_BYTES) });
    const refused = await api.request('POST', endpoints(), {
      key: apiKey,
      rawBody: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(413);
    // The same size is read on an event route (and refused there only by the DTO, not the parser).
    const event = await api.request('POST', events(), {
      key: apiKey,
      rawBody: JSON.stringify({ event_type: 'x', data: { d: 'd'.repeat(MAX_BODY_BYTES) } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(event.status).not.toBe(413);
    // A declared Content-Length far over the limit: answered before any of the body is sent.
    const answer = await rawExchange(
      api.url,
      `POST ${endpoints()} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${10 * MAX_BODY_BYTES}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('connection: close');
  });

  it.each([
    ['an array', '[' + '1,'.repeat(100_000) + '1]', /must be a JSON object/],
    ['10,000 levels of nesting', '{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}', /deeper than 64 levels/],
    ['30,000 unknown keys', wideObject(30_000), /has 30000 fields, more than 200/],
    ['100,000 nested members', JSON.stringify({ name: 'x', tags: Array(100_000).fill(1) }), /more than 20000 keys/],
  ])('refuses %s quickly with a 400 naming the body', async (_name, body, message) => {
    const started = Date.now();
    const response = await api.request('POST', endpoints(), {
      key: apiKey,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'body' })]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reads an array only on Convoy's bulk filter routes, under the same bounds", async () => {
    const bulk = endpoints().replace(/endpoints$/, 'subscriptions/unknown/filters/bulk');
    const send = (path: string, body: string) =>
      api.request('POST', path, { key: apiKey, rawBody: body, headers: { 'content-type': 'application/json' } });
    // Past the shape check: the route answers (no such subscription) instead of the shape 400.
    expect((await send(bulk, '[{"event_type":"x"}]')).status).toBe(404);
    const huge = await send(bulk, '[' + '{},'.repeat(100_000) + '{}]');
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(/more than 200/);
  });

  it.each(['"x"', 'null', '5'])('refuses the JSON primitive %s with a 400', async (body) => {
    const response = await api.request('POST', endpoints(), {
      key: apiKey,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.status).toBe(false);
  });

  it('lists at most 20 field errors and says how many more there were', async () => {
    const body: Record<string, number> = {};
    for (let i = 0; i < 150; i++) body[`unknown_${i}`] = i;
    const response = await api.request('POST', `/api/v1/projects/${projectId}/subscriptions`, {
      key: apiKey,
      body: { ...body, name: 5, endpoint_id: 5 },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.length).toBeLessThanOrEqual(MAX_REPORTED_ERRORS);
    expect(JSON.stringify(response.body).length).toBeLessThan(10_000);
  });

  it("sets header, request and idle timeouts far below Node's 300 s default", async () => {
    const server = api.app.getHttpServer();
    expect(server.headersTimeout).toBeLessThanOrEqual(10_000);
    expect(server.requestTimeout).toBeLessThanOrEqual(60_000);
    expect(server.timeout).toBeLessThanOrEqual(30_000);
  });
});

function wideObject(keys: number): string {
  const parts: string[] = [];
  for (let i = 0; i < keys; i++) parts.push(`"k${i}":1`);
  return `{${parts.join(',')}}`;
}

/** Writes `request` on a raw socket and returns what the server answers before closing. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no answer; got ${JSON.stringify(answer)}`)));
  });
}

describe('text Postgres cannot store: a 400 naming the field', () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;
  let projectId: string;
  let apiKey: string;

  beforeAll(async () => {
    api = await startApiHarness();
    ({ projectId, apiKey } = await api.createProject());
  });

  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ['a NUL in a string', '{"name":"a\\u0000b","url":"https://example.com"}', 'name'],
    ['a lone surrogate in a string', '{"name":"a\\ud800b","url":"https://example.com"}', 'name'],
    [
      'a NUL deep in a jsonb field',
      '{"name":"x","url":"https://example.com","metadata":{"k":["\\u0000"]}}',
      'metadata.k[0]',
    ],
    ['a NUL in a key', '{"name":"x","url":"https://example.com","metadata":{"a\\u0000":1}}', 'metadata'],
  ])('refuses %s in a body', async (_name, body, field) => {
    const response = await api.request('POST', `/api/v1/projects/${projectId}/endpoints`, {
      key: apiKey,
      rawBody: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
  });

  it.each([
    `/api/v1/projects/${'%00'}/endpoints`,
    '/api/v1/projects/PROJECT/endpoints/a%00b',
    '/api/v1/projects/PROJECT/endpoints?q=%00',
    '/api/v1/projects/PROJECT/endpoints?q=%ED%A0%80',
    '/api/v1/projects/PROJECT/events?query=%FF',
    '/ingest/%00',
  ])('refuses %s with a 400 naming the url', async (path) => {
    const response = await api.request('GET', path.replace('PROJECT', projectId), { key: apiKey });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'url' })]);
  });
});
