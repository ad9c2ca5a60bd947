import { Logger } from '@nestjs/common';
import { DeliveryStatus, EndpointStatus } from '@caravan/domain';
import { counted } from '../testing/unit-fixtures.helper';
import { SenderWorld } from '../testing/sender-world.helper';

const { Scheduled, Processing, Success, Retry, Failure, Discarded } = DeliveryStatus;

describe('SenderService (in memory, manual clock)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('claims a due delivery, POSTs it signed and records Success with one attempt', async () => {
    const w = new SenderWorld();
    const { endpoint, deliveries } = w.seed();
    const [delivery] = deliveries;
    await w.sendAll(delivery.id);

    expect(w.store.delivery(delivery.id)).toMatchObject({ status: Success, attempts: 1, leaseUntil: null });
    const [request] = w.http.to(endpoint.url);
    expect(request.body.toString()).toBe('{"ok":true}');
    expect(Object.keys(request.headers).map((h) => h.toLowerCase())).toContain('x-convoy-signature');
    expect(w.store.attemptsOf(delivery.id)).toEqual([
      expect.objectContaining({ httpStatus: 200, success: true, url: endpoint.url }),
    ]);
    expect(await counted(w.metrics.deliveriesFinal, { status: Success })).toBe(1);
  });

  it('sends nothing for a row not yet due, and nothing twice for a doorbell rung twice', async () => {
    const w = new SenderWorld();
    const later = w.seed({ delivery: { nextSendTime: new Date(w.clock.now() + 60_000) } });
    const now = w.seed();
    const id = now.deliveries[0].id;
    await w.sendAll(later.deliveries[0].id, id, id);
    await w.sendAll(id);

    expect(w.http.to(later.endpoint.url)).toHaveLength(0);
    expect(w.store.delivery(later.deliveries[0].id).status).toBe(Scheduled);
    expect(w.http.to(now.endpoint.url)).toHaveLength(1);
    expect(w.store.attemptsOf(id)).toHaveLength(1);
  });

  it('retries a 500 after the linear interval, then fails at the retry limit', async () => {
    const w = new SenderWorld();
    const { endpoint, deliveries } = w.seed({ delivery: { retryLimit: 2, intervalSeconds: 10 } });
    const [delivery] = deliveries;
    w.http.script(endpoint.url, { statusCode: 500 }, { statusCode: 500 });

    await w.sendAll(delivery.id);
    expect(w.store.delivery(delivery.id)).toMatchObject({
      status: Retry,
      attempts: 1,
      nextSendTime: new Date(w.clock.now() + 10_000),
    });
    await w.sendAll(delivery.id);
    expect(w.http.to(endpoint.url)).toHaveLength(1);

    await w.clock.advance(10_000);
    await w.sendAll(delivery.id);
    expect(w.store.delivery(delivery.id)).toMatchObject({
      status: Failure,
      attempts: 2,
      description: 'Retry limit exceeded',
    });
    expect(w.store.attemptsOf(delivery.id).map((a) => a.httpStatus)).toEqual([500, 500]);
  });

  it('discards, unsent, a delivery whose endpoint is no longer active', async () => {
    const w = new SenderWorld();
    const { endpoint, deliveries } = w.seed({ endpoint: { status: EndpointStatus.Paused } });
    await w.sendAll(deliveries[0].id);

    expect(w.http.to(endpoint.url)).toHaveLength(0);
    expect(w.store.delivery(deliveries[0].id)).toMatchObject({
      status: Discarded,
      attempts: 0,
      description: 'Endpoint is not active',
    });
    expect(w.store.attemptsOf(deliveries[0].id)).toHaveLength(0);
  });

  it("puts back, unattempted, what the endpoint's rate limit does not admit, due when a slot frees", async () => {
    const w = new SenderWorld();
    const { endpoint, deliveries } = w.seed({ endpoint: { rateLimit: 2, rateLimitDuration: 60 }, count: 3 });
    const ids = deliveries.map((d) => d.id);
    await w.sendAll(...ids);

    expect(w.http.to(endpoint.url)).toHaveLength(2);
    const waiting = ids.map((id) => w.store.delivery(id)).filter((d) => d.status !== Success);
    expect(waiting).toEqual([
      expect.objectContaining({ status: Scheduled, attempts: 0, nextSendTime: new Date(w.clock.now() + 60_000) }),
    ]);
    expect(w.store.attemptsOf(waiting[0].id)).toHaveLength(0);
    expect(await counted(w.metrics.rateLimited)).toBe(1);

    await w.clock.advance(59_999);
    await w.sendAll(waiting[0].id);
    expect(w.http.to(endpoint.url)).toHaveLength(2);
    await w.clock.advance(1);
    await w.sendAll(waiting[0].id);
    expect(w.http.to(endpoint.url)).toHaveLength(3);
    expect(w.store.delivery(waiting[0].id).status).toBe(Success);
  });

  it('holds deliveries back while the endpoint’s breaker is open, and probes once after the error timeout', async () => {
    const w = new SenderWorld({
      CARAVAN_BREAKER_MIN_REQUESTS: '2',
      CARAVAN_BREAKER_FAILURE_THRESHOLD: '50',
      CARAVAN_BREAKER_ERROR_TIMEOUT_SECONDS: '30',
    });
    const { endpoint, deliveries } = w.seed({ count: 4, delivery: { retryLimit: 5 } });
    w.http.script(endpoint.url, { statusCode: 503 }, { statusCode: 503 });
    await w.sendAll(deliveries[0].id, deliveries[1].id);
    expect(w.endpoints.breakerStates).toEqual([{ endpointId: endpoint.id, state: 'open' }]);

    await w.sendAll(deliveries[2].id);
    expect(w.http.to(endpoint.url)).toHaveLength(2);
    expect(w.store.delivery(deliveries[2].id)).toMatchObject({
      status: Scheduled,
      nextSendTime: new Date(w.clock.now() + 30_000),
    });

    await w.clock.advance(30_000);
    await w.sendAll(deliveries[2].id, deliveries[3].id);
    expect(w.http.to(endpoint.url)).toHaveLength(3);
    expect(w.store.delivery(deliveries[2].id).status).toBe(Success);
    expect(w.endpoints.breakerStates.at(-1)).toEqual({ endpointId: endpoint.id, state: 'closed' });
  });

  it('claims no more than its free send slots', async () => {
    const w = new SenderWorld({ CARAVAN_DISPATCHER_MAX_IN_FLIGHT: '2' });
    const { endpoint, deliveries } = w.seed({ count: 5 });
    w.http.script(endpoint.url, 'hang', 'hang');
    const sending = w.sender.send(deliveries.map((d) => d.id));
    await w.clock.advance(0);

    expect(w.deliveries.claims).toEqual([deliveries.slice(0, 2).map((d) => d.id)]);
    expect(w.leases.size).toBe(2);
    w.sender.stop();
    await w.sender.releaseInFlight();
    await sending;
    await w.sender.drain();
  });

  it('releaseInFlight hands in-flight rows back due now, and their aborted sends count no attempt', async () => {
    const w = new SenderWorld();
    const { endpoint, deliveries } = w.seed({ count: 2 });
    w.http.script(endpoint.url, 'hang', 'hang');
    await w.sender.send(deliveries.map((d) => d.id));
    await w.clock.advance(0);
    expect(deliveries.map((d) => w.store.delivery(d.id).status)).toEqual([Processing, Processing]);

    w.sender.stop();
    await w.clock.advance(5_000);
    // A slow store: were the sends aborted before their rows are handed back, their "network
    // error" outcomes would be written meanwhile (and count an attempt). Correct code does not
    // depend on this latency: the rows are handed back before anything is aborted.
    const putBack = w.deliveries.putBack.bind(w.deliveries);
    w.deliveries.putBack = async (rows) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return putBack(rows);
    };
    expect(await w.sender.releaseInFlight()).toBe(2);
    await w.sender.drain();

    for (const { id } of deliveries) {
      expect(w.store.delivery(id)).toMatchObject({
        status: Scheduled,
        attempts: 0,
        leaseUntil: null,
        nextSendTime: new Date(w.clock.now()),
      });
      expect(w.store.attemptsOf(id)).toHaveLength(0);
    }
    expect(w.leases.size).toBe(0);
    // Stopped: a doorbell arriving now claims nothing.
    await w.sender.send(deliveries.map((d) => d.id));
    expect(w.deliveries.claims).toHaveLength(1);
  });

  it('keeps retrying an outcome write while the store is down, with back-off, and writes it once it is back', async () => {
    const w = new SenderWorld();
    const { deliveries } = w.seed();
    const record = w.deliveries.recordOutcomesWithAttempts.bind(w.deliveries);
    let failures = 2;
    w.deliveries.recordOutcomesWithAttempts = async (items) => {
      if (failures-- > 0) throw new Error('connection refused');
      return record(items);
    };
    await w.sender.send([deliveries[0].id]);
    const drained = w.sender.drain();
    await w.clock.whenSleeping();
    expect(w.store.delivery(deliveries[0].id).status).toBe(Processing);
    await w.clock.advance(249);
    expect(w.clock.sleeping).toBe(1);
    await w.clock.advance(1);
    await w.clock.whenSleeping();
    expect(w.store.delivery(deliveries[0].id).status).toBe(Processing);
    await w.clock.advance(500);
    await drained;
    expect(w.store.delivery(deliveries[0].id)).toMatchObject({ status: Success, attempts: 1 });
    expect(w.store.attemptsOf(deliveries[0].id)).toHaveLength(1);
  });
});
