import { Logger } from '@nestjs/common';
import { DeliveryStatus, MetaEventType } from '@caravan/domain';
import { aDelivery, counted } from '../testing/unit-fixtures.helper';
import { SenderWorld } from '../testing/sender-world.helper';
import { deliveryUpdate, SettledDelivery } from './settled-delivery';

const { Processing, Success, Failure, Retry } = DeliveryStatus;

/** A claimed delivery (held by this process's leases) and its outcome. */
async function claimedOutcome(w: SenderWorld, status: DeliveryStatus, extra: Partial<SettledDelivery> = {}) {
  const seeded = w.seed({
    project: {
      meta_event: { is_enabled: true, type: 'http', url: 'https://meta.example', secret: 's', event_type: ['*'] },
    },
  });
  const [{ delivery: claimed }] = await w.deliveries.claimDueForSending([seeded.deliveries[0].id], 30);
  w.leases.hold(claimed.id, claimed.leaseUntil as Date);
  const settled: SettledDelivery = {
    delivery: claimed,
    ...seeded,
    attempt: {
      projectId: claimed.projectId,
      eventDeliveryId: claimed.id,
      endpointId: claimed.endpointId,
      url: seeded.endpoint.url,
      method: 'POST',
      ipAddress: '',
      requestHttpHeader: {},
      responseHttpHeader: {},
      httpStatus: status === Success ? 200 : 500,
      responseData: '',
      error: null,
      success: status === Success,
      latencyMs: 1,
    },
    update: deliveryUpdate(claimed, status, status === Success ? '' : 'failed', 1, null, 5),
    disableEndpoint: false,
    ...extra,
  };
  return { ...seeded, claimed, settled };
}

describe('OutcomeWriter (in memory)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('writes the outcome and its attempt together, counts the final status and publishes eventdelivery.success', async () => {
    const w = new SenderWorld();
    const { claimed, settled } = await claimedOutcome(w, Success);
    await w.writer.write([settled]);

    expect(w.store.delivery(claimed.id)).toMatchObject({ status: Success, attempts: 1, latencyMs: 5 });
    expect(w.store.attemptsOf(claimed.id)).toHaveLength(1);
    expect(await counted(w.metrics.deliveriesFinal, { status: Success })).toBe(1);
    expect(w.store.metaEvents.map((m) => m.type)).toEqual([MetaEventType.EventDeliverySuccess]);
  });

  it('writes nothing of a claim whose lease passed to another sender: no attempt, no metric, no meta event', async () => {
    const w = new SenderWorld();
    const { claimed, settled } = await claimedOutcome(w, Success);
    // Its lease expired and another sender re-claimed the row.
    await w.clock.advance(31_000);
    await w.deliveries.releaseExpiredLeases(10);
    await w.deliveries.claimDueForSending([claimed.id], 30);
    await w.writer.write([settled]);

    expect(w.store.delivery(claimed.id).status).toBe(Processing);
    expect(w.store.attemptsOf(claimed.id)).toHaveLength(0);
    expect(await counted(w.metrics.deliveriesFinal, { status: Success })).toBe(0);
    expect(w.store.metaEvents).toHaveLength(0);
  });

  it('a Retry is written with no meta event and no final count', async () => {
    const w = new SenderWorld();
    const { claimed, settled } = await claimedOutcome(w, Retry);
    await w.writer.write([settled]);
    expect(w.store.delivery(claimed.id).status).toBe(Retry);
    expect(w.store.metaEvents).toHaveLength(0);
    expect(await counted(w.metrics.deliveriesFinal, { status: Retry })).toBe(0);
  });

  it('disables an endpoint once, publishes endpoint.updated and notifies once, however many outcomes ask', async () => {
    const w = new SenderWorld();
    const first = await claimedOutcome(w, Failure, { disableEndpoint: true });
    const sibling = aDelivery(first.event, first.endpoint, w.clock);
    w.store.add(w.store.deliveries, sibling);
    const [{ delivery: second }] = await w.deliveries.claimDueForSending([sibling.id], 30);
    w.leases.hold(second.id, second.leaseUntil as Date);
    await w.writer.write([
      first.settled,
      { ...first.settled, delivery: second, update: deliveryUpdate(second, Failure, 'failed', 1, null, null) },
    ]);

    expect(w.store.endpoints.get(first.endpoint.id)?.status).toBe('inactive');
    expect(w.store.metaEvents.filter((m) => m.type === MetaEventType.EndpointUpdated)).toHaveLength(1);
    expect(w.disabled).toHaveLength(1);
    expect(w.disabled[0].endpoint.id).toBe(first.endpoint.id);
  });

  it('records the breaker changes the attempts made', async () => {
    const w = new SenderWorld();
    const { endpoint, settled } = await claimedOutcome(w, Retry, { breakerChange: 'open' });
    await w.writer.write([settled]);
    expect(w.endpoints.breakerStates).toEqual([{ endpointId: endpoint.id, state: 'open' }]);
  });

  it('put-backs carry the current lease, so a renewed claim is still put back', async () => {
    const w = new SenderWorld();
    const { claimed } = await claimedOutcome(w, Success);
    await w.clock.advance(10_000);
    await w.leases.renew();
    await w.writer.putBack([
      { id: claimed.id, leaseUntil: claimed.leaseUntil as Date, nextSendTime: new Date(w.clock.now()) },
    ]);
    expect(w.store.delivery(claimed.id)).toMatchObject({ status: DeliveryStatus.Scheduled, leaseUntil: null });
  });
});
