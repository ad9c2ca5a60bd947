import { EndpointsRepository, EventEntity, SubscriptionsRepository } from '@caravan/persistence';
import {
  createTestDatabase,
  insertEndpoint,
  insertEvent,
  insertProject,
  insertSubscription,
  TestDatabase,
} from '@caravan/testing';
import { SubscriptionResolver } from './subscription.resolver';

/** Against the real Postgres. */
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
      const results = await Promise.all(
        events.map(async (event) => (await resolver.candidatesOf([event])).get(event.id) ?? []),
      );
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
    expect((await resolver.candidatesOf([event])).get(event.id)).toEqual([]);
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM subscriptions WHERE endpoint_id = $1`,
      [foreign.id],
    );
    expect(count).toBe(0);
  });

  it("gives each event of a mixed batch its own endpoints' subscriptions for its type, never another project's", async () => {
    const project = await insertProject(db.dataSource);
    const other = await insertProject(db.dataSource);
    const billing = await insertEndpoint(db.dataSource, project.id);
    const users = await insertEndpoint(db.dataSource, project.id);
    const paid = await insertSubscription(db.dataSource, project.id, billing.id, { eventTypes: ['invoice.paid'] });
    const everything = await insertSubscription(db.dataSource, project.id, users.id, { eventTypes: ['*'] });
    const foreign = await insertEndpoint(db.dataSource, other.id);
    await insertSubscription(db.dataSource, other.id, foreign.id, { eventTypes: ['*'] });
    const invoice = await insertEvent(db.dataSource, project.id, {
      eventType: 'invoice.paid',
      routing: 'direct',
      endpointIds: [billing.id],
    });
    const signup = await insertEvent(db.dataSource, project.id, {
      eventType: 'user.created',
      routing: 'direct',
      endpointIds: [billing.id, users.id],
    });
    const stray = await insertEvent(db.dataSource, project.id, {
      eventType: 'user.created',
      routing: 'direct',
      endpointIds: [foreign.id],
    });
    const candidates = await resolver.candidatesOf([invoice, signup, stray]);
    const ids = (eventId: string) => (candidates.get(eventId) ?? []).map((subscription) => subscription.id);
    expect(ids(invoice.id)).toEqual([paid.id]);
    expect(ids(signup.id)).toEqual([everything.id]);
    expect(ids(stray.id)).toEqual([]);
  });
});
