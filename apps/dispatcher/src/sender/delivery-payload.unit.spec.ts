import { ManualClock } from '@caravan/domain';
import type { SubscriptionEntity, SubscriptionsRepository } from '@caravan/persistence';
import type { TransformPool } from '@caravan/sandbox';
import { aDelivery, anEndpoint, anEvent, aProject } from '../testing/unit-fixtures.helper';
import { DeliveryPayload } from './delivery-payload.service';

describe('DeliveryPayload', () => {
  const clock = new ManualClock();
  const project = aProject();
  const endpoint = anEndpoint(project);
  const event = anEvent(project, { raw: Buffer.from('{"n":1}') });

  function setUp(read: () => Promise<Partial<SubscriptionEntity> | null>) {
    const findById = jest.fn(read);
    const run = jest.fn(async (_kind: string, _code: string, data: unknown) => ({ value: { wrapped: data } }));
    const payload = new DeliveryPayload(
      { findById } as unknown as SubscriptionsRepository,
      { run } as unknown as TransformPool,
    );
    return { payload, findById, run };
  }

  it("sends the event's exact bytes when the subscription has no function", async () => {
    const { payload } = setUp(async () => ({ function: null }));
    const body = await payload.bodyFor(aDelivery(event, endpoint, clock), event);
    expect(body).toEqual({ ok: true, body: event.raw });
  });

  it('sends what the function returns when there is one', async () => {
    const { payload, run } = setUp(async () => ({ function: 'function transform(d) { return d }' }));
    const body = await payload.bodyFor(aDelivery(event, endpoint, clock), event);
    expect(run).toHaveBeenCalledTimes(1);
    expect(body).toEqual({ ok: true, body: Buffer.from('{"wrapped":{"n":1}}') });
  });

  it('reads a subscription once for all the deliveries of a claim, even while the first read is in flight', async () => {
    const { payload, findById } = setUp(async () => ({ function: null }));
    const subscriptionId = 'sub-1';
    const deliveries = Array.from({ length: 20 }, () => aDelivery(event, endpoint, clock, { subscriptionId }));
    const bodies = await Promise.all(deliveries.map((delivery) => payload.bodyFor(delivery, event)));
    expect(bodies.every((body) => body.ok)).toBe(true);
    expect(findById).toHaveBeenCalledTimes(1);
    expect(findById).toHaveBeenCalledWith(project.id, subscriptionId);
  });

  it('does not remember a failed read: the next delivery reads again', async () => {
    let calls = 0;
    const { payload, findById } = setUp(async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection reset');
      return { function: null };
    });
    const delivery = aDelivery(event, endpoint, clock, { subscriptionId: 'sub-2' });
    await expect(payload.bodyFor(delivery, event)).rejects.toThrow('connection reset');
    await expect(payload.bodyFor(delivery, event)).resolves.toEqual({ ok: true, body: event.raw });
    expect(findById).toHaveBeenCalledTimes(2);
  });
});
