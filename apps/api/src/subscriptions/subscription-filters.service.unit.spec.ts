import { NotFoundException } from '@nestjs/common';
import { ApiWorld } from '../testing/api-world.helper';
import type { CreateFilterDto } from './dto/create-filter.dto';
import { refusedFields } from '../testing/refused-fields.helper';

describe('SubscriptionFiltersService (in memory, manual clock)', () => {
  async function world() {
    const w = new ApiWorld();
    const project = w.project();
    const endpoint = w.endpoint(project);
    const { subscription } = await w.subscriptions.create(project.id, {
      name: 's',
      endpoint_id: endpoint.id,
      filter_config: { filter: { body: { own: true } } },
    });
    const filter = (fields: Partial<CreateFilterDto>) =>
      ({ event_type: 'order.created', ...fields }) as CreateFilterDto;
    return Object.assign(w, { p: project, s: subscription, filter });
  }

  describe('create', () => {
    it('stores the flattened filter the router evaluates and the raw one as sent, enabled from now by default', async () => {
      const w = await world();
      await w.clock.advance(5_000);
      const [created] = await w.filters.create(
        w.p.id,
        w.s.id,
        [w.filter({ body: { order: { amount: { $gte: 10 } } }, headers: { 'x-a': 'b' } })],
        false,
      );
      expect(created).toMatchObject({
        eventType: 'order.created',
        rawBody: { order: { amount: { $gte: 10 } } },
        body: { 'order.amount': { $gte: 10 } },
        rawHeaders: { 'x-a': 'b' },
        enabledAt: new Date(w.clock.now()),
      });
    });

    it('enabled_at null stores the filter off; a given RFC 3339 time is kept; anything else is refused', async () => {
      const w = await world();
      const [off, later] = await w.filters.create(
        w.p.id,
        w.s.id,
        [
          w.filter({ event_type: 'a', enabled_at: null }),
          w.filter({ event_type: 'b', enabled_at: '2030-01-01T00:00:00Z' }),
        ],
        true,
      );
      expect(off?.enabledAt).toBeNull();
      expect(later?.enabledAt).toEqual(new Date('2030-01-01T00:00:00Z'));
      expect(
        await refusedFields(
          w.filters.create(w.p.id, w.s.id, [w.filter({ event_type: 'c' }), w.filter({ enabled_at: 'tomorrow' })], true),
        ),
      ).toEqual(['[1].enabled_at']);
    });

    it('all or nothing: a type given twice or already filtered refuses the whole request, naming event_type', async () => {
      const w = await world();
      expect(await refusedFields(w.filters.create(w.p.id, w.s.id, [w.filter({}), w.filter({})], true))).toEqual([
        '[1].event_type',
      ]);
      expect(w.store.filters.size).toBe(0);
      await w.filters.create(w.p.id, w.s.id, [w.filter({})], false);
      expect(
        await refusedFields(w.filters.create(w.p.id, w.s.id, [w.filter({ event_type: 'other' }), w.filter({})], true)),
      ).toEqual(['event_type']);
      expect([...w.store.filters.values()].map((f) => f.eventType)).toEqual(['order.created']);
    });

    it('an invalid expression is refused with its path; bulk names the item', async () => {
      const w = await world();
      expect(
        await refusedFields(
          w.filters.create(
            w.p.id,
            w.s.id,
            [w.filter({ event_type: 'a' }), w.filter({ body: { x: { $nope: 1 } } })],
            true,
          ),
        ),
      ).toEqual(['[1].body.x']);
      expect(
        await refusedFields(w.filters.create(w.p.id, w.s.id, [w.filter({ headers: { h: { $nope: 1 } } })], false)),
      ).toEqual(['headers.h']);
    });

    it("another project's subscription is not found", async () => {
      const w = await world();
      await expect(w.filters.create(w.project().id, w.s.id, [w.filter({})], false)).rejects.toThrow(NotFoundException);
    });
  });

  describe('test', () => {
    it("applies the type's filter once it is enabled by the clock, before that the subscription's own", async () => {
      const w = await world();
      await w.filters.create(
        w.p.id,
        w.s.id,
        [w.filter({ body: { amount: { $gt: 100 } }, enabled_at: new Date(w.clock.now() + 60_000).toISOString() })],
        false,
      );
      const sample = (payload: unknown) => w.filters.test(w.p.id, w.s.id, 'order.created', { payload });
      // Not enabled yet: the subscription's own filter ({own: true}) decides.
      expect(await sample({ own: true, amount: 1 })).toBe(true);
      expect(await sample({ amount: 500 })).toBe(false);
      await w.clock.advance(60_000);
      expect(await sample({ own: true, amount: 1 })).toBe(false);
      expect(await sample({ amount: 500 })).toBe(true);
    });

    it('the * filter applies to a type without its own; an exact type wins over *', async () => {
      const w = await world();
      await w.filters.create(
        w.p.id,
        w.s.id,
        [w.filter({ event_type: '*', body: { any: 1 } }), w.filter({ event_type: 'exact', body: { exact: 1 } })],
        true,
      );
      expect(await w.filters.test(w.p.id, w.s.id, 'other', { payload: { any: 1 } })).toBe(true);
      expect(await w.filters.test(w.p.id, w.s.id, 'exact', { payload: { any: 1 } })).toBe(false);
      expect(await w.filters.test(w.p.id, w.s.id, 'exact', { payload: { exact: 1 } })).toBe(true);
    });

    it('reads sample headers given as strings, arrays or other values', async () => {
      const w = await world();
      await w.filters.create(w.p.id, w.s.id, [w.filter({ headers: { 'x-n': '3' } })], false);
      const withHeaders = (headers: Record<string, unknown>) =>
        w.filters.test(w.p.id, w.s.id, 'order.created', { request: { body: {}, headers } });
      expect(await withHeaders({ 'x-n': 3 })).toBe(true);
      expect(await withHeaders({ 'x-n': ['1', '3'] })).toBe(true);
      expect(await withHeaders({ 'x-n': '4' })).toBe(false);
    });
  });

  describe('update', () => {
    it('re-flattens a changed body, all or nothing across a bulk update, 404 for an id not of this subscription', async () => {
      const w = await world();
      const [a, b] = await w.filters.create(
        w.p.id,
        w.s.id,
        [w.filter({ event_type: 'a' }), w.filter({ event_type: 'b' })],
        true,
      );
      const updated = await w.filters.update(w.p.id, w.s.id, a?.id ?? '', { body: { x: { y: 1 } } });
      expect(updated).toMatchObject({ rawBody: { x: { y: 1 } }, body: { 'x.y': 1 } });

      await expect(
        w.filters.updateMany(w.p.id, w.s.id, [
          { uid: b?.id ?? '', body: { changed: true } },
          { uid: 'missing', body: {} },
        ]),
      ).rejects.toThrow(NotFoundException);
      expect(b?.rawBody).toEqual({});

      expect(
        await refusedFields(w.filters.updateMany(w.p.id, w.s.id, [{ uid: b?.id ?? '', event_type: 'a' }])),
      ).toEqual(['event_type']);
      expect(b?.eventType).toBe('b');
    });

    it('remove deletes the filter; a second time it is not found', async () => {
      const w = await world();
      const [created] = await w.filters.create(w.p.id, w.s.id, [w.filter({})], false);
      await w.filters.remove(w.p.id, w.s.id, created?.id ?? '');
      expect(w.store.filters.size).toBe(0);
      await expect(w.filters.remove(w.p.id, w.s.id, created?.id ?? '')).rejects.toThrow(NotFoundException);
    });
  });
});
