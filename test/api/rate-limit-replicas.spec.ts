import { createTestDatabase, ServiceProcess, sharedKafkaBrokers, spawnService, TestDatabase } from '@caravan/testing';
import { freePort } from '../dispatcher/support/dispatcher-harness';

const ADMIN_KEY = 'replicas-admin-key-0123456789abcdefghijkl';
const LIMIT = 8;

/**
 * Two api processes (the production bundle) on one database share each project's request
 * budget: the counters live in Postgres, so N requests spread over both replicas are all the
 * window allows, not N per replica.
 */
describe('request limits across two api replicas', () => {
  jest.setTimeout(180_000);
  let database: TestDatabase;
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 2 });
    const suffix = Date.now().toString(36);
    for (let i = 0; i < 2; i++) {
      replicas.push(
        spawnService('api', await freePort(), {
          CARAVAN_DATABASE_URL: database.url,
          CARAVAN_DATABASE_POOL_SIZE: '5',
          CARAVAN_KAFKA_BROKERS: sharedKafkaBrokers(),
          CARAVAN_KAFKA_EVENTS_TOPIC: `replicas.events.${suffix}`,
          CARAVAN_KAFKA_DELIVERIES_TOPIC: `replicas.deliveries.${suffix}`,
          CARAVAN_KAFKA_PARTITIONS: '1',
          CARAVAN_ADMIN_API_KEY: ADMIN_KEY,
          CARAVAN_API_RATE_LIMIT: String(LIMIT),
          CARAVAN_API_RATE_LIMIT_WINDOW_SECONDS: '86400',
          CARAVAN_LOG_LEVEL: 'warn',
        }),
      );
    }
    await Promise.all(replicas.map((replica) => replica.waitForReady()));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
    await database?.drop();
  });

  it('lets exactly N requests of a project through, whichever replica answers them', async () => {
    const created = await fetch(`${replicas[0].url}/api/v1/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shared', type: 'outgoing' }),
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { project: { uid: string }; api_key: { key: string } } };
    const list = (replica: ServiceProcess) =>
      fetch(`${replica.url}/api/v1/projects/${data.project.uid}/endpoints`, {
        headers: { authorization: `Bearer ${data.api_key.key}` },
      }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });

    // Alternating, then all at once on both: the budget is one, shared.
    const sequential: number[] = [];
    for (let i = 0; i < LIMIT / 2; i++) sequential.push(await list(replicas[i % 2]));
    expect(sequential).toEqual(Array(LIMIT / 2).fill(200));
    const concurrent = await Promise.all(Array.from({ length: LIMIT }, (_, i) => list(replicas[i % 2])));
    expect(concurrent.filter((status) => status === 200)).toHaveLength(LIMIT / 2);
    expect(concurrent.filter((status) => status === 429)).toHaveLength(LIMIT / 2);
    expect(await list(replicas[0])).toBe(429);
    expect(await list(replicas[1])).toBe(429);
  });
});
