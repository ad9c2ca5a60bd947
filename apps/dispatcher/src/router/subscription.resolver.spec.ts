import { EndpointsRepository, EventEntity, SubscriptionsRepository } from '@caravan/persistence';
import { createTestDatabase, insertEndpoint, insertEvent, insertProject, TestDatabase } from '@caravan/testing';
import { SubscriptionResolver } from './subscription.resolver';

/** Against the real Postgres: the catch-all subscription of a brand-new endpoint. */
describe('SubscriptionResolver (direct routing to an endpoint without subscriptions)', () => {
  jest.setTimeout(30_000);
  let db: TestDatabase;
  let resolver: SubscriptionResolver;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 20 });
    resolver = new SubscriptionResolver(
      new SubscriptionsRepository(db.dataSource),
      new EndpointsRepository(db.dataSource),
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('gives every concurrent batch the catch-all, not only the batch that created it', async () => {
    const project = await insertProject(db.dataSource);
    for (let round = 0; round < 10; round++) {
      const endpoint = await insertEndpoint(db.dataSource, project.id);
      const events: EventEntity[] = await Promise.all(
        Array.from({ length: 4 }, () =>
          insertEvent(db.dataSource, project.id, { routing: 'direct', endpointIds: [endpoint.id] }),
        ),
      );
      // Each event as its own batch (own memo), all at once, as parallel partitions do.
      const results = await Promise.all(events.map((event) => resolver.candidates(event, new Map())));
      for (const candidates of results) {
        expect(candidates.map((subscription) => [subscription.endpointId, subscription.eventTypes])).toEqual([
          [endpoint.id, ['*']],
        ]);
      }
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM subscriptions WHERE endpoint_id = $1`,
        [endpoint.id],
      );
      expect(count).toBe(1);
    }
  });

  it('creates nothing for an endpoint of another project', async () => {
    const mine = await insertProject(db.dataSource);
    const theirs = await insertProject(db.dataSource);
    const foreign = await insertEndpoint(db.dataSource, theirs.id);
    const event = await insertEvent(db.dataSource, mine.id, { routing: 'direct', endpointIds: [foreign.id] });
    expect(await resolver.candidates(event, new Map())).toEqual([]);
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM subscriptions WHERE endpoint_id = $1`,
      [foreign.id],
    );
    expect(count).toBe(0);
  });
});
