/**
 * The abuse tier: hostile input over every served route of the built api, at a small size
 * (CARAVAN_ABUSE_RUNS per route, default 6). Asserts no 5xx, /healthz answering within 1 s
 * throughout, the cross-tenant matrix (another project's key → 403, another project's ids →
 * 404) and reports requests, statuses, max /healthz latency and the api's peak RSS.
 * The SSRF forms are checked against the guard in libs/domain/src/lib/ssrf-guard.spec.ts.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
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

  it('kept /healthz answering within 1 s and the api under 300 MB RSS', () => {
    expect(healthzStalls).toBe(0);
    expect(maxHealthzMs).toBeLessThan(1_000);
    expect(peakRssMb()).toBeLessThan(300);
  });
});
