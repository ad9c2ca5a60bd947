import { ApiHarness, startApiHarness } from '../../testing/api-harness';

/**
 * Request limits over HTTP against the real Postgres: per project on the REST API, per source
 * on /ingest, never on health, readiness or metrics. The windows are a day long so a test
 * never straddles two of them.
 */
describe('request limits (HTTP, real Postgres)', () => {
  jest.setTimeout(90_000);
  const API_LIMIT = 5;
  const INGEST_LIMIT = 3;
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness({
      CARAVAN_API_RATE_LIMIT: String(API_LIMIT),
      CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS: '86400',
      CARAVAN_INGEST_RATE_LIMIT: String(INGEST_LIMIT),
      CARAVAN_INGEST_RATE_LIMIT_WINDOW_SECONDS: '86400',
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  const listEndpoints = (projectId: string, key: string) =>
    api.request('GET', `/api/v1/projects/${projectId}/endpoints`, { key });

  it("lets N requests of a project through and answers the N+1th 429 with Retry-After, in Convoy's envelope", async () => {
    const { projectId, apiKey } = await api.createProject();
    for (let i = 0; i < API_LIMIT; i++) expect((await listEndpoints(projectId, apiKey)).status).toBe(200);

    const refused = await listEndpoints(projectId, apiKey);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ status: false, message: expect.stringContaining(`project ${projectId}`) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    // Every route of the project shares the budget, writes included.
    const write = await api.request('POST', `/api/v1/projects/${projectId}/endpoints`, {
      key: apiKey,
      body: { name: 'x', url: 'https://example.com/x' },
    });
    expect(write.status).toBe(429);
  });

  it('counts each project on its own: one project at its limit leaves another untouched', async () => {
    const busy = await api.createProject();
    const quiet = await api.createProject();
    for (let i = 0; i <= API_LIMIT; i++) await listEndpoints(busy.projectId, busy.apiKey);
    expect((await listEndpoints(busy.projectId, busy.apiKey)).status).toBe(429);
    expect((await listEndpoints(quiet.projectId, quiet.apiKey)).status).toBe(200);
  });

  it('refuses another project’s key with 403 without spending the target project’s budget', async () => {
    const target = await api.createProject();
    const intruder = await api.createProject();
    for (let i = 0; i < API_LIMIT + 2; i++) {
      expect((await listEndpoints(target.projectId, intruder.apiKey)).status).toBe(403);
    }
    expect((await listEndpoints(target.projectId, target.apiKey)).status).toBe(200);
  });

  it('stays exact under concurrency: of 3N simultaneous requests exactly N pass', async () => {
    const { projectId, apiKey } = await api.createProject();
    const statuses = await Promise.all(
      Array.from({ length: 3 * API_LIMIT }, () => listEndpoints(projectId, apiKey).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(API_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2 * API_LIMIT);
  });

  it('never limits /healthz, /readyz or /metrics', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      for (let i = 0; i < API_LIMIT + 2; i++) {
        const response = await fetch(`${api.url}${path}`);
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    }
  });

  it('limits /ingest per source: the N+1th webhook of a source is a 429, another source still accepts', async () => {
    const { projectId, apiKey } = await api.createProject('incoming');
    const createSource = async (name: string) => {
      const response = await api.request('POST', `/api/v1/projects/${projectId}/sources`, {
        key: apiKey,
        body: { name, type: 'http', verifier: { type: 'noop' } },
      });
      expect(response.status).toBe(201);
      return response.body.data as { uid: string; mask_id: string };
    };
    const first = await createSource('first');
    const second = await createSource('second');
    const ingest = (maskId: string) =>
      api.request('POST', `/ingest/${maskId}`, {
        key: null,
        rawBody: '{"n":1}',
        headers: { 'content-type': 'application/json' },
      });

    for (let i = 0; i < INGEST_LIMIT; i++) expect((await ingest(first.mask_id)).status).toBe(200);
    const refused = await ingest(first.mask_id);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ status: false, message: expect.stringContaining(`source ${first.uid}`) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await ingest(second.mask_id)).status).toBe(200);

    const events = await api.database.dataSource.query('SELECT count(*)::int AS n FROM events WHERE source_id = $1', [
      first.uid,
    ]);
    expect(events[0].n).toBe(INGEST_LIMIT);
  });

  it('counts refusals in caravan_api_rate_limited_requests_total by scope', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toMatch(/caravan_api_rate_limited_requests_total\{[^}]*scope="api"[^}]*\} [1-9]/);
    expect(text).toMatch(/caravan_api_rate_limited_requests_total\{[^}]*scope="ingest"[^}]*\} [1-9]/);
  });
});
