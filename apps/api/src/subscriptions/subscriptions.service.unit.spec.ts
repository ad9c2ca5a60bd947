import { NotFoundException } from '@nestjs/common';
import { DeliveryMode, SourceType } from '@caravan/domain';
import { ApiWorld } from '../testing/api-world.helper';
import type { CreateSubscriptionDto } from './dto/create-subscription.dto';
import type { TestFilterDto } from './dto/test-filter.dto';
import { refusedFields } from '../testing/refused-fields.helper';

describe('SubscriptionsService (in memory)', () => {
  function world() {
    const w = new ApiWorld();
    const project = w.project();
    const endpoint = w.endpoint(project);
    const input = (fields: Partial<CreateSubscriptionDto> = {}) =>
      ({ name: 'orders', endpoint_id: endpoint.id, ...fields }) as CreateSubscriptionDto;
    return Object.assign(w, { p: project, e: endpoint, input });
  }

  describe('create', () => {
    it("stores Convoy's defaults: every event type, at-least-once, no function, no source", async () => {
      const w = world();
      const { subscription, endpoint } = await w.subscriptions.create(
        w.p.id,
        w.input({ source_id: '', function: '', delivery_mode: '' as DeliveryMode }),
      );
      expect(endpoint).toBe(w.e);
      expect(w.store.subscriptions.get(subscription.id)).toMatchObject({
        projectId: w.p.id,
        endpointId: w.e.id,
        eventTypes: ['*'],
        filterBody: {},
        filterHeaders: {},
        deliveryMode: DeliveryMode.AtLeastOnce,
        function: null,
        sourceId: null,
      });
    });

    it('keeps the event types once each, and the filter as given', async () => {
      const w = world();
      const { subscription } = await w.subscriptions.create(
        w.p.id,
        w.input({
          filter_config: {
            event_types: ['a', 'b', 'a'],
            filter: { body: { amount: { $gte: 10 } }, headers: { 'x-tenant': 'acme' } },
          },
        }),
      );
      expect(subscription).toMatchObject({
        eventTypes: ['a', 'b'],
        filterBody: { amount: { $gte: 10 } },
        filterHeaders: { 'x-tenant': 'acme' },
      });
    });

    it("refuses another project's endpoint or source like unknown ones, naming the field, storing nothing", async () => {
      const w = world();
      const other = w.project();
      const theirEndpoint = w.endpoint(other);
      const theirSource = await w.sources.create(other.id, { name: 's', type: SourceType.Http });
      expect(await refusedFields(w.subscriptions.create(w.p.id, w.input({ endpoint_id: theirEndpoint.id })))).toEqual([
        'endpoint_id',
      ]);
      expect(await refusedFields(w.subscriptions.create(w.p.id, w.input({ source_id: theirSource.id })))).toEqual([
        'source_id',
      ]);
      expect(w.store.subscriptions.size).toBe(0);
      const mine = await w.sources.create(w.p.id, { name: 's', type: SourceType.Http });
      const { subscription } = await w.subscriptions.create(w.p.id, w.input({ source_id: mine.id }));
      expect(subscription.sourceId).toBe(mine.id);
    });

    it('refuses an invalid filter before looking anything up, naming each bad part', async () => {
      const w = world();
      const fields = await refusedFields(
        w.subscriptions.create(
          w.p.id,
          w.input({
            endpoint_id: 'unknown',
            filter_config: { event_types: [''], filter: { body: { a: { $nope: 1 } } } },
          } as never),
        ),
      );
      expect(fields).toEqual(['filter_config.event_types[0]', 'filter_config.filter.body.a']);
    });
  });

  describe('update', () => {
    it('changes only the given fields; a filter_config replaces types and filters, an empty function clears it', async () => {
      const w = world();
      const { subscription } = await w.subscriptions.create(
        w.p.id,
        w.input({ function: 'function f(p) { return p }', filter_config: { event_types: ['a'] } }),
      );
      const { subscription: updated } = await w.subscriptions.update(w.p.id, subscription.id, {
        function: '',
        filter_config: { filter: { body: { n: 1 } } },
      });
      expect(updated).toMatchObject({
        name: 'orders',
        function: null,
        eventTypes: ['*'],
        filterBody: { n: 1 },
      });
    });

    it("moves to another endpoint of the project only; another project's subscription is not found", async () => {
      const w = world();
      const { subscription } = await w.subscriptions.create(w.p.id, w.input());
      const second = w.endpoint(w.p);
      const { endpoint } = await w.subscriptions.update(w.p.id, subscription.id, { endpoint_id: second.id });
      expect(endpoint?.id).toBe(second.id);
      const foreign = w.endpoint(w.project());
      expect(await refusedFields(w.subscriptions.update(w.p.id, subscription.id, { endpoint_id: foreign.id }))).toEqual(
        ['endpoint_id'],
      );
      await expect(w.subscriptions.update(w.project().id, subscription.id, { name: 'x' })).rejects.toThrow(
        NotFoundException,
      );
      expect(subscription.endpointId).toBe(second.id);
    });
  });

  it('remove soft-deletes once; then the subscription is not found', async () => {
    const w = world();
    const { subscription } = await w.subscriptions.create(w.p.id, w.input());
    await w.subscriptions.remove(w.p.id, subscription.id);
    expect(subscription.deletedAt).toEqual(new Date(w.clock.now()));
    await expect(w.subscriptions.remove(w.p.id, subscription.id)).rejects.toThrow(NotFoundException);
    await expect(w.subscriptions.get(w.p.id, subscription.id)).rejects.toThrow(NotFoundException);
  });

  it('list gives each subscription its endpoint', async () => {
    const w = world();
    const second = w.endpoint(w.p);
    await w.subscriptions.create(w.p.id, w.input());
    await w.subscriptions.create(w.p.id, w.input({ endpoint_id: second.id }));
    const page = await w.subscriptions.list(w.p.id, { endpointIds: [second.id] }, {});
    expect(page.content.map((view) => view.endpoint?.id)).toEqual([second.id]);
  });

  it('testFilter matches body and header filters as the router does, and refuses an invalid schema', async () => {
    const w = world();
    const test = (schema: object, request: object) =>
      w.subscriptions.testFilter({ schema, request } as unknown as TestFilterDto);
    const schema = { body: { amount: { $gt: 10 } }, header: { 'x-tenant': 'acme' } };
    expect(test(schema, { body: { amount: 11 }, header: { 'X-Tenant': 'acme' } })).toBe(true);
    expect(test(schema, { body: { amount: 10 }, header: { 'X-Tenant': 'acme' } })).toBe(false);
    expect(test(schema, { body: { amount: 11 }, header: { 'X-Tenant': 'other' } })).toBe(false);
    expect(await refusedFields(() => test({ body: { a: { $nope: 1 } } }, { body: {} }))).toEqual(['schema.body.a']);
  });
});
