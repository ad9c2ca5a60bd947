import { insertEndpoint, insertProject, insertSubscription, eventually } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

const SECRETS = [{ uid: 's1', value: 'secret', created_at: '2024-01-01T00:00:00Z', expires_at: null }];

const OLD_EVENTS = 230;
const BATCH = 50;

/**
 * A project's retention_policy honoured by the dispatcher: events older than the policy go
 * with their deliveries and attempts (in batches), and so do settled meta events; younger rows,
 * rows still in flight and other projects' rows stay; deliveries go on meanwhile.
 */
describe('dispatcher: retention', () => {
  jest.setTimeout(180_000);
  let h: DispatcherHarness;

  beforeAll(async () => {
    h = await DispatcherHarness.start('retention', {
      CARAVAN_RETENTION_INTERVAL_SECONDS: '1',
      CARAVAN_RETENTION_BATCH_SIZE: String(BATCH),
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  /**
   * `count` events created `ageSql` ago, each with one delivery in `status` (a Retry one due
   * only in an hour, so it stays in flight) and one attempt.
   */
  async function fill(
    projectId: string,
    endpointId: string,
    subscriptionId: string,
    prefix: string,
    count: number,
    ageSql: string,
    status = 'Success',
  ) {
    await h.dataSource.query(
      `WITH e AS (
         INSERT INTO events (id, project_id, event_type, routing, endpoint_ids, raw, status, created_at, updated_at)
         SELECT $3 || lpad(g::text, 6, '0'), $1, 'order.created', 'direct', ARRAY[$2], '{"old":true}'::bytea, 'Success',
                now() - $5::interval, now() - $5::interval
         FROM generate_series(1, $4) g
         RETURNING id, created_at
       ), d AS (
         INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, status,
                                       retry_limit, strategy, interval_seconds, next_send_time, created_at, updated_at)
         SELECT 'd' || e.id, $1, e.id, $2, $6, 'order.created', $7, 3, 'linear', 10,
                now() + interval '1 hour', e.created_at, e.created_at FROM e
         RETURNING id, created_at
       )
       INSERT INTO delivery_attempts (id, project_id, event_delivery_id, endpoint_id, url, success, latency_ms, created_at)
       SELECT 'a' || d.id, $1, d.id, $2, 'https://example.com', true, 5, d.created_at FROM d`,
      [projectId, endpointId, prefix, count, ageSql, subscriptionId, status],
    );
  }

  async function fillMeta(projectId: string, prefix: string, count: number, ageSql: string) {
    await h.dataSource.query(
      `INSERT INTO meta_events (id, project_id, event_type, payload, status, retry_limit, created_at, updated_at)
       SELECT $2 || lpad(g::text, 6, '0'), $1, 'endpoint.created', '{}'::bytea, 'Success', 3,
              now() - $4::interval, now() - $4::interval
       FROM generate_series(1, $3) g`,
      [projectId, prefix, count, ageSql],
    );
  }

  const countOf = async (table: string, projectId: string, prefix: string) =>
    (
      (await h.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1 AND id LIKE $2`, [
        projectId,
        `${prefix}%`,
      ])) as Array<{ n: number }>
    )[0].n;

  it('deletes rows older than the policy in batches, keeps younger and in-flight ones, leaves other projects alone, while deliveries go on', async () => {
    const kept = await insertProject(h.dataSource, { config: { retention_policy: '1h' } });
    const other = await insertProject(h.dataSource);
    const switchedOff = await insertProject(h.dataSource, {
      config: { retention_policy: '1h', is_retention_policy_enabled: false },
    });
    const world = async (projectId: string) => {
      const endpoint = await insertEndpoint(h.dataSource, projectId, {
        secrets: SECRETS,
        url: h.receiver.url(`/live-${projectId}`),
      });
      const subscription = await insertSubscription(h.dataSource, projectId, endpoint.id);
      return { endpoint, subscription };
    };
    const a = await world(kept.id);
    const b = await world(other.id);
    const c = await world(switchedOff.id);

    // Deliveries go on while the job deletes.
    const live = [];
    for (let i = 0; i < 5; i++) {
      live.push(await h.publish(kept.id, { routing: 'direct', endpointIds: [a.endpoint.id], body: `{"live":${i}}` }));
    }

    await fill(kept.id, a.endpoint.id, a.subscription.id, 'OLDA', OLD_EVENTS, '2 hours');
    await fill(kept.id, a.endpoint.id, a.subscription.id, 'YNGA', 10, '30 minutes');
    await fill(kept.id, a.endpoint.id, a.subscription.id, 'FLYA', 3, '2 hours', 'Retry');
    await fill(other.id, b.endpoint.id, b.subscription.id, 'OLDB', 20, '2 hours');
    await fill(switchedOff.id, c.endpoint.id, c.subscription.id, 'OLDC', 20, '2 hours');
    await fillMeta(kept.id, 'MOLDA', 70, '2 hours');
    await fillMeta(kept.id, 'MYNGA', 5, '10 minutes');

    await eventually(
      async () => [await countOf('events', kept.id, 'OLDA'), await countOf('meta_events', kept.id, 'MOLDA')],
      ([events, metaEvents]) => events === 0 && metaEvents === 0,
      90_000,
    );
    expect(await countOf('event_deliveries', kept.id, 'dOLDA')).toBe(0);
    expect(await countOf('delivery_attempts', kept.id, 'adOLDA')).toBe(0);

    expect(await countOf('events', kept.id, 'YNGA')).toBe(10);
    expect(await countOf('event_deliveries', kept.id, 'dYNGA')).toBe(10);
    expect(await countOf('delivery_attempts', kept.id, 'adYNGA')).toBe(10);
    expect(await countOf('events', kept.id, 'FLYA')).toBe(3);
    expect(await countOf('meta_events', kept.id, 'MYNGA')).toBe(5);
    expect(await countOf('events', other.id, 'OLDB')).toBe(20);
    expect(await countOf('events', switchedOff.id, 'OLDC')).toBe(20);

    for (const event of live) {
      const [delivery] = await h.settled(event.id);
      expect(delivery?.status).toBe('Success');
    }
    expect(h.receiver.at(`/live-${kept.id}`).filter((r) => r.body.toString().includes('"live"'))).toHaveLength(
      live.length,
    );

    const text = await (await fetch(`${defined(h.dispatchers[0]).url}/metrics`)).text();
    const deleted = (table: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith('caravan_retention_deleted_rows_total') && line.includes(`table="${table}"`))
          ?.split(' ')
          .pop() ?? 0,
      );
    expect(deleted('events')).toBe(OLD_EVENTS);
    expect(deleted('event_deliveries')).toBe(OLD_EVENTS);
    expect(deleted('delivery_attempts')).toBe(OLD_EVENTS);
    expect(deleted('meta_events')).toBe(70);
  });

  it('lets one replica sweep at a time (the other skips while the advisory lock is held)', async () => {
    await h.startDispatcher();
    const sweeps = async () => {
      const counts = await Promise.all(
        h.dispatchers.map(async (dispatcher) => {
          const text = await (await fetch(`${dispatcher.url}/metrics`)).text();
          const value = (outcome: string) =>
            Number(
              text
                .split('\n')
                .find(
                  (line) => line.startsWith('caravan_retention_sweeps_total') && line.includes(`outcome="${outcome}"`),
                )
                ?.split(' ')
                .pop() ?? 0,
            );
          return { done: value('done'), skipped: value('skipped') };
        }),
      );
      return counts;
    };
    // Hold the lock from a test connection: both replicas then skip.
    const runner = h.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtextextended('caravan:retention', 0))`);
      const before = await sweeps();
      const after = await eventually(
        sweeps,
        (now) => now.every((counts, i) => counts.skipped >= (before[i]?.skipped ?? 0) + 2),
        30_000,
      );
      after.forEach((counts, i) => expect(counts.done).toBe(before[i]?.done));
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtextextended('caravan:retention', 0))`);
      await runner.release();
    }
  });
});
