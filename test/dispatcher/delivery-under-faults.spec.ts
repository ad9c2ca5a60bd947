import { EventDeliveryEntity } from '@caravan/persistence';
import { eventually, insertEndpoint, insertEvent, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';
import { defined } from './support/webhook-receiver';

const SECRET = [{ uid: 's1', value: 'secret', created_at: '2024-01-01T00:00:00Z', expires_at: null }];

/**
 * The sender's claim, lease and outcome flow: outcomes are written as each attempt settles
 * (a fast endpoint's 200 does not wait for a slow endpoint in the same claim), and a claim's
 * short lease is renewed while the dispatcher lives (a send longer than the lease is not
 * handed to another sender, so it is not sent twice).
 */
describe('dispatcher: claims, leases and outcomes under slow endpoints', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;

  beforeAll(async () => {
    h = await DispatcherHarness.start('leases', { CARAVAN_DISPATCHER_LEASE_SECONDS: '3' });
  });

  afterAll(async () => {
    h?.receiver.answerHanging();
    await h?.stop();
  });

  async function endpointAt(projectId: string, path: string) {
    const endpoint = await insertEndpoint(h.dataSource, projectId, {
      url: h.receiver.url(path),
      httpTimeout: 60,
      secrets: SECRET,
    });
    await insertSubscription(h.dataSource, projectId, endpoint.id);
    return endpoint;
  }

  it('records a fast delivery while a slow one of the same batch is still in flight', async () => {
    const project = await insertProject(h.dataSource);
    const fast = await endpointAt(project.id, '/fast');
    const slow = await endpointAt(project.id, '/slow');
    h.receiver.script('/slow', 'hang');
    const events = await Promise.all(
      [slow, fast].map((endpoint) =>
        insertEvent(h.dataSource, project.id, { routing: 'direct', endpointIds: [endpoint.id] }),
      ),
    );
    await h.announce(...events);
    const [slowEvent, fastEvent] = events.map(defined);
    const [fastRow] = await h.settled(defined(fastEvent).id, 20_000);
    expect(fastRow?.status).toBe('Success');
    const [slowRow] = await h.deliveriesOf(defined(slowEvent).id);
    expect(slowRow?.status).toBe('Processing');
    h.receiver.answerHanging();
    expect((await h.settled(defined(slowEvent).id))[0]?.status).toBe('Success');
  });

  it('renews the lease of a send that outlasts it, so it is sent once', async () => {
    const project = await insertProject(h.dataSource);
    const endpoint = await endpointAt(project.id, '/long');
    h.receiver.script('/long', 'hang', { status: 200 });
    const event = await h.publish(project.id, { routing: 'direct', endpointIds: [endpoint.id] });
    const claimed = await eventually(
      () => h.deliveriesOf(event.id),
      (rows) => rows[0]?.status === 'Processing' && rows[0].leaseUntil !== null,
    );
    const firstLease = defined(defined(claimed[0]).leaseUntil).getTime();
    // Held well past three lease lengths: the lease keeps moving forward and nobody re-sends it.
    const renewed = await eventually(
      () => h.deliveriesOf(event.id),
      (rows) => (rows[0]?.leaseUntil?.getTime() ?? 0) >= firstLease + 9_000,
      40_000,
    );
    expect(renewed[0]?.status).toBe('Processing');
    expect(h.receiver.at('/long')).toHaveLength(1);
    h.receiver.answerHanging();
    const [row] = await h.settled(event.id);
    expect(row).toMatchObject({ status: 'Success', attempts: 1 });
    expect(h.receiver.at('/long')).toHaveLength(1);
    const rows = await h.dataSource.getRepository(EventDeliveryEntity).count({ where: { eventId: event.id } });
    expect(rows).toBe(1);
  });
});
