import { DeliveryStatus } from '@caravan/domain';
import {
  claimedRows,
  createTestDatabase,
  insertDeliveryWorld,
  insertEndpoint,
  insertProject,
  insertSubscription,
  TestDatabase,
} from '@caravan/testing';
import { EndpointsRepository } from './endpoints.repository';
import { EventDeliveriesRepository } from './event-deliveries.repository';
import { MetaEventsRepository } from './meta-events.repository';
import { ProjectsRepository } from './projects.repository';
import { SubscriptionsRepository } from './subscriptions.repository';

/** The dispatcher's writes: fenced outcomes, put-backs, the doorbell sweep, catch-all creation. */
describe('dispatcher queries', () => {
  let db: TestDatabase;
  let deliveries: EventDeliveriesRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    deliveries = new EventDeliveriesRepository(db.dataSource);
  });

  afterAll(async () => {
    await db.drop();
  });

  function outcome(id: string, leaseUntil: Date, status = DeliveryStatus.Success) {
    return {
      id,
      leaseUntil,
      status,
      description: 'done',
      attempts: 1,
      nextSendTime: null,
      latencyMs: 42,
    };
  }

  it('claimDueForSending claims like claimDue and returns each row with its live event, endpoint and project', async () => {
    // Two subscriptions: each event has two rows in the claim, sharing one event instance.
    const world = await insertDeliveryWorld(db.dataSource, { eventCount: 3, subscriptionCount: 2 });
    const [notDue, ...due] = world.deliveryIds;
    const notDueEvent = (await deliveries.findById(world.project.id, notDue as string))?.eventId;
    await db.dataSource.query(`UPDATE event_deliveries SET next_send_time = now() + interval '1 hour' WHERE id = $1`, [
      notDue,
    ]);
    const claimed = await deliveries.claimDueForSending(world.deliveryIds, 30);
    expect(claimed.map(({ delivery }) => delivery.id).sort()).toEqual([...due].sort());
    expect(claimed).toHaveLength(5);
    for (const { delivery, event, endpoint, project } of claimed) {
      expect(delivery.status).toBe(DeliveryStatus.Processing);
      const stored = world.events.find((candidate) => candidate.id === delivery.eventId);
      expect(event).toMatchObject({ id: stored?.id, projectId: world.project.id, eventType: stored?.eventType });
      expect(event?.raw).toEqual(stored?.raw);
      expect(delivery.leaseUntil).toEqual(expect.any(Date));
      expect(endpoint).toMatchObject({ id: world.endpoint.id, projectId: world.project.id, url: world.endpoint.url });
      expect(endpoint?.secrets).toEqual(world.endpoint.secrets);
      // The project reads as a full config, defaults filled in, as findByIds reads it.
      expect(project).toEqual((await new ProjectsRepository(db.dataSource).findByIds([world.project.id]))[0]);
    }
    // The rows of one endpoint share its entity; the rows of one event share theirs.
    expect(claimed[0]?.endpoint).toBe(claimed[1]?.endpoint);
    const sameEvent = claimed.filter(({ delivery }) => delivery.eventId !== notDueEvent);
    expect(sameEvent).toHaveLength(4);
    expect(new Set(sameEvent.map(({ event }) => event)).size).toBe(2);
    // Claimed once: a second claim gets nothing.
    expect(await deliveries.claimDueForSending(world.deliveryIds, 30)).toEqual([]);
  });

  it('claimDueForSending still claims the rows of a deleted event, endpoint or project, without them', async () => {
    const world = await insertDeliveryWorld(db.dataSource, { eventCount: 1, subscriptionCount: 1 });
    await db.dataSource.query(`UPDATE endpoints SET deleted_at = now() WHERE id = $1`, [world.endpoint.id]);
    const [withoutEndpoint] = await deliveries.claimDueForSending(world.deliveryIds, 30);
    expect(withoutEndpoint).toMatchObject({ endpoint: undefined, project: { id: world.project.id } });
    expect(withoutEndpoint?.event?.id).toBe(world.events[0]?.id);

    const gone = await insertDeliveryWorld(db.dataSource, { eventCount: 1, subscriptionCount: 1 });
    await db.dataSource.query(`UPDATE events SET deleted_at = now() WHERE id = $1`, [gone.events[0]?.id]);
    const [withoutEvent] = await deliveries.claimDueForSending(gone.deliveryIds, 30);
    expect(withoutEvent).toMatchObject({ event: undefined, endpoint: { id: gone.endpoint.id } });

    const other = await insertDeliveryWorld(db.dataSource, { eventCount: 1, subscriptionCount: 1 });
    await db.dataSource.query(`UPDATE projects SET deleted_at = now() WHERE id = $1`, [other.project.id]);
    const [withoutProject] = await deliveries.claimDueForSending(other.deliveryIds, 30);
    expect(withoutProject).toMatchObject({ endpoint: { id: other.endpoint.id }, project: undefined });
    expect(withoutProject?.delivery.status).toBe(DeliveryStatus.Processing);
  });

  it('outcomes are written only under the lease the claim returned', async () => {
    const world = await insertDeliveryWorld(db.dataSource, {
      eventCount: 2,
      subscriptionCount: 1,
    });
    const claimed = await claimedRows(deliveries, world.deliveryIds, 30);
    expect(claimed).toHaveLength(2);
    const [a, b] = claimed;
    if (!a?.leaseUntil || !b?.leaseUntil) throw new Error('claim returned no lease');
    // b's lease expired and another sender re-claimed it: b's first sender holds a stale lease.
    await db.dataSource.query(`UPDATE event_deliveries SET lease_until = now() + interval '1 minute' WHERE id = $1`, [
      b.id,
    ]);
    const written = await deliveries.recordOutcomesWithAttempts([
      { outcome: outcome(a.id, a.leaseUntil), attempt: null },
      { outcome: outcome(b.id, b.leaseUntil), attempt: null },
    ]);
    expect(written).toEqual([a.id]);
    const rows = await Promise.all([a.id, b.id].map((id) => deliveries.findById(world.project.id, id)));
    expect(rows.map((row) => [row?.status, row?.latencyMs, row?.leaseUntil])).toEqual([
      ['Success', 42, null],
      ['Processing', null, expect.any(Date)],
    ]);
    // A second write of the same outcome finds the row no longer Processing.
    expect(
      await deliveries.recordOutcomesWithAttempts([{ outcome: outcome(a.id, a.leaseUntil), attempt: null }]),
    ).toEqual([]);
  });

  it('recordOutcomesWithAttempts stores the attempts of the outcomes written, and none of a stale lease', async () => {
    const world = await insertDeliveryWorld(db.dataSource, { eventCount: 3, subscriptionCount: 1 });
    const claimed = await claimedRows(deliveries, world.deliveryIds, 30);
    const [a, b, c] = claimed;
    if (!a?.leaseUntil || !b?.leaseUntil || !c) throw new Error('claim returned no lease');
    await db.dataSource.query(`UPDATE event_deliveries SET lease_until = now() + interval '1 minute' WHERE id = $1`, [
      b.id,
    ]);
    const attempt = (deliveryId: string, fields: Record<string, unknown> = {}) => ({
      projectId: world.project.id,
      eventDeliveryId: deliveryId,
      endpointId: world.endpoint.id,
      url: 'https://receiver.test/hook',
      success: true,
      latencyMs: 7,
      ...fields,
    });
    const written = await deliveries.recordOutcomesWithAttempts([
      {
        outcome: outcome(a.id, a.leaseUntil),
        attempt: attempt(a.id, {
          httpStatus: 200,
          requestHttpHeader: { 'X-Convoy-Signature': ['t=1,v1=abc'] },
          responseHttpHeader: { 'Content-Type': ['text/plain'] },
          responseData: 'ok',
          traceId: 'trace-1',
        }),
      },
      { outcome: outcome(b.id, b.leaseUntil), attempt: attempt(b.id) },
      { outcome: { ...outcome(c.id, c.leaseUntil ?? new Date(), DeliveryStatus.Discarded) }, attempt: null },
    ]);
    expect(written.sort()).toEqual([a.id, c.id].sort());
    const attempts = await db.dataSource.query(
      `SELECT event_delivery_id, method, ip_address, request_http_header, response_http_header, http_status,
              response_data, error, success, latency_ms, trace_id, created_at
       FROM delivery_attempts WHERE event_delivery_id = ANY($1::text[])`,
      [[a.id, b.id, c.id]],
    );
    expect(attempts).toEqual([
      {
        event_delivery_id: a.id,
        method: 'POST',
        ip_address: '',
        request_http_header: { 'X-Convoy-Signature': ['t=1,v1=abc'] },
        response_http_header: { 'Content-Type': ['text/plain'] },
        http_status: 200,
        response_data: 'ok',
        error: null,
        success: true,
        latency_ms: 7,
        trace_id: 'trace-1',
        created_at: expect.any(Date),
      },
    ]);
    const rows = await Promise.all([a.id, b.id, c.id].map((id) => deliveries.findById(world.project.id, id)));
    expect(rows.map((row) => row?.status)).toEqual(['Success', 'Processing', 'Discarded']);
  });

  it('putBack returns unattempted rows to Scheduled (or Retry once attempted), deferred', async () => {
    const world = await insertDeliveryWorld(db.dataSource, {
      eventCount: 2,
      subscriptionCount: 1,
    });
    await db.dataSource.query(`UPDATE event_deliveries SET attempts = 1 WHERE id = $1`, [world.deliveryIds[1]]);
    const claimed = await claimedRows(deliveries, world.deliveryIds, 30);
    const later = new Date(Date.now() + 60_000);
    const back = await deliveries.putBack(
      claimed.map((d) => ({
        id: d.id,
        leaseUntil: d.leaseUntil as Date,
        nextSendTime: later,
      })),
    );
    expect(back.sort()).toEqual([...world.deliveryIds].sort());
    const rows = await Promise.all(world.deliveryIds.map((id) => deliveries.findById(world.project.id, id)));
    expect(rows.map((row) => row?.status)).toEqual(['Scheduled', 'Retry']);
    expect(rows.every((row) => row?.attempts === (row?.id === world.deliveryIds[1] ? 1 : 0))).toBe(true);
    expect(await claimedRows(deliveries, world.deliveryIds, 30)).toHaveLength(0);
  });

  it('withDueDoorbells rings Retry and deferred rows when due, fresh Scheduled rows only after the grace', async () => {
    const fresh = await insertDeliveryWorld(db.dataSource, {
      eventCount: 1,
      subscriptionCount: 1,
    });
    const retry = await insertDeliveryWorld(db.dataSource, {
      eventCount: 1,
      subscriptionCount: 1,
    });
    const deferred = await insertDeliveryWorld(db.dataSource, {
      eventCount: 1,
      subscriptionCount: 1,
    });
    const old = await insertDeliveryWorld(db.dataSource, {
      eventCount: 1,
      subscriptionCount: 1,
    });
    // A Retry row as the sender writes it: its next send comes after its update.
    await db.dataSource.query(
      `UPDATE event_deliveries SET status = 'Retry', attempts = 1, next_send_time = now() - interval '1 second', updated_at = now() - interval '3 seconds' WHERE id = $1`,
      [retry.deliveryIds[0]],
    );
    await db.dataSource.query(
      `UPDATE event_deliveries SET next_send_time = now() - interval '1 second', updated_at = now() - interval '2 seconds' WHERE id = $1`,
      [deferred.deliveryIds[0]],
    );
    await db.dataSource.query(`UPDATE event_deliveries SET updated_at = now() - interval '1 hour' WHERE id = $1`, [
      old.deliveryIds[0],
    ]);
    const due = await deliveries.withDueDoorbells(100, 10, async (refs) => refs.map((ref) => ref.id));
    expect(due).toEqual(expect.arrayContaining([retry.deliveryIds[0], deferred.deliveryIds[0], old.deliveryIds[0]]));
    expect(due).not.toContain(fresh.deliveryIds[0]);
    expect((await deliveries.dueBacklog()).count).toBeGreaterThanOrEqual(4);
    // Rung once: the next sweeps leave them alone until the grace passes (no doorbell storm).
    const again = await deliveries.withDueDoorbells(100, 10, async (refs) => refs.map((ref) => ref.id));
    expect(again).not.toEqual(expect.arrayContaining([retry.deliveryIds[0]]));
    expect(again).not.toContain(deferred.deliveryIds[0]);
    expect(again).not.toContain(old.deliveryIds[0]);
  });

  it('the meta-event sweep rings a due Retry row once, then not again before the grace passes', async () => {
    const project = await insertProject(db.dataSource);
    const metaEvents = new MetaEventsRepository(db.dataSource);
    const insert = () =>
      metaEvents.insert({
        projectId: project.id,
        eventType: 'endpoint.created',
        payload: Buffer.from('{}'),
        retryLimit: 3,
      });
    const retry = await insert();
    const fresh = await insert();
    // A Retry row as the meta-event sender writes it: its next send comes after its update.
    await db.dataSource.query(
      `UPDATE meta_events SET status = 'Retry', attempts = 1, next_send_time = now() - interval '1 second', updated_at = now() - interval '3 seconds' WHERE id = $1`,
      [retry.id],
    );
    const sweep = () => metaEvents.withDueDoorbells(100, 10, async (due) => due.map((row) => row.id));
    const first = await sweep();
    expect(first).toContain(retry.id);
    // A fresh Scheduled row's own doorbell is in flight: not rung before the grace.
    expect(first).not.toContain(fresh.id);
    // Rung once: however often the scheduler sweeps, not again before the grace passes.
    expect(await sweep()).not.toContain(retry.id);
    expect(await sweep()).not.toContain(retry.id);
    // Once the grace has passed since the ring, it is rung again (its doorbell may be lost).
    await db.dataSource.query(`UPDATE meta_events SET updated_at = now() - interval '11 seconds' WHERE id = $1`, [
      retry.id,
    ]);
    expect(await sweep()).toContain(retry.id);
  });

  it('ensureCatchAll creates exactly one catch-all subscription under concurrency', async () => {
    const project = await insertProject(db.dataSource);
    const endpoint = await insertEndpoint(db.dataSource, project.id);
    const subscriptions = new SubscriptionsRepository(db.dataSource);
    const created = await Promise.all(
      Array.from({ length: 5 }, () => subscriptions.ensureCatchAll(project.id, endpoint.id)),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await subscriptions.findByEndpoint(project.id, endpoint.id)).toHaveLength(1);
    const other = await insertEndpoint(db.dataSource, project.id);
    await insertSubscription(db.dataSource, project.id, other.id, {
      eventTypes: ['a.b'],
    });
    expect(await subscriptions.ensureCatchAll(project.id, other.id)).toBeNull();
  });

  it('deactivate flips a live endpoint once', async () => {
    const project = await insertProject(db.dataSource);
    const endpoint = await insertEndpoint(db.dataSource, project.id);
    const endpoints = new EndpointsRepository(db.dataSource);
    expect((await endpoints.deactivate(project.id, endpoint.id))?.status).toBe('inactive');
    expect(await endpoints.deactivate(project.id, endpoint.id)).toBeNull();
    expect(await endpoints.findByRefs([{ projectId: 'other-project', id: endpoint.id }])).toEqual([]);
  });
});
