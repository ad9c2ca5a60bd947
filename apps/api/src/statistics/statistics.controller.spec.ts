import { DeliveryStatus } from '@caravan/domain';
import { ApiHarness, startApiHarness } from '../testing/api-harness';
import { EventFixtures } from '../testing/event-fixtures.helper';

const { Success, Failure, Discarded, Retry } = DeliveryStatus;

describe('delivery statistics (HTTP, real Postgres)', () => {
  jest.setTimeout(60_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;

  beforeAll(async () => {
    api = await startApiHarness();
    fixtures = new EventFixtures(api.app);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function world() {
    const { projectId, apiKey } = await api.createProject();
    const a = await fixtures.endpoint(projectId);
    const b = await fixtures.endpoint(projectId);
    const event = await api.request('POST', `/api/v1/projects/${projectId}/events`, {
      key: apiKey,
      body: { endpoint_id: a.id, event_type: 'invoice.paid', data: { amount: 5 } },
    });
    const eventId = event.body.data.uid as string;
    const call = (path: string, key: string = apiKey) =>
      api.request('GET', `/api/v1/projects/${projectId}${path}`, { key });
    /** Sets created_at so the rows land in known periods. */
    const at = (id: string, when: string) =>
      api.database.dataSource.query('UPDATE event_deliveries SET created_at = $2 WHERE id = $1', [id, when]);
    return { projectId, apiKey, a, b, eventId, call, at };
  }

  describe('GET /endpoints/period-failure-rates (Convoy)', () => {
    it('counts success, failure and retried deliveries per endpoint within the range, worst first', async () => {
      const w = await world();
      for (const status of [Success, Success, Success, Failure]) {
        await fixtures.delivery(w.projectId, w.eventId, w.a.id, status, { attempts: status === Failure ? 3 : 1 });
      }
      await fixtures.delivery(w.projectId, w.eventId, w.b.id, Discarded);
      await fixtures.delivery(w.projectId, w.eventId, w.b.id, Failure, { attempts: 2 });
      const old = await fixtures.delivery(w.projectId, w.eventId, w.b.id, Failure);
      await w.at(old, new Date(Date.now() - 30 * 86_400_000).toISOString());

      const response = await w.call(`/endpoints/period-failure-rates?endpointId=${w.a.id}&endpointId=${w.b.id}`);
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual([
        { uid: w.b.id, success_count: 0, failure_count: 2, retry_count: 1, period_failure_rate: 100 },
        { uid: w.a.id, success_count: 3, failure_count: 1, retry_count: 1, period_failure_rate: 25 },
      ]);

      // Without endpointId: every endpoint with deliveries; a range that holds the old one counts it.
      const wide = await w.call(
        `/endpoints/period-failure-rates?startDate=${new Date(Date.now() - 40 * 86_400_000).toISOString()}`,
      );
      expect(wide.body.data.find((row: { uid: string }) => row.uid === w.b.id).failure_count).toBe(3);
    });

    it('answers zeros for an endpoint without deliveries, and names a bad date', async () => {
      const w = await world();
      const response = await w.call(`/endpoints/period-failure-rates?endpointId[]=${w.b.id}`);
      expect(response.body.data).toEqual([
        { uid: w.b.id, success_count: 0, failure_count: 0, retry_count: 0, period_failure_rate: 0 },
      ]);
      const bad = await w.call('/endpoints/period-failure-rates?startDate=yesterday');
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('startDate');
    });

    it('is tenant-scoped: another project sees nothing of it and its key gets 403', async () => {
      const w = await world();
      await fixtures.delivery(w.projectId, w.eventId, w.a.id, Failure);
      const other = await api.createProject();
      const foreign = await api.request('GET', `/api/v1/projects/${other.projectId}/endpoints/period-failure-rates`, {
        key: other.apiKey,
      });
      expect(foreign.body.data).toEqual([]);
      expect((await w.call('/endpoints/period-failure-rates', other.apiKey)).status).toBe(403);
    });
  });

  describe('GET /statistics/deliveries', () => {
    it('counts deliveries by status per period, every period present, with the success rate', async () => {
      const w = await world();
      const base = Date.parse('2026-01-10T10:00:00Z');
      const rows: Array<[DeliveryStatus, number]> = [
        [Success, 0],
        [Success, 10_000],
        [Failure, 30_000],
        [Success, 120_000],
        [Retry, 125_000],
      ];
      for (const [status, offset] of rows) {
        const id = await fixtures.delivery(w.projectId, w.eventId, w.a.id, status);
        await w.at(id, new Date(base + offset).toISOString());
      }
      const response = await w.call(
        `/statistics/deliveries?period=minute&startDate=2026-01-10T10:00:00Z&endDate=2026-01-10T10:04:00Z`,
      );
      expect(response.status).toBe(200);
      const data = response.body.data;
      expect(data.period).toBe('minute');
      expect(data.buckets.map((b: { period_start: string }) => b.period_start)).toEqual([
        '2026-01-10T10:00:00.000Z',
        '2026-01-10T10:01:00.000Z',
        '2026-01-10T10:02:00.000Z',
        '2026-01-10T10:03:00.000Z',
      ]);
      expect(data.buckets.map((b: { counts: Record<string, number> }) => [b.counts.Success, b.counts.Failure])).toEqual(
        [
          [2, 1],
          [0, 0],
          [1, 0],
          [0, 0],
        ],
      );
      expect(data.buckets[2].counts.Retry).toBe(1);
      expect(data.buckets[2].total).toBe(2);
      expect(data.totals).toMatchObject({ Success: 3, Failure: 1, Retry: 1, Discarded: 0 });
      expect(data.success_rate).toBe(75);
    });

    it('refuses a range with too many periods and an unknown period, naming the field', async () => {
      const w = await world();
      const many = await w.call('/statistics/deliveries?period=minute&startDate=2025-01-01T00:00:00Z');
      expect(many.status).toBe(400);
      expect(many.body.errors[0].field).toBe('period');
      const unknown = await w.call('/statistics/deliveries?period=week');
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0].field).toBe('period');
      const reversed = await w.call(
        '/statistics/deliveries?startDate=2026-02-01T00:00:00Z&endDate=2026-01-01T00:00:00Z',
      );
      expect(reversed.status).toBe(400);
    });

    it("never counts another project's deliveries", async () => {
      const w = await world();
      await fixtures.delivery(w.projectId, w.eventId, w.a.id, Success);
      const other = await api.createProject();
      const theirs = await api.request('GET', `/api/v1/projects/${other.projectId}/statistics/deliveries`, {
        key: other.apiKey,
      });
      expect(theirs.body.data.totals.Success).toBe(0);
      const mine = await w.call('/statistics/deliveries');
      expect(mine.body.data.totals.Success).toBe(1);
      expect((await w.call('/statistics/deliveries', other.apiKey)).status).toBe(403);
    });
  });

  it('reads only the covering indexes (index-only scans) on a filled table', async () => {
    const w = await world();
    const other = await world();
    const db = api.database.dataSource;
    // 60 000 deliveries over 15 days in two projects and two endpoints, so the planner sees a real table.
    for (const project of [w, other]) {
      await db.query(
        `INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, generation,
                                       status, attempts, retry_limit, strategy, interval_seconds, created_at)
         SELECT 'S' || $1 || g, $1, $2, CASE WHEN g % 2 = 0 THEN $3 ELSE $4 END, 'sub', 't', g,
                (ARRAY['Success','Failure','Retry'])[1 + g % 3], 1 + g % 2, 3, 'linear', 10,
                now() - (g * interval '43 seconds')
         FROM generate_series(1, 30000) g`,
        [project.projectId, project.eventId, project.a.id, project.b.id],
      );
    }
    await db.query('VACUUM ANALYZE event_deliveries');
    const plan = async (sql: string, params: unknown[]) =>
      (await db.query(`EXPLAIN ${sql}`, params)).map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
    const byPeriod = await plan(
      `SELECT date_trunc('minute', created_at, 'UTC'), status, count(*) FROM event_deliveries
       WHERE project_id = $1 AND created_at >= now() - interval '1 hour' AND created_at < now() GROUP BY 1, 2`,
      [w.projectId],
    );
    expect(byPeriod).toMatch(/Index Only Scan using event_deliveries_project_created_at_idx/);
    const byEndpoint = await plan(
      `SELECT endpoint_id, count(*) FILTER (WHERE status = 'Success'), count(*) FILTER (WHERE attempts > 1)
       FROM event_deliveries
       WHERE project_id = $1 AND ($2::text[] IS NULL OR endpoint_id = ANY($2::text[]))
         AND created_at >= now() - interval '1 day' AND created_at < now() GROUP BY 1`,
      [w.projectId, [w.a.id]],
    );
    expect(byEndpoint).toMatch(/Index Only Scan using event_deliveries_project_endpoint_created_at_idx/);
    const since = new Date(Date.now() - 20 * 86_400_000).toISOString();
    expect((await w.call(`/statistics/deliveries?period=day&startDate=${since}`)).body.data.totals.Success).toBe(
      10_000,
    );
  });
});
