import { flattenFilter } from '@caravan/domain';
import { EventEntity, ProjectEntity, SubscriptionFiltersRepository } from '@caravan/persistence';
import { eventually, insertEndpoint, insertProject, insertSubscription } from '@caravan/testing';
import { DispatcherHarness } from './support/dispatcher-harness';

/** The router applies a subscription's filter for the event's type, falling back to the subscription's own. */
describe('dispatcher: per-event-type subscription filters', () => {
  jest.setTimeout(120_000);
  let h: DispatcherHarness;
  let project: ProjectEntity;
  let filters: SubscriptionFiltersRepository;

  /** The event's delivery count once the router has handled it. */
  async function deliveriesOnceRouted(event: EventEntity): Promise<number> {
    await eventually(
      () => h.dataSource.getRepository(EventEntity).findOneByOrFail({ id: event.id }),
      (row) => row.status !== 'Pending',
    );
    return (await h.deliveriesOf(event.id)).length;
  }

  const broadcast = (eventType: string, body: object) =>
    h.publish(project.id, { routing: 'broadcast', eventType, body: JSON.stringify(body) });

  beforeAll(async () => {
    h = await DispatcherHarness.start('type-filters');
    project = await insertProject(h.dataSource);
    filters = new SubscriptionFiltersRepository(h.dataSource);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it("routes by the type's filter, falls back to the subscription's filter for other types and once it is deleted", async () => {
    const endpoint = await insertEndpoint(h.dataSource, project.id, { url: h.receiver.url('/typed') });
    const subscription = await insertSubscription(h.dataSource, project.id, endpoint.id, {
      filterBody: { amount: { $gte: 1000 } },
    });
    const rawBody = { customer: { region: 'eu' } };
    const [typed] = await filters.insertMany(project.id, subscription.id, [
      {
        eventType: 'invoice.paid',
        rawBody,
        body: flattenFilter(rawBody),
        rawHeaders: {},
        headers: {},
        enabledAt: new Date(),
      },
    ]);

    // invoice.paid: the type's filter decides, the subscription's amount rule does not apply.
    expect(await deliveriesOnceRouted(await broadcast('invoice.paid', { amount: 5, customer: { region: 'eu' } }))).toBe(
      1,
    );
    expect(
      await deliveriesOnceRouted(await broadcast('invoice.paid', { amount: 5000, customer: { region: 'us' } })),
    ).toBe(0);
    // Another type: the subscription's own filter.
    expect(await deliveriesOnceRouted(await broadcast('invoice.voided', { amount: 5000 }))).toBe(1);
    expect(
      await deliveriesOnceRouted(await broadcast('invoice.voided', { amount: 5, customer: { region: 'eu' } })),
    ).toBe(0);

    expect(await filters.delete(project.id, subscription.id, typed?.id ?? '')).toBe(true);
    expect(await deliveriesOnceRouted(await broadcast('invoice.paid', { amount: 5, customer: { region: 'eu' } }))).toBe(
      0,
    );
    expect(
      await deliveriesOnceRouted(await broadcast('invoice.paid', { amount: 5000, customer: { region: 'us' } })),
    ).toBe(1);
  });

  it('ignores a disabled filter, and uses a "*" filter for types without their own', async () => {
    project = await insertProject(h.dataSource);
    const endpoint = await insertEndpoint(h.dataSource, project.id, { url: h.receiver.url('/star') });
    const subscription = await insertSubscription(h.dataSource, project.id, endpoint.id, {
      filterBody: { kind: 'own' },
    });
    await filters.insertMany(project.id, subscription.id, [
      {
        eventType: 'a.disabled',
        rawBody: { kind: 'off' },
        body: { kind: 'off' },
        rawHeaders: {},
        headers: {},
        enabledAt: null,
      },
      {
        eventType: '*',
        rawBody: { kind: 'star' },
        body: { kind: 'star' },
        rawHeaders: {},
        headers: {},
        enabledAt: new Date(),
      },
    ]);
    expect(await deliveriesOnceRouted(await broadcast('a.disabled', { kind: 'off' }))).toBe(0);
    expect(await deliveriesOnceRouted(await broadcast('a.disabled', { kind: 'star' }))).toBe(1);
    expect(await deliveriesOnceRouted(await broadcast('b.other', { kind: 'own' }))).toBe(0);
    expect(await deliveriesOnceRouted(await broadcast('b.other', { kind: 'star' }))).toBe(1);
  });
});
