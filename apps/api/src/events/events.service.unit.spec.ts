import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { EventStatus, MetaEventType, newId, SourceType } from '@caravan/domain';
import { EventRejectedError } from '@caravan/intake';
import { anEvent } from '@caravan/testing';
import { ApiWorld } from '../testing/api-world.helper';

/** The EventRejectedError's reason and field, or the error itself when it is another. */
async function rejection(work: Promise<unknown>): Promise<{ reason: string; field?: string }> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof EventRejectedError)) throw new Error(`expected EventRejectedError, got ${String(error)}`);
  return { reason: error.reason, ...(error.field ? { field: error.field } : {}) };
}

/** A request body as the producer sent it, and the DTO the validation pipe makes of it. */
function request<T extends object>(body: T): { dto: T; raw: Buffer } {
  return { dto: body, raw: Buffer.from(JSON.stringify(body, null, 2)) };
}

describe('EventsService (real intake, in memory, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  function world() {
    const w = new ApiWorld();
    const project = w.project();
    const endpoint = w.endpoint(project, { ownerId: 'acme' });
    const rungIds = () => w.store.rungEvents.map((bell) => bell.event_id);
    return Object.assign(w, { p: project, e: endpoint, rungIds });
  }

  describe('direct', () => {
    it("stores the exact bytes of data, the custom headers as arrays and the clock's time, then rings the event", async () => {
      const w = world();
      await w.clock.advance(42_000);
      const raw = Buffer.from('{"endpoint_id":"X","event_type":"order.created","data": { "b":2,  "a":1 }}');
      const body = {
        endpoint_id: w.e.id,
        event_type: 'order.created',
        data: { b: 2, a: 1 },
        custom_headers: { 'X-A': 'b' },
      };

      const { event, duplicate } = await w.events.createDirect(w.p.id, body, raw);
      expect(duplicate).toBe(false);
      expect(w.store.events.get(event.id)).toMatchObject({
        projectId: w.p.id,
        routing: 'direct',
        endpointIds: [w.e.id],
        eventType: 'order.created',
        headers: { 'X-A': ['b'] },
        status: EventStatus.Pending,
        acknowledgedAt: new Date(w.clock.now()),
      });
      expect(event.raw.toString()).toBe('{ "b":2,  "a":1 }');
      expect(w.rungIds()).toEqual([event.id]);
    });

    it('re-serialises data only when the raw body is missing', async () => {
      const w = world();
      const { event } = await w.events.createDirect(
        w.p.id,
        { endpoint_id: w.e.id, event_type: 't', data: { a: [1, 2] } },
        undefined,
      );
      expect(event.raw.toString()).toBe('{"a":[1,2]}');
    });

    it("refuses an endpoint that is not the project's (reason invalid, field endpoint_id), storing and ringing nothing", async () => {
      const w = world();
      const other = w.endpoint(w.project());
      for (const endpointId of [other.id, 'unknown']) {
        const { dto, raw } = request({ endpoint_id: endpointId, event_type: 't', data: {} });
        expect(await rejection(w.events.createDirect(w.p.id, dto, raw))).toEqual({
          reason: 'invalid',
          field: 'endpoint_id',
        });
      }
      expect(w.store.events.size).toBe(0);
      expect(w.rungIds()).toEqual([]);
    });

    it('an unknown project is refused as project-not-found', async () => {
      const w = world();
      const { dto, raw } = request({ endpoint_id: w.e.id, event_type: 't', data: {} });
      expect(await rejection(w.events.createDirect('gone', dto, raw))).toEqual({ reason: 'project-not-found' });
    });

    it("refuses data over the project's max_payload_read_size as too-large", async () => {
      const w = world();
      w.p.config.max_payload_read_size = 10;
      const { dto, raw } = request({ endpoint_id: w.e.id, event_type: 't', data: 'x'.repeat(20) });
      expect(await rejection(w.events.createDirect(w.p.id, dto, raw))).toEqual({ reason: 'too-large' });
      expect(w.store.events.size).toBe(0);
    });
  });

  describe('idempotency', () => {
    it('a second event with a used key is stored as a duplicate, flagged, and never rung', async () => {
      const w = world();
      const { dto, raw } = request({ endpoint_id: w.e.id, event_type: 't', data: {}, idempotency_key: 'k1' });
      const first = await w.events.createDirect(w.p.id, dto, raw);
      const second = await w.events.createDirect(w.p.id, dto, raw);
      expect(first.duplicate).toBe(false);
      expect(second.duplicate).toBe(true);
      expect(second.event.id).not.toBe(first.event.id);
      expect(w.store.events.get(second.event.id)).toMatchObject({
        isDuplicateEvent: true,
        status: EventStatus.Success,
      });
      expect(w.rungIds()).toEqual([first.event.id]);
    });

    it('an empty key means none: both events are originals', async () => {
      const w = world();
      const { dto, raw } = request({ endpoint_id: w.e.id, event_type: 't', data: {}, idempotency_key: '' });
      await w.events.createDirect(w.p.id, dto, raw);
      const second = await w.events.createDirect(w.p.id, dto, raw);
      expect(second.duplicate).toBe(false);
      expect(second.event.idempotencyKey).toBeNull();
    });

    it('a failed batch insert is retried row by row: the event is stored once and rung once', async () => {
      const w = world();
      w.eventRows.failNextBatch = true;
      const { dto, raw } = request({ endpoint_id: w.e.id, event_type: 't', data: {} });
      const { event } = await w.events.createDirect(w.p.id, dto, raw);
      expect([...w.store.events.keys()]).toEqual([event.id]);
      expect(w.rungIds()).toEqual([event.id]);
    });
  });

  describe('fanout and broadcast', () => {
    it('fanout goes to every endpoint of the owner, and refuses an owner without endpoints (field owner_id)', async () => {
      const w = world();
      const second = w.endpoint(w.p, { ownerId: 'acme' });
      w.endpoint(w.p, { ownerId: 'someone-else' });
      const { dto, raw } = request({ owner_id: 'acme', event_type: 't', data: {} });
      const { event } = await w.events.createFanout(w.p.id, dto, raw);
      expect(new Set(event.endpointIds)).toEqual(new Set([w.e.id, second.id]));
      expect(event).toMatchObject({ routing: 'fanout', ownerId: 'acme' });

      const nobody = request({ owner_id: 'nobody', event_type: 't', data: {} });
      expect(await rejection(w.events.createFanout(w.p.id, nobody.dto, nobody.raw))).toEqual({
        reason: 'invalid',
        field: 'owner_id',
      });
    });

    it("broadcast names no endpoint and keeps the producer's acknowledged_at; without one it is the clock's now", async () => {
      const w = world();
      const given = request({ event_type: 't', data: {}, acknowledged_at: '2025-06-01T10:00:00Z' });
      const { event } = await w.events.createBroadcast(w.p.id, given.dto, given.raw);
      expect(event).toMatchObject({
        routing: 'broadcast',
        endpointIds: [],
        acknowledgedAt: new Date('2025-06-01T10:00:00Z'),
      });
      const none = request({ event_type: 't', data: {} });
      const { event: now } = await w.events.createBroadcast(w.p.id, none.dto, none.raw);
      expect(now.acknowledgedAt).toEqual(new Date(w.clock.now()));
    });
  });

  describe('dynamic', () => {
    it('creates the endpoint through EndpointsService (same endpoint.created payload as the endpoints route) and routes to it', async () => {
      const w = world();
      const { dto, raw } = request({ url: 'https://dynamic.example/', event_type: 'order.created', data: { n: 1 } });
      const { event } = await w.events.createDynamic(w.p.id, dto, raw);
      const [endpointId] = event.endpointIds;
      const created = w.store.endpoints.get(endpointId ?? '');
      expect(created).toMatchObject({ url: 'https://dynamic.example/', advancedSignatures: true });
      expect(event).toMatchObject({ routing: 'dynamic', acknowledgedAt: new Date(w.clock.now()) });
      expect(w.rungIds()).toEqual([event.id]);

      // The endpoints route's payload for an endpoint has the very same fields.
      const viaRoute = await w.endpoints.create(w.p.id, { name: 'r', url: 'https://route.example/' } as never);
      const [dynamicPayload, routePayload] = w.metaEventsOf(MetaEventType.EndpointCreated).map((m) => m.data);
      expect(dynamicPayload?.['uid']).toBe(endpointId);
      expect(Object.keys(dynamicPayload ?? {}).sort()).toEqual(Object.keys(routePayload ?? {}).sort());
      expect(routePayload?.['uid']).toBe(viaRoute.id);
    });

    it('reuses the endpoint of a known URL without announcing it again', async () => {
      const w = world();
      const { dto, raw } = request({ url: 'https://dynamic.example/', event_type: 't', data: {} });
      const first = await w.events.createDynamic(w.p.id, dto, raw);
      const second = await w.events.createDynamic(w.p.id, dto, raw);
      expect(second.event.endpointIds).toEqual(first.event.endpointIds);
      expect(w.metaEventsOf(MetaEventType.EndpointCreated)).toHaveLength(1);
    });

    it('keeps the project rules: enforce_secure_endpoints refuses http, too-large data creates no endpoint', async () => {
      const w = world();
      w.p.config.ssl.enforce_secure_endpoints = true;
      const insecure = request({ url: 'http://dynamic.example/', event_type: 't', data: {} });
      await expect(w.events.createDynamic(w.p.id, insecure.dto, insecure.raw)).rejects.toThrow(
        /url: must be an https URL/,
      );

      w.p.config.max_payload_read_size = 5;
      const big = request({ url: 'https://dynamic.example/', event_type: 't', data: 'x'.repeat(10) });
      expect(await rejection(w.events.createDynamic(w.p.id, big.dto, big.raw))).toEqual({ reason: 'too-large' });
      expect([...w.store.endpoints.values()].map((e) => e.id)).toEqual([w.e.id]);
      expect(w.store.events.size).toBe(0);
    });
  });

  describe('replay', () => {
    function stored(w: ReturnType<typeof world>, fields: Parameters<typeof anEvent>[1] = {}) {
      const event = anEvent(w.p, {
        status: EventStatus.Success,
        endpointIds: [w.e.id],
        createdAt: new Date(w.clock.now()),
        ...fields,
      });
      w.store.events.set(event.id, event);
      return event;
    }

    it('replays an event as its next generation, Pending again, and rings it', async () => {
      const w = world();
      const event = stored(w);
      const replayed = await w.events.replay(w.p.id, event.id);
      expect(replayed).toMatchObject({ id: event.id, generation: 2, status: EventStatus.Pending });
      expect(w.rungIds()).toEqual([event.id]);
    });

    it('refuses to replay a duplicate (400 pointing at the original) and 404s an unknown or foreign event', async () => {
      const w = world();
      const duplicate = stored(w, { isDuplicateEvent: true });
      await expect(w.events.replay(w.p.id, duplicate.id)).rejects.toThrow(BadRequestException);
      await expect(w.events.replay(w.p.id, duplicate.id)).rejects.toThrow(/replay the original/);
      await expect(w.events.replay(w.p.id, newId())).rejects.toThrow(NotFoundException);
      const foreign = anEvent({ id: 'other-project' });
      w.store.events.set(foreign.id, foreign);
      await expect(w.events.replay(w.p.id, foreign.id)).rejects.toThrow(NotFoundException);
      expect(w.rungIds()).toEqual([]);
    });

    it('batch replay replays the matching originals, rings each, and counts the duplicates as failures', async () => {
      const w = world();
      const a = stored(w, { idempotencyKey: 'k' });
      stored(w, { idempotencyKey: 'k', isDuplicateEvent: true });
      stored(w, { idempotencyKey: 'other' });
      expect(await w.events.countReplayable(w.p.id, { idempotencyKey: 'k' })).toBe(1);
      expect(await w.events.batchReplay(w.p.id, { idempotencyKey: 'k' })).toEqual({ num_success: 1, num_failure: 0 });
      expect(w.rungIds()).toEqual([a.id]);
    });

    it("without dates, batch replay covers the seven days before the clock's now", async () => {
      const w = world();
      const recent = stored(w, { createdAt: new Date(w.clock.now() - 6 * 86_400_000) });
      stored(w, { createdAt: new Date(w.clock.now() - 8 * 86_400_000) });
      expect(await w.events.batchReplay(w.p.id, {})).toEqual({ num_success: 1, num_failure: 0 });
      expect(w.rungIds()).toEqual([recent.id]);
      await w.clock.advance(2 * 86_400_000);
      expect(await w.events.countReplayable(w.p.id, {})).toBe(0);
    });
  });

  it('withContext gives each event its endpoints and source in two lookups for the page', async () => {
    const w = world();
    const source = await w.sources.create(w.p.id, { name: 'gh', type: SourceType.Http });
    const events = [
      anEvent(w.p, { endpointIds: [w.e.id, 'gone'], sourceId: source.id }),
      anEvent(w.p, { endpointIds: [] }),
    ];
    const [first, second] = await w.events.withContext(w.p.id, events);
    expect(first?.endpoints?.map((e) => e.id)).toEqual([w.e.id]);
    expect(first?.source?.id).toBe(source.id);
    expect(first?.ingestBaseUrl).toBe('https://caravan.test/ingest');
    expect(second).toMatchObject({ endpoints: [], source: undefined });
  });
});
