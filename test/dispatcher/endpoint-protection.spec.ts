import { RetryStrategyType } from '@caravan/domain';
import { EndpointEntity, ProjectEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

/** Per-endpoint rate limit and circuit breaker, observed at a real receiver. */
describe('dispatcher: endpoint protection', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;

  async function setup(
    path: string,
    projectConfig: Parameters<typeof insertProject>[1],
    fields: Partial<EndpointEntity> = {},
  ) {
    const project = await insertProject(h.dataSource, projectConfig);
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      url: h.receiver.url(path),
      secrets: [
        {
          uid: 's1',
          value: 'secret',
          created_at: '2024-01-01T00:00:00Z',
          expires_at: null,
        },
      ],
      ...fields,
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    return { project, endpoint };
  }

  async function publishMany(project: ProjectEntity, endpoint: EndpointEntity, count: number) {
    const events = [];
    for (let i = 0; i < count; i++) {
      events.push(
        await h.publish(project.id, {
          routing: 'direct',
          endpointIds: [endpoint.id],
          body: `{"n":${i}}`,
        }),
      );
    }
    return events;
  }

  async function allDelivered(eventIds: string[], timeoutMs = 60_000) {
    return eventually(
      async () => (await Promise.all(eventIds.map((id) => h.deliveriesOf(id)))).flat(),
      (rows) =>
        rows.length === eventIds.length &&
        rows.every((row) => ['Success', 'Failure', 'Discarded'].includes(row.status)),
      timeoutMs,
    );
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${defined(h.dispatchers[0]).url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  beforeAll(async () => {
    h = await DispatcherHarness.start('protection', {
      // The rate limiter's admissions are logged at debug level (read by the rate-limit test).
      CARAVAN_LOG_LEVEL: 'debug',
      CARAVAN_BREAKER_SAMPLE_SECONDS: '30',
      CARAVAN_BREAKER_FAILURE_THRESHOLD: '50',
      CARAVAN_BREAKER_MIN_REQUESTS: '3',
      CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: '3',
      CARAVAN_BREAKER_DISABLE_AFTER_TRIPS: '2',
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('holds the endpoint rate limit: never more than N requests in any window, nothing lost, no attempt counted for waiting', async () => {
    const { project, endpoint } = await setup('/limited', {}, { rateLimit: 2, rateLimitDuration: 1 });
    const events = await publishMany(project, endpoint, 8);
    const rows = await allDelivered(events.map((e) => e.id));
    expect(rows.every((row) => row.status === 'Success' && row.attempts === 1)).toBe(true);
    expect(h.receiver.at('/limited')).toHaveLength(8);
    // What the limiter admitted, at the instants it decided (its debug record), not the arrival
    // times at the receiver, which add the machine's scheduling jitter.
    const pattern = new RegExp(`rate limit admitted a send to endpoint ${endpoint.id} at (\\d+)`, 'g');
    const admitted = await eventually(
      async () => [...h.logs().matchAll(pattern)].map((match) => Number(match[1])).sort((a, b) => a - b),
      (found) => found.length >= 8,
    );
    expect(admitted).toHaveLength(8);
    for (let i = 0; i + 2 < admitted.length; i++) {
      // Any 3 consecutive admissions span at least one whole window: never more than 2 in any 1 s.
      expect(defined(admitted[i + 2]) - defined(admitted[i])).toBeGreaterThanOrEqual(1_000);
    }
    expect(await metric('caravan_rate_limited_deliveries_total')).toBeGreaterThan(0);
  });

  it('opens the breaker after the failure threshold, holds deliveries while open, and recovers on a successful probe', async () => {
    h.receiver.script('/breaker', { status: 500 }, { status: 500 }, { status: 500 }, { status: 200 });
    const { project, endpoint } = await setup('/breaker', {
      config: {
        strategy: {
          type: RetryStrategyType.Linear,
          duration: 1,
          retry_count: 10,
        },
      },
    });
    // The breaker's transitions are written to the endpoint (the API's cb_state): watch them.
    const statesSeen = new Set<string>();
    const watcher = setInterval(() => {
      void h.dataSource
        .query(`SELECT cb_state FROM endpoints WHERE id = $1`, [endpoint.id])
        .then((found: Array<{ cb_state: string }>) => statesSeen.add(found[0]?.cb_state ?? 'missing'));
    }, 100);
    const events = await publishMany(project, endpoint, 3);
    const rows = await allDelivered(events.map((e) => e.id)).finally(() => clearInterval(watcher));
    expect(rows.every((row) => row.status === 'Success')).toBe(true);
    expect(statesSeen).toContain('open');
    const [final] = await h.dataSource.query(`SELECT cb_state, cb_state_changed_at FROM endpoints WHERE id = $1`, [
      endpoint.id,
    ]);
    expect(final.cb_state).toBe('closed');
    expect(final.cb_state_changed_at).not.toBeNull();
    const requests = h.receiver
      .at('/breaker')
      .map((r) => r.at)
      .sort((a, b) => a - b);
    // 3 failures open it; nothing is sent for the error timeout; one probe succeeds; the rest follow.
    expect(requests).toHaveLength(6);
    expect(defined(requests[3]) - defined(requests[2])).toBeGreaterThanOrEqual(2_500);
    const attempts = rows.reduce((sum, row) => sum + row.attempts, 0);
    expect(attempts).toBe(6);
    expect(await metric('caravan_breaker_deferred_deliveries_total')).toBeGreaterThan(0);
    const reloaded = await h.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.id });
    expect(reloaded.status).toBe('active');
  });

  it('sets an endpoint whose breaker keeps tripping inactive when the project says disable_endpoint', async () => {
    h.receiver.script('/tripping', { status: 500 });
    const { project, endpoint } = await setup('/tripping', {
      config: {
        strategy: {
          type: RetryStrategyType.Linear,
          duration: 1,
          retry_count: 20,
        },
        disable_endpoint: true,
      },
    });
    const events = await publishMany(project, endpoint, 3);
    const reloaded = await eventually(
      () => h.dataSource.getRepository(EndpointEntity).findOneByOrFail({ id: endpoint.id }),
      (found) => found.status === 'inactive',
      30_000,
    );
    expect(reloaded.status).toBe('inactive');
    const rows = await allDelivered(events.map((e) => e.id));
    expect(rows.every((row) => ['Failure', 'Discarded'].includes(row.status))).toBe(true);
    // Trip 1 after 3 failures, trip 2 on the failed half-open probe: 4 requests in all.
    expect(h.receiver.at('/tripping')).toHaveLength(4);
  });
});
