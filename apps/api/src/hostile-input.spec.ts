import { ConsoleLogger } from '@nestjs/common';
import { connect } from 'node:net';
import { eventually } from '@caravan/testing';
import { VerifierType } from '@caravan/domain';
import { EventFixtures } from './testing/event-fixtures.helper';
import { ADMIN_KEY, ApiHarness, startApiHarness } from './testing/api-harness';
import { servedRoutes } from './testing/served-routes';

/**
 * Ordinary bad input that once reached a handler as a 500 (issue: hardening against hostile
 * input): each is a 4xx naming the field, or is read as Convoy reads it. HTTP against the real
 * api, Postgres and Kafka.
 */
describe('hostile input is a 4xx naming the field, never a 500', () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;

  const logged: Array<{ level: string; message: string }> = [];

  beforeAll(async () => {
    api = await startApiHarness();
    // A real logger that also keeps what it is given, so the level of a line can be checked.
    class KeepingLogger extends ConsoleLogger {
      override error(message: unknown): void {
        logged.push({ level: 'error', message: String(message) });
      }
      override debug(message: unknown): void {
        logged.push({ level: 'debug', message: String(message) });
      }
    }
    api.app.useLogger(new KeepingLogger('api', { logLevels: ['error', 'fatal', 'debug'] }));
  });

  afterAll(async () => {
    await api?.close();
  });

  async function project() {
    const created = await api.createProject('outgoing');
    const call = (method: string, path: string, body?: unknown, key = created.apiKey) =>
      api.request(method, `/api/v1/projects/${created.projectId}${path}`, { key, body });
    return { ...created, call };
  }

  describe('test_filter sample headers', () => {
    it.each([
      ['a number', { 'X-Tenant': 5 }, ['request.header ', 'X-Tenant']],
      ['an object', { 'X-Tenant': { a: 1 } }, ['request.header ', 'X-Tenant']],
      ['an array holding a number', { 'X-Tenant': ['a', 2] }, ['request.header ', 'X-Tenant']],
      ['not an object', 'X-Tenant: a', ['request.header ']],
    ])('refuses %s as a header value with a 400 naming it', async (_name, header, named) => {
      const { call } = await project();
      const response = await call('POST', '/subscriptions/test_filter', {
        request: { body: {}, header },
        schema: { header: { 'X-Tenant': 'a' } },
      });
      expect(response.status).toBe(400);
      for (const part of named) expect(response.body.message).toContain(part);
    });

    it('still matches string and array header values', async () => {
      const { call } = await project();
      const response = await call('POST', '/subscriptions/test_filter', {
        request: { body: {}, header: { 'X-Tenant': ['a'], 'X-Other': 'b' } },
        schema: { header: { 'x-tenant': 'a', 'x-other': 'b' } },
      });
      expect([response.status, response.body.data]).toEqual([200, true]);
    });
  });

  describe('the admin key with a project id that does not exist', () => {
    it('is a 404 on every route that takes a project id, and nothing is written', async () => {
      const missing = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
      const routes = servedRoutes(api.app).filter((route) => route.includes('{projectID}'));
      expect(routes.length).toBeGreaterThan(40);
      const answers: string[] = [];
      for (const route of routes) {
        const [method, template] = route.split(' ');
        const path = template.replace(/\{projectID\}/, missing).replace(/\{\w+\}/g, 'some-id');
        const body =
          method === 'GET' || method === 'DELETE'
            ? undefined
            : { name: 'x', type: 'http', url: 'https://example.com/hook', event_type: 'x', data: {} };
        const response = await api.request(method, path, { body });
        answers.push(`${route} → ${response.status}`);
      }
      expect(answers.filter((answer) => !answer.endsWith('→ 404'))).toEqual([]);
      const rows = await api.database.dataSource.query('SELECT count(*)::int AS n FROM sources WHERE project_id = $1', [
        missing,
      ]);
      expect(rows[0].n).toBe(0);
    });

    it('still serves a project that exists', async () => {
      const { projectId } = await project();
      const response = await api.request('POST', `/api/v1/projects/${projectId}/sources`, {
        body: { name: 'by admin', type: 'http', verifier: { type: 'noop' } },
      });
      expect(response.status).toBe(201);
    });
  });

  describe('ISO 8601 dates are read in every form, or refused naming the field', () => {
    const listRoutes = ['/events', '/eventdeliveries', '/meta-events', '/statistics/deliveries?period=day'];

    it.each(['2024-W01-1', '2024-001', '20240101T000000Z', '2024-01-01T00:00:00,000Z', '2024-01-01 00:00:00'])(
      'reads startDate=%s on every list',
      async (date) => {
        const { call } = await project();
        for (const route of listRoutes) {
          const response = await call(
            'GET',
            `${route}${route.includes('?') ? '&' : '?'}startDate=${encodeURIComponent(date)}`,
          );
          expect([route, response.status]).toEqual([route, 200]);
        }
      },
    );

    it.each(['2024-W53-1', '2024-02-30', '2024-13-01', 'yesterday'])(
      'refuses %s as startDate and endDate with a 400 naming the field',
      async (date) => {
        const { call } = await project();
        for (const route of listRoutes) {
          for (const field of ['startDate', 'endDate']) {
            const response = await call(
              'GET',
              `${route}${route.includes('?') ? '&' : '?'}${field}=${encodeURIComponent(date)}`,
            );
            expect([route, response.status]).toEqual([route, 400]);
            expect(response.body.message).toContain(field);
          }
        }
      },
    );

    it('reads a week date as acknowledged_at of a broadcast event, and refuses one that does not exist', async () => {
      const { call } = await project();
      const accepted = await call('POST', '/events/broadcast', {
        event_type: 'x.created',
        data: {},
        acknowledged_at: '2024-W01-2',
      });
      expect(accepted.status).toBe(201);
      expect(new Date(accepted.body.data.acknowledged_at).toISOString()).toBe('2024-01-02T00:00:00.000Z');
      const refused = await call('POST', '/events/broadcast', {
        event_type: 'x.created',
        data: {},
        acknowledged_at: '2024-W53-1',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('acknowledged_at');
    });

    it('narrows a list by a week-date range', async () => {
      const { call } = await project();
      const week = await call('GET', `/events?startDate=2024-W01-1&endDate=2024-W01-7`);
      expect(week.status).toBe(200);
      expect(week.body.data.content).toEqual([]);
      await call('POST', '/events/broadcast', { event_type: 'x.created', data: {} });
      const thisYear = new Date().getUTCFullYear();
      const all = await call('GET', `/events?startDate=${thisYear}-001`);
      expect(all.body.data.content).toHaveLength(1);
    });
  });

  describe('null, as Go reads it into a plain field: not set', () => {
    it('creates an endpoint with null http_timeout and description (defaults), and refuses a null url naming it', async () => {
      const { call } = await project();
      const created = await call('POST', '/endpoints', {
        name: 'nulls',
        url: 'https://example.com/hook',
        http_timeout: null,
        description: null,
      });
      expect(created.status).toBe(201);
      expect(created.body.data.description).toBe('');
      expect(created.body.data.http_timeout).toBeGreaterThan(0);
      const noUrl = await call('POST', '/endpoints', { name: 'nulls', url: null });
      expect(noUrl.status).toBe(400);
      expect(noUrl.body.message).toContain('url');
    });

    it('leaves url, http_timeout and description as they were when an update sends null', async () => {
      const { call } = await project();
      const created = await call('POST', '/endpoints', {
        name: 'kept',
        url: 'https://example.com/kept',
        http_timeout: 7,
        description: 'kept',
      });
      const updated = await call('PUT', `/endpoints/${created.body.data.uid}`, {
        name: 'kept',
        url: null,
        http_timeout: null,
        description: null,
      });
      expect(updated.status).toBe(202);
      expect(updated.body.data).toMatchObject({
        url: 'https://example.com/kept',
        http_timeout: 7,
        description: 'kept',
      });
    });

    it('creates and updates a source with null idempotency_keys and forward_headers (none)', async () => {
      const { call } = await project();
      const created = await call('POST', '/sources', {
        name: 'nulls',
        type: 'http',
        verifier: { type: 'noop' },
        idempotency_keys: null,
        forward_headers: null,
      });
      expect(created.status).toBe(201);
      const updated = await call('PUT', `/sources/${created.body.data.uid}`, {
        name: 'nulls',
        type: 'http',
        verifier: { type: 'noop' },
        idempotency_keys: null,
        forward_headers: null,
      });
      expect(updated.status).toBe(202);
    });
  });

  describe('an upload the client abandons mid-body', () => {
    /** Sends the headers and half of a declared body, then hangs up. */
    function abandonUpload(path: string, headers: Record<string, string>): Promise<void> {
      const { hostname, port } = new URL(api.url);
      return new Promise((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          const head = Object.entries({ ...headers, 'content-length': '200000', host: hostname })
            .map(([name, value]) => `${name}: ${value}`)
            .join('\r\n');
          socket.write(
            `POST ${path} HTTP/1.1\r\n${head}\r\n\r\n{"event_type":"x","data":{"pad":"${'a'.repeat(50_000)}`,
          );
          // Give the server the half body before the connection goes.
          setTimeout(() => socket.destroy(), 200);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
    }

    it('is logged at debug as a client abort, never as an internal error, and counted as no 500', async () => {
      const { projectId, apiKey } = await api.createProject('outgoing');
      const incoming = await api.createProject('incoming');
      const source = await new EventFixtures(api.app).source(incoming.projectId, { type: VerifierType.Noop });
      logged.length = 0;
      await abandonUpload(`/api/v1/projects/${projectId}/events`, {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
      });
      await abandonUpload(`/ingest/${source.maskId}`, { 'content-type': 'application/json' });
      const aborts = await eventually(
        async () => logged.filter((line) => line.message.includes('closed the connection mid-request')),
        (lines) => lines.length === 2,
      );
      expect(aborts.map((line) => line.level)).toEqual(['debug', 'debug']);
      expect(logged.filter((line) => line.level === 'error')).toEqual([]);
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).not.toMatch(/caravan_http_requests_total\{[^}]*status="5\d\d"/);
      // The api goes on serving.
      expect((await api.request('GET', `/api/v1/projects/${projectId}`, { key: ADMIN_KEY })).status).toBe(200);
    });
  });
});
