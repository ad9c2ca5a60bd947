import {
  createTestDatabase,
  eventually,
  LogLine,
  logLineMatches,
  ServiceProcess,
  spawnService,
  TestDatabase,
} from '@caravan/testing';
import { FAST_DISPATCHER_ENV, freePort, isolatedKafkaEnv } from '../dispatcher/support/dispatcher-harness';
import { WebhookReceiver } from '../dispatcher/support/webhook-receiver';

const ADMIN_KEY = 'structured-logs-admin-key-0123456789abcdef';
const ENDPOINT_SECRET = 'endpoint-secret-9f3a1c7e5b2d4f6a8c0e';
const ENDPOINT_AUTH_VALUE = 'endpoint-auth-header-7d2b9e4c1a6f';

/**
 * The api and the dispatcher (production bundles, JSON logs at `log` level) against real
 * Postgres and Kafka: what an operator reads in their logs. A delivery that fails is one line
 * with the project, event, delivery and endpoint ids as fields; the api key and the endpoint's
 * secrets never appear; probes and scrapes leave no line.
 */
describe('structured logs of the running services', () => {
  jest.setTimeout(180_000);
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  const services: Partial<Record<'api' | 'dispatcher', ServiceProcess>> = {};
  let apiKey = '';
  let projectId = '';
  let endpointId = '';
  let eventId = '';

  const output = () => `${services.api?.output() ?? ''}\n${services.dispatcher?.output() ?? ''}`;
  const lines = (service: 'api' | 'dispatcher'): LogLine[] => services[service]?.logLines() ?? [];

  async function call(method: string, path: string, key: string, body?: unknown) {
    const response = await fetch(`${services.api?.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}\n${output()}`);
    return (JSON.parse(text) as { data: any }).data;
  }

  async function logged(service: 'api' | 'dispatcher', fields: Record<string, unknown>): Promise<LogLine> {
    const seen = await eventually(
      async () => lines(service).find((line) => logLineMatches(line, fields)),
      (line) => line !== undefined,
      60_000,
    );
    if (!seen) throw new Error(`${service} never logged ${JSON.stringify(fields)}:\n${output()}`);
    return seen;
  }

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 2 });
    receiver = await WebhookReceiver.start();
    receiver.script('/fail', { status: 500 });
    const env = {
      ...FAST_DISPATCHER_ENV,
      ...isolatedKafkaEnv('structured-logs'),
      CARAVAN_DATABASE_URL: database.url,
      CARAVAN_DATABASE_POOL_SIZE: '4',
      CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
      CARAVAN_LOG_LEVEL: 'log',
      CARAVAN_LOG_FORMAT: 'json',
    };
    // The dispatcher first: it creates the Caravan topics, so the api does not race for them.
    services.dispatcher = spawnService('dispatcher', await freePort(), env);
    await services.dispatcher.waitForReady(60_000);
    services.api = spawnService('api', await freePort(), env);
    await services.api.waitForReady(60_000);

    const created = await call('POST', '/api/v1/projects', ADMIN_KEY, {
      name: 'structured-logs',
      type: 'outgoing',
      config: { strategy: { type: 'linear', duration: 1, retry_count: 1 } },
    });
    projectId = created.project.uid;
    apiKey = created.api_key.key;
    const base = `/api/v1/projects/${projectId}`;
    const endpoint = await call('POST', `${base}/endpoints`, apiKey, {
      name: 'failing',
      url: receiver.url('/fail'),
      secret: ENDPOINT_SECRET,
      authentication: {
        type: 'api_key',
        api_key: { header_name: 'X-Receiver-Key', header_value: ENDPOINT_AUTH_VALUE },
      },
    });
    endpointId = endpoint.uid;
    await call('POST', `${base}/subscriptions`, apiKey, {
      name: 'all',
      endpoint_id: endpointId,
      filter_config: { event_types: ['*'] },
    });
    eventId = (
      await call('POST', `${base}/events`, apiKey, { endpoint_id: endpointId, event_type: 'log.test', data: {} })
    ).uid;
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((service) => service?.stop('SIGTERM')));
    await receiver?.stop();
    await database?.drop();
  });

  it('logs a failed delivery with its project, event, delivery and endpoint ids as fields', async () => {
    const failure = await logged('dispatcher', {
      msg: /^delivery (attempt )?failed/,
      event_id: eventId,
    });
    const [delivery] = await database.dataSource.query('SELECT id FROM event_deliveries WHERE event_id = $1', [
      eventId,
    ]);
    expect(failure).toMatchObject({
      service: 'dispatcher',
      level: expect.stringMatching(/^(info|warn)$/),
      project_id: projectId,
      event_id: eventId,
      delivery_id: delivery.id,
      endpoint_id: endpointId,
      http_status: 500,
    });
    // The ids are fields, not part of the message.
    expect(failure.msg).not.toContain(eventId);
    expect(failure.msg).not.toContain(delivery.id);
  });

  it('logs each api request with method, route, status, latency and project', async () => {
    const line = await logged('api', { msg: 'request completed', route: '/api/v1/projects/:projectID/events' });
    expect(line).toMatchObject({
      service: 'api',
      level: 'info',
      method: 'POST',
      status: 201,
      project_id: projectId,
      duration_ms: expect.any(Number),
    });
  });

  it('never writes the api key or the endpoint secrets', async () => {
    // A failed request too: the key in its Authorization header is still not logged.
    const missing = await fetch(`${services.api?.url}/api/v1/projects/${projectId}/endpoints/nope`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(missing.status).toBe(404);
    await logged('api', { msg: 'request completed', status: 404, project_id: projectId });
    const everything = output();
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain(apiKey.split('.').pop());
    expect(everything).not.toContain(ADMIN_KEY);
    expect(everything).not.toContain(ENDPOINT_SECRET);
    expect(everything).not.toContain(ENDPOINT_AUTH_VALUE);
  });

  it('leaves no line for /healthz, /readyz and /metrics', async () => {
    for (const service of [services.api, services.dispatcher]) {
      for (const path of ['/healthz', '/readyz', '/metrics', '/healthz?verbose=1']) {
        expect((await fetch(`${service?.url}${path}`)).status).toBe(200);
      }
    }
    // A request that is logged, after the probes: once its line is out, theirs would be too.
    await call('GET', `/api/v1/projects/${projectId}/endpoints`, apiKey);
    await logged('api', { msg: 'request completed', method: 'GET', route: '/api/v1/projects/:projectID/endpoints' });
    for (const service of ['api', 'dispatcher'] as const) {
      const probes = lines(service).filter((line) => /^\/(healthz|readyz|metrics)/.test(String(line['path'] ?? '')));
      expect({ service, probes }).toEqual({ service, probes: [] });
    }
    expect(output()).not.toMatch(/"path":"\/(healthz|readyz|metrics)/);
  });
});
