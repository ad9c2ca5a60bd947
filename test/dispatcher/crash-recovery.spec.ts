import { RetryStrategyType } from '@caravan/domain';
import { EventDeliveryEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertEvent, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

/**
 * The dispatcher's bundle is SIGKILLed while a batch is in flight (requests are held open by
 * the receiver, so claims are Processing); a new process must deliver every event: leases
 * expire, the scheduler hands rows back and re-rings them, and nothing is lost.
 */
describe('dispatcher: crash recovery', () => {
  jest.setTimeout(180_000);
  let h: DispatcherHarness;

  beforeAll(async () => {
    h = await DispatcherHarness.start('crash', {
      CARAVAN_DISPATCHER_LEASE_SECONDS: '5',
      CARAVAN_SHUTDOWN_TIMEOUT_MS: '5000',
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('loses nothing when killed with SIGKILL mid-batch', async () => {
    const project = await insertProject(h.dataSource, {
      config: {
        strategy: {
          type: RetryStrategyType.Linear,
          duration: 1,
          retry_count: 5,
        },
      },
    });
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      url: h.receiver.url('/crash'),
      httpTimeout: 30,
      secrets: [
        {
          uid: 's1',
          value: 'secret',
          created_at: '2024-01-01T00:00:00Z',
          expires_at: null,
        },
      ],
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    // The first process's requests hang: it dies holding claims.
    h.receiver.script('/crash', 'hang');
    const events = [];
    for (let i = 0; i < 20; i++) {
      events.push(
        await insertEvent(h.dataSource, project.id, {
          routing: 'direct',
          endpointIds: [endpoint.id],
          raw: Buffer.from(`{"i":${i}}`),
        }),
      );
    }
    await h.announce(...events);
    await eventually(
      () =>
        h.dataSource.getRepository(EventDeliveryEntity).count({
          where: { projectId: project.id, status: 'Processing' as never },
        }),
      (processing) => processing > 0,
    );
    const first = defined(h.dispatchers[0]);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');

    h.receiver.script('/crash', { status: 200 });
    await h.startDispatcher();
    const rows = await eventually(
      () => h.dataSource.getRepository(EventDeliveryEntity).find({ where: { projectId: project.id } }),
      (found) => found.length === events.length && found.every((row) => row.status === 'Success'),
      60_000,
    );
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.status === 'Success')).toBe(true);
    const delivered = new Set(
      h.receiver
        .at('/crash')
        .filter((r) => r.headers['x-convoy-event-id'])
        .map((r) => String(r.headers['x-convoy-event-id'])),
    );
    expect(delivered.size).toBe(20);
  });

  it('shuts down gracefully on SIGTERM, handing back claims it could not finish', async () => {
    const project = await insertProject(h.dataSource);
    const endpoint = await insertEndpoint(h.dataSource, project.id, {
      url: h.receiver.url('/term'),
      httpTimeout: 60,
      secrets: [
        {
          uid: 's1',
          value: 'secret',
          created_at: '2024-01-01T00:00:00Z',
          expires_at: null,
        },
      ],
    });
    await insertSubscription(h.dataSource, project.id, endpoint.id);
    h.receiver.script('/term', 'hang');
    const event = await insertEvent(h.dataSource, project.id, {
      routing: 'direct',
      endpointIds: [endpoint.id],
    });
    const dispatcher = defined(h.dispatchers[h.dispatchers.length - 1]);
    await h.announce(event);
    await eventually(
      () => h.deliveriesOf(event.id),
      (rows) => rows[0]?.status === 'Processing',
    );
    const code = await dispatcher.stop('SIGTERM');
    const [row] = await h.deliveriesOf(event.id);
    if (code !== 0 || row?.status !== 'Scheduled') {
      throw new Error(`exit ${code}, row ${JSON.stringify(row)}:\n${dispatcher.output().slice(-4000)}`);
    }
    expect(row.leaseUntil).toBeNull();
    expect(row?.attempts).toBe(0);
  });
});
