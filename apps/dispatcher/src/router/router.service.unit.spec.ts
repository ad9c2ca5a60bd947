import { Logger } from '@nestjs/common';
import { DeliveryMode, DeliveryStatus, EndpointStatus, EventStatus, RetryStrategyType } from '@caravan/domain';
import type { EventEntity, ProjectEntity } from '@caravan/persistence';
import { aProject, anEndpoint, anEvent, aSubscription, counted } from '../testing/unit-fixtures.helper';
import { RouterWorld } from '../testing/router-world.helper';

const bell = (event: EventEntity) => ({ project_id: event.projectId, event_id: event.id });

describe('RouterService (in memory)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  let w: RouterWorld;
  let project: ProjectEntity;

  beforeEach(() => {
    w = new RouterWorld();
    project = aProject({ strategy: { type: RetryStrategyType.Exponential, duration: 7, retry_count: 4 } });
    w.store.add(w.store.projects, project);
  });

  /** An endpoint of `project` (or another) with one subscription. */
  function subscribed(fields: Parameters<typeof anEndpoint>[1] = {}, subscription = {}, of = project) {
    const endpoint = anEndpoint(of, fields);
    w.store.add(w.store.endpoints, endpoint);
    const sub = aSubscription(endpoint, subscription);
    w.store.add(w.store.subscriptions, sub);
    return { endpoint, subscription: sub };
  }

  function event(fields: Partial<EventEntity>, of = project): EventEntity {
    const created = anEvent(of, fields);
    w.store.add(w.store.events, created);
    return created;
  }

  it("creates a Scheduled delivery per matching subscription with the project's retry policy, marks the event routed and rings the delivery", async () => {
    const { endpoint, subscription } = subscribed();
    const direct = event({ routing: 'direct', endpointIds: [endpoint.id] });
    await w.router.route([bell(direct)]);

    const [delivery] = w.deliveriesOf(direct.id);
    expect(w.deliveriesOf(direct.id)).toHaveLength(1);
    expect(delivery).toMatchObject({
      status: DeliveryStatus.Scheduled,
      subscriptionId: subscription.id,
      endpointId: endpoint.id,
      retryLimit: 4,
      strategy: RetryStrategyType.Exponential,
      intervalSeconds: 7,
    });
    expect(w.store.events.get(direct.id)?.status).toBe(EventStatus.Processing);
    expect(w.store.rung.deliveries).toEqual([expect.objectContaining({ delivery_id: delivery.id })]);
    expect(await counted(w.metrics.eventsRouted, { routing: 'direct' })).toBe(1);
  });

  it('is idempotent: a doorbell rung twice creates and rings nothing more', async () => {
    const { endpoint } = subscribed();
    const direct = event({ routing: 'direct', endpointIds: [endpoint.id] });
    await w.router.route([bell(direct), bell(direct)]);
    direct.status = EventStatus.Pending; // as if the doorbell came before the mark was visible
    await w.router.route([bell(direct)]);
    expect(w.deliveriesOf(direct.id)).toHaveLength(1);
    expect(w.store.rung.deliveries).toHaveLength(1);
  });

  it('creates a paused endpoint’s delivery Discarded, unrung and counted final', async () => {
    const { endpoint } = subscribed({ status: EndpointStatus.Paused });
    const direct = event({ routing: 'direct', endpointIds: [endpoint.id] });
    await w.router.route([bell(direct)]);
    expect(w.deliveriesOf(direct.id).map((d) => d.status)).toEqual([DeliveryStatus.Discarded]);
    expect(w.store.rung.deliveries).toHaveLength(0);
    expect(await counted(w.metrics.deliveriesFinal, { status: DeliveryStatus.Discarded })).toBe(1);
  });

  it('fans out to the live endpoints of the owner, in this project only', async () => {
    const mine = subscribed({ ownerId: 'owner-1' });
    const deleted = subscribed({ ownerId: 'owner-1', deletedAt: new Date(0) });
    subscribed({ ownerId: 'owner-2' });
    const elsewhere = aProject();
    w.store.add(w.store.projects, elsewhere);
    subscribed({ ownerId: 'owner-1' }, {}, elsewhere);
    const fanout = event({ routing: 'fanout', ownerId: 'owner-1' });
    await w.router.route([bell(fanout)]);
    expect(w.deliveriesOf(fanout.id).map((d) => d.endpointId)).toEqual([mine.endpoint.id]);
    expect(deleted.endpoint.id).not.toBe(mine.endpoint.id);
  });

  it('broadcasts to every subscription of the event type; filters decide on body and headers', async () => {
    const all = subscribed();
    const typed = subscribed({}, { eventTypes: ['invoice.paid'] });
    const filtered = subscribed({}, { filterBody: { amount: { $gte: 100 } } });
    const small = event({ routing: 'broadcast', eventType: 'order.created', raw: Buffer.from('{"amount":5}') });
    const big = event({ routing: 'broadcast', eventType: 'order.created', raw: Buffer.from('{"amount":500}') });
    await w.router.route([bell(small), bell(big)]);
    expect(w.deliveriesOf(small.id).map((d) => d.endpointId)).toEqual([all.endpoint.id]);
    expect(
      w
        .deliveriesOf(big.id)
        .map((d) => d.endpointId)
        .sort(),
    ).toEqual([all.endpoint.id, filtered.endpoint.id].sort());
    expect(w.deliveriesOf(big.id).map((d) => d.endpointId)).not.toContain(typed.endpoint.id);
  });

  it('gives a direct event’s endpoint without subscriptions a catch-all one; a broadcast lists the endpoints it reached', async () => {
    const bare = anEndpoint(project);
    w.store.add(w.store.endpoints, bare);
    const targeted = event({ routing: 'direct', endpointIds: [bare.id] });
    await w.router.route([bell(targeted)]);
    expect(w.deliveriesOf(targeted.id).map((d) => d.endpointId)).toEqual([bare.id]);
    expect([...w.store.subscriptions.values()].filter((s) => s.endpointId === bare.id)).toHaveLength(1);

    const broadcast = event({ routing: 'broadcast', endpointIds: [] });
    await w.router.route([bell(broadcast)]);
    expect(w.store.events.get(broadcast.id)?.endpointIds).toEqual([bare.id]);
  });

  it('never routes to an endpoint of another project named by a doorbell', async () => {
    const elsewhere = aProject();
    w.store.add(w.store.projects, elsewhere);
    const foreign = subscribed({}, {}, elsewhere);
    const direct = event({ routing: 'direct', endpointIds: [foreign.endpoint.id] });
    await w.router.route([bell(direct), { project_id: elsewhere.id, event_id: direct.id }]);
    expect(w.deliveriesOf(direct.id)).toHaveLength(0);
  });

  it('an at-most-once subscription gets one attempt; duplicates and routed events are skipped', async () => {
    const { endpoint } = subscribed({}, { deliveryMode: DeliveryMode.AtMostOnce });
    const once = event({ routing: 'direct', endpointIds: [endpoint.id] });
    const duplicate = event({ routing: 'direct', endpointIds: [endpoint.id], isDuplicateEvent: true });
    await w.router.route([bell(once), bell(duplicate)]);
    expect(w.deliveriesOf(once.id).map((d) => d.retryLimit)).toEqual([1]);
    expect(w.deliveriesOf(duplicate.id)).toHaveLength(0);
  });

  it('keeps the deliveries when Kafka cannot be reached (the scheduler rings them later)', async () => {
    const { endpoint } = subscribed();
    w.ringer.failing = true;
    const direct = event({ routing: 'direct', endpointIds: [endpoint.id] });
    await expect(w.router.route([bell(direct)])).resolves.toBeUndefined();
    expect(w.deliveriesOf(direct.id)).toHaveLength(1);
    expect(w.store.events.get(direct.id)?.status).toBe(EventStatus.Processing);
  });
});
