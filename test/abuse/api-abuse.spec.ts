/**
 * The abuse tier: hostile input over every served route of the built api, at a small size
 * (CARAVAN_ABUSE_RUNS per route, default 6). Asserts no 5xx, /healthz answering within 1 s
 * throughout, the cross-tenant matrix (another project's key → 403, another project's ids →
 * 404 on every route that takes one, that project's rows unchanged) and reports requests, statuses, max /healthz latency and the api's peak RSS.
 * The SSRF forms are checked against the guard in libs/domain/src/lib/ssrf-guard.spec.ts.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { DeliveryStatus, newId, RetryStrategyType } from '@caravan/domain';
import { DeliveryAttemptsRepository, EventDeliveriesRepository, MetaEventsRepository } from '@caravan/persistence';
import { createTestDatabase, ServiceProcess, spawnService, TestDatabase } from '@caravan/testing';
import { freePort, isolatedKafkaEnv } from '../dispatcher/support/dispatcher-harness';

const ADMIN_KEY = 'abuse-admin-key-0123456789abcdefghijklmnop';
const RUNS = Number(process.env['CARAVAN_ABUSE_RUNS'] ?? 6);

/** Percent-encodes, sending an unpaired surrogate as the bytes a hostile client would (ED A0 80). */
function encode(text: string): string {
  return text
    .split(/([\uD800-\uDFFF])/)
    .map((part) => (/^[\uD800-\uDFFF]$/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

interface Route {
  method: string;
  path: string;
}

describe('abuse tier: hostile input over every served route', () => {
  jest.setTimeout(600_000);
  let database: TestDatabase;
  let api: ServiceProcess;
  const statuses = new Map<number, number>();
  let requests = 0;
  let maxHealthzMs = 0;
  let healthzStalls = 0;
  let polling = true;
  let poller: Promise<void>;
  let routes: Route[] = [];
  const tenants: Record<'a' | 'b' | 'fuzzed', { project: string; key: string; endpoint: string }> = {} as never;

  const call = async (method: string, path: string, key: string | null, body?: string | Buffer) => {
    const headers: Record<string, string> = {};
    if (key) headers['authorization'] = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${api.url}${path}`, { method, headers, body });
    const text = await response.text();
    requests++;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    return { status: response.status, text };
  };

  const peakRssMb = () => {
    const status = readFileSync(`/proc/${api.child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 4 });
    api = spawnService('api', await freePort(), {
      ...isolatedKafkaEnv('abuse'),
      CARAVAN_DATABASE_URL: database.url,
      CARAVAN_DATABASE_POOL_SIZE: '4',
      CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
      CARAVAN_LOG_LEVEL: 'warn',
    });
    await api.waitForReady(60_000);
    for (const name of ['a', 'b', 'fuzzed'] as const) {
      const created = await call('POST', '/api/v1/projects', ADMIN_KEY, JSON.stringify({ name, type: 'outgoing' }));
      const { data } = JSON.parse(created.text);
      const endpoint = await call(
        'POST',
        `/api/v1/projects/${data.project.uid}/endpoints`,
        data.api_key.key,
        JSON.stringify({ name: 'e', url: 'https://example.com/hook' }),
      );
      tenants[name] = {
        project: data.project.uid,
        key: data.api_key.key,
        endpoint: JSON.parse(endpoint.text).data.uid,
      };
    }
    const document = JSON.parse((await call('GET', '/api/v1/openapi.json', null)).text);
    routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
    );
    poller = (async () => {
      while (polling) {
        const started = performance.now();
        const response = await fetch(`${api.url}/healthz`).catch(() => undefined);
        const took = performance.now() - started;
        maxHealthzMs = Math.max(maxHealthzMs, took);
        if (!response?.ok || took > 1_000) healthzStalls++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  });

  afterAll(async () => {
    polling = false;
    await poller;
    if (api) {
      const figures = {
        requests,
        statuses: Object.fromEntries([...statuses.entries()].sort(([x], [y]) => x - y)),
        maxHealthzMs: Math.round(maxHealthzMs),
        peakRssMb: Math.round(peakRssMb()),
      };
      process.stdout.write(`abuse tier figures: ${JSON.stringify(figures)}\n`);
      await api.stop();
    }
    await database?.drop();
  });

  const fill = (path: string, ids: Record<string, string>) =>
    path.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(ids[name] ?? 'does-not-exist'));

  const hostileString = fc.oneof(
    fc.string(),
    fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff x', '2024-W01-1', '../../etc', '%00', '{"$gt":""}'),
  );
  const hostileValue = fc.oneof(
    hostileString,
    fc.constantFrom(null, true, -1, 1e308, [] as unknown[], {} as object),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const hostileBody = fc.oneof(
    fc.dictionary(
      fc.constantFrom(
        'name',
        'url',
        'description',
        'http_timeout',
        'endpoint_id',
        'event_type',
        'data',
        'filter_config',
        'type',
        'config',
      ),
      hostileValue,
    ),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('[' + '['.repeat(5_000) + ']'.repeat(5_000) + ']', '{"a":', 'null', '"x"'),
  );

  it('answers every route with hostile ids, queries and bodies without a 5xx', async () => {
    // Its own project: the fuzz may delete it or revoke its key, which must not skew the matrix.
    const a = tenants.fuzzed;
    // Deleting the project ends every later call with a 401: fuzz that route last.
    const deletesProject = (route: Route) => route.method === 'DELETE' && route.path === '/api/v1/projects/{projectID}';
    const ordered = [...routes.filter((route) => !deletesProject(route)), ...routes.filter(deletesProject)];
    for (const route of ordered) {
      await fc.assert(
        fc.asyncProperty(hostileString, hostileString, hostileBody, async (id, query, body) => {
          const path = fill(route.path, { projectID: a.project }).replace(/does-not-exist/g, encode(id));
          const text = typeof body === 'string' ? body : JSON.stringify(body);
          const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
          const { status, text: answer } = await call(
            route.method,
            `${path}?q=${encode(query)}&perPage=${encode(query)}`,
            a.key,
            hasBody ? text : undefined,
          );
          if (status >= 500)
            throw new Error(
              `${route.method} ${path} → ${status}: ${answer.slice(0, 300)} (body ${text.slice(0, 200)})`,
            );
        }),
        { numRuns: RUNS },
      );
    }
    expect(requests).toBeGreaterThan(routes.length * RUNS);
  });

  it("refuses another project's key (403) and another project's ids (404) on every project route", async () => {
    const { a, b } = tenants;
    const projectRoutes = routes.filter((route) => route.path.includes('{projectID}'));
    expect(projectRoutes.length).toBeGreaterThan(20);
    for (const route of projectRoutes) {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}';
      const foreignKey = await call(
        route.method,
        fill(route.path, { projectID: b.project, endpointID: b.endpoint }),
        a.key,
        body,
      );
      expect([route.method, route.path, foreignKey.status]).toEqual([route.method, route.path, 403]);
      if (route.path.includes('{endpointID}')) {
        const foreignId = await call(
          route.method,
          fill(route.path, { projectID: a.project, endpointID: b.endpoint }),
          a.key,
          body,
        );
        // A body route may refuse the empty body first (400); none may act on the foreign id.
        const expected = body === undefined ? [404] : [400, 404];
        expect([route.method, route.path, expected.includes(foreignId.status)]).toEqual([
          route.method,
          route.path,
          true,
        ]);
      }
    }
  });

  /** Every row of a project, table by table (every table with a project_id), for before/after comparison. */
  async function rowsOf(projectId: string): Promise<Record<string, unknown[]>> {
    const tables: Array<{ table_name: string }> = await database.dataSource.query(
      `SELECT table_name FROM information_schema.columns
        WHERE column_name = 'project_id' AND table_schema = 'public' ORDER BY table_name`,
    );
    const rows: Record<string, unknown[]> = {};
    for (const { table_name: table } of tables) {
      rows[table] = await database.dataSource.query(`SELECT * FROM "${table}" WHERE project_id = $1 ORDER BY 1`, [
        projectId,
      ]);
    }
    const [project] = await database.dataSource.query('SELECT * FROM projects WHERE id = $1', [projectId]);
    return { ...rows, projects: [project] };
  }

  /** One resource of every kind in project B, made through B's own key (and, for what only the dispatcher writes, its repositories). */
  async function resourcesOfB(): Promise<Record<string, string>> {
    const { b } = tenants;
    const make = async (path: string, body: unknown, key = b.key) => {
      const response = await call('POST', `/api/v1/projects/${b.project}${path}`, key, JSON.stringify(body));
      if (response.status >= 300) throw new Error(`B's ${path}: ${response.status} ${response.text}`);
      return JSON.parse(response.text).data;
    };
    const subscription = await make('/subscriptions', { name: 'b-sub', endpoint_id: b.endpoint });
    const source = await make('/sources', { name: 'b-src', type: 'http', verifier: { type: 'noop' } });
    const event = await make('/events', { endpoint_id: b.endpoint, event_type: 'b.created', data: { b: 1 } });
    const filter = await make(`/subscriptions/${subscription.uid}/filters`, { event_type: 'b.created' });
    const eventType = await make('/event-types', { name: 'b.created' });
    const portalLink = await make('/portal-links', { name: 'b-link', endpoints: [b.endpoint] });
    const key = await make('/keys', { name: 'b-key' });
    const [delivery] = await new EventDeliveriesRepository(database.dataSource).insertScheduled([
      {
        id: newId(),
        projectId: b.project,
        eventId: event.uid,
        endpointId: b.endpoint,
        subscriptionId: subscription.uid,
        eventType: 'b.created',
        status: DeliveryStatus.Failure,
        description: 'b',
        attempts: 1,
        retryLimit: 1,
        strategy: RetryStrategyType.Linear,
        intervalSeconds: 10,
        nextSendTime: new Date(Date.now() + 3_600_000),
      },
    ]);
    const [attempt] = await new DeliveryAttemptsRepository(database.dataSource).insertMany([
      {
        projectId: b.project,
        eventDeliveryId: delivery,
        endpointId: b.endpoint,
        url: 'https://example.com/hook',
        method: 'POST',
        ipAddress: '93.184.216.34:443',
        requestHttpHeader: {},
        responseHttpHeader: {},
        httpStatus: 500,
        responseData: 'no',
        error: null,
        success: false,
        latencyMs: 1,
      },
    ]);
    const metaEvent = await new MetaEventsRepository(database.dataSource).insert({
      projectId: b.project,
      eventType: 'endpoint.created',
      payload: Buffer.from('{"event_type":"endpoint.created","data":{}}'),
      retryLimit: 1,
      status: 'Failure' as never,
    });
    return {
      endpointID: b.endpoint,
      subscriptionID: subscription.uid,
      sourceID: source.uid,
      eventID: event.uid,
      filterID: filter.uid,
      eventTypeId: eventType.uid,
      eventTypeID: eventType.uid,
      portalLinkID: portalLink.uid,
      keyID: key.uid,
      eventDeliveryID: delivery,
      attemptID: attempt,
      metaEventID: metaEvent.id,
      eventType: 'b.created',
    };
  }

  it("refuses project B's resource ids to project A's key on every route that takes one (404), B's rows unchanged", async () => {
    const { a, b } = tenants;
    const ids = await resourcesOfB();
    const before = await rowsOf(b.project);
    // A body every route accepts (unknown fields are ignored), so only the foreign id can refuse it.
    const body = JSON.stringify({
      name: 'from-a',
      url: 'https://example.com/from-a',
      type: 'http',
      verifier: { type: 'noop' },
      endpoint_id: a.endpoint,
      event_type: 'a.created',
      expiration: 3600,
      endpoints: [a.endpoint],
    });
    const arrayBody = JSON.stringify([{ uid: ids['filterID'], event_type: 'a.created' }]);
    const idRoutes = routes.filter(
      (route) => route.path.includes('{projectID}') && /\{(?!projectID\})\w+\}/.test(route.path),
    );
    expect(idRoutes.length).toBeGreaterThan(30);
    const unexpected: string[] = [];
    for (const route of idRoutes) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((name) => name !== 'projectID');
      const missing = names.filter((name) => ids[name] === undefined);
      if (missing.length > 0) throw new Error(`${route.method} ${route.path}: no B resource for ${missing.join(', ')}`);
      const path = fill(route.path, { ...ids, projectID: a.project });
      const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
      const answer = await call(
        route.method,
        path,
        a.key,
        hasBody ? (/bulk/.test(route.path) ? arrayBody : body) : undefined,
      );
      if (answer.status !== 404)
        unexpected.push(`${route.method} ${route.path} → ${answer.status}: ${answer.text.slice(0, 160)}`);
    }
    expect(unexpected).toEqual([]);

    // Foreign ids inside bodies: refused (4xx) and nothing of B's touched.
    const bodyIds: Array<[string, string, unknown]> = [
      ['POST', '/subscriptions', { name: 'x', endpoint_id: ids['endpointID'] }],
      ['POST', '/subscriptions', { name: 'x', endpoint_id: a.endpoint, source_id: ids['sourceID'] }],
      ['POST', '/events', { endpoint_id: ids['endpointID'], event_type: 'x', data: {} }],
      ['POST', '/portal-links', { name: 'x', endpoints: [ids['endpointID']] }],
      ['POST', '/eventdeliveries/forceresend', { ids: [ids['eventDeliveryID']] }],
    ];
    for (const [method, path, payload] of bodyIds) {
      const answer = await call(method, `/api/v1/projects/${a.project}${path}`, a.key, JSON.stringify(payload));
      const acted = answer.status < 300 && /"num_success":[1-9]/.test(answer.text);
      if (answer.status >= 500 || (answer.status < 300 && (path !== '/eventdeliveries/forceresend' || acted)))
        unexpected.push(`${method} ${path} with B's id in the body → ${answer.status}: ${answer.text.slice(0, 160)}`);
    }
    expect(unexpected).toEqual([]);
    expect(await rowsOf(b.project)).toEqual(before);
  });

  it('kept /healthz answering within 1 s and the api under 300 MB RSS', () => {
    expect(healthzStalls).toBe(0);
    expect(maxHealthzMs).toBeLessThan(1_000);
    expect(peakRssMb()).toBeLessThan(300);
  });
});
