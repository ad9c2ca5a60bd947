import { EndpointEntity, ProjectEntity, SubscriptionEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertEvent, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';

/** Fan-out, broadcast, source and direct routing, with filters, to exactly the right endpoints. */
describe('dispatcher: routing', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;
  let project: ProjectEntity;

  async function endpoint(path: string, fields: Partial<EndpointEntity> = {}): Promise<EndpointEntity> {
    return insertEndpoint(h.dataSource, project.id, {
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
  }

  /** Paths that received the event, once the event is routed and every delivery is final. */
  async function reached(eventId: string, expected: number): Promise<string[]> {
    const rows = await eventually(
      () => h.deliveriesOf(eventId),
      (found) =>
        found.length >= expected && found.every((row) => ['Success', 'Failure', 'Discarded'].includes(row.status)),
    );
    expect(rows).toHaveLength(expected);
    await h.caughtUp();
    return h.receiver.requests
      .filter((request) => request.headers['x-convoy-event-id'] === eventId)
      .map((request) => request.path)
      .sort();
  }

  beforeAll(async () => {
    h = await DispatcherHarness.start('routing');
    project = await insertProject(h.dataSource);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('fans out to every endpoint of the owner whose subscription matches, and no other', async () => {
    const a = await endpoint('/fan/a', { ownerId: 'owner-1' });
    const b = await endpoint('/fan/b', { ownerId: 'owner-1' });
    const c = await endpoint('/fan/c', { ownerId: 'owner-1' });
    const other = await endpoint('/fan/other', { ownerId: 'owner-2' });
    await insertSubscription(h.dataSource, project.id, a.id, {
      eventTypes: ['*'],
    });
    await insertSubscription(h.dataSource, project.id, b.id, {
      eventTypes: ['invoice.paid'],
    });
    await insertSubscription(h.dataSource, project.id, c.id, {
      eventTypes: ['invoice.failed'],
    });
    await insertSubscription(h.dataSource, project.id, other.id);
    const event = await h.publish(project.id, {
      routing: 'fanout',
      ownerId: 'owner-1',
      eventType: 'invoice.paid',
    });
    expect(await reached(event.id, 2)).toEqual(['/fan/a', '/fan/b']);
  });

  it('broadcasts to every subscription of the project whose body and header filters match', async () => {
    const outer = project;
    project = await insertProject(h.dataSource);
    try {
      const big = await endpoint('/bc/big');
      const eur = await endpoint('/bc/eur');
      const header = await endpoint('/bc/header');
      const all = await endpoint('/bc/all');
      const none = await endpoint('/bc/none');
      await insertSubscription(h.dataSource, project.id, big.id, {
        filterBody: { amount: { $gte: 1000 } },
      });
      await insertSubscription(h.dataSource, project.id, eur.id, {
        filterBody: { currency: 'EUR' },
      });
      await insertSubscription(h.dataSource, project.id, header.id, {
        filterHeaders: { 'x-tenant': 'acme' },
      });
      await insertSubscription(h.dataSource, project.id, all.id);
      await insertSubscription(h.dataSource, project.id, none.id, {
        eventTypes: ['something.else'],
      });
      const event = await h.publish(project.id, {
        routing: 'broadcast',
        eventType: 'charge.done',
        body: '{"amount": 5000, "currency": "NGN"}',
        headers: { 'X-Tenant': ['acme'] },
      });
      expect(await reached(event.id, 3)).toEqual(['/bc/all', '/bc/big', '/bc/header']);
    } finally {
      project = outer;
    }
  });

  it('direct events reach the named endpoint, creating one catch-all subscription when it has none', async () => {
    const target = await endpoint('/direct/new');
    const first = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      eventType: 'x.y',
    });
    const second = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      eventType: 'x.z',
    });
    expect(await reached(first.id, 1)).toEqual(['/direct/new']);
    expect(await reached(second.id, 1)).toEqual(['/direct/new']);
    const subscriptions = await h.dataSource
      .getRepository(SubscriptionEntity)
      .find({ where: { endpointId: target.id } });
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.eventTypes).toEqual(['*']);
  });

  it('direct events respect an existing subscription filter (no catch-all is added)', async () => {
    const target = await endpoint('/direct/filtered');
    await insertSubscription(h.dataSource, project.id, target.id, {
      eventTypes: ['only.this'],
    });
    const event = await h.publish(project.id, {
      routing: 'direct',
      endpointIds: [target.id],
      eventType: 'not.that',
    });
    await eventually(
      () =>
        h.dataSource.query(`SELECT status FROM events WHERE id = $1`, [event.id]) as Promise<Array<{ status: string }>>,
      (rows) => rows[0]?.status === 'Processing',
    );
    expect(await h.deliveriesOf(event.id)).toHaveLength(0);
    expect(await h.dataSource.getRepository(SubscriptionEntity).count({ where: { endpointId: target.id } })).toBe(1);
  });

  it('source events reach the subscriptions of their source', async () => {
    const source = { id: '01SOURCE000000000000000000' };
    await h.dataSource.query(
      `INSERT INTO sources (id, project_id, name, type, mask_id) VALUES ($1, $2, 'github', 'http', $3)`,
      [source.id, project.id, `mask${Date.now()}`],
    );
    const target = await endpoint('/source/a');
    const unrelated = await endpoint('/source/unrelated');
    await insertSubscription(h.dataSource, project.id, target.id, {
      sourceId: source.id,
    });
    await insertSubscription(h.dataSource, project.id, unrelated.id, {
      eventTypes: ['never'],
    });
    const event = await h.publish(project.id, {
      routing: 'source',
      sourceId: source.id,
      eventType: 'push',
    });
    expect(await reached(event.id, 1)).toEqual(['/source/a']);
  });

  it('a burst of 200 broadcast events reaches 3 endpoints exactly once each', async () => {
    const outer = project;
    project = await insertProject(h.dataSource);
    try {
      for (const path of ['/burst/a', '/burst/b', '/burst/c']) {
        const target = await endpoint(path);
        await insertSubscription(h.dataSource, project.id, target.id);
      }
      const events = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          insertEvent(h.dataSource, project.id, {
            routing: 'broadcast',
            eventType: 'burst',
            raw: Buffer.from(`{"i":${i}}`),
          }),
        ),
      );
      await h.announce(...events);
      const successes = await eventually(
        async () =>
          Number(
            (
              (await h.dataSource.query(
                `SELECT count(*)::int AS n FROM event_deliveries WHERE project_id = $1 AND status = 'Success'`,
                [project.id],
              )) as Array<{ n: number }>
            )[0]?.n,
          ),
        (n) => n === 600,
        60_000,
      );
      expect(successes).toBe(600);
      const received = h.receiver.requests.filter((r) => r.path.startsWith('/burst/'));
      expect(received).toHaveLength(600);
      expect(new Set(received.map((r) => r.headers['x-convoy-delivery-id'])).size).toBe(600);
    } finally {
      project = outer;
    }
  });
});
