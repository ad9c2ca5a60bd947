import type { SourceEntity } from '@caravan/persistence';
import { eventually, insertSubscription, ServiceProcess } from '@caravan/testing';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerDriver } from './broker-driver';
import { IngesterHarness } from './ingester-harness';

/** What scenarios of one broker only (`more`) work with; read it inside a test, it changes. */
export interface IngesterWorld<D extends BrokerDriver> {
  h: IngesterHarness;
  ingester: ServiceProcess;
  driver: D;
  liveSource(fields?: Partial<SourceEntity>): Promise<{ channel: string; source: SourceEntity }>;
}

/**
 * The ingester's contract on one broker, end to end against the real servers: a producer
 * publishes with the broker's own client, the ingester bundle consumes, and the dispatcher
 * bundle delivers to a local HTTP receiver. Every broker runs these same scenarios.
 */
export function describeIngesterOn<D extends BrokerDriver>(
  createDriver: () => D,
  more?: (world: () => IngesterWorld<D>) => void,
): void {
  const driver = createDriver();
  const type = driver.type;

  describe(`ingester on ${type}`, () => {
    jest.setTimeout(180_000);
    let h: IngesterHarness;
    let ingester: ServiceProcess;

    beforeAll(async () => {
      h = await IngesterHarness.start(type);
      ingester = await h.startIngester();
    });

    afterAll(async () => {
      await h?.stop();
      await driver.close();
    });

    /** A new channel and a source consuming it, once the ingester has started its consumer. */
    async function liveSource(fields: Partial<SourceEntity> = {}): Promise<{ channel: string; source: SourceEntity }> {
      const channel = await driver.createChannel();
      const source = await h.source(driver.pubSubConfig(channel), fields);
      await h.consuming(ingester, source);
      return { channel, source };
    }

    function rejected(reason: string): Promise<number> {
      return h.metric(ingester, 'caravan_ingester_messages_rejected_total', { source_type: type, reason });
    }

    it('turns a single message into an event for its endpoint, delivered with the exact data bytes', async () => {
      const target = await h.endpoint('/single');
      const { channel, source } = await liveSource();
      const data = '{"amount" : 42,\n  "currency":"EUR", "note":"caf\\u00e9"}';
      await driver.publish(
        channel,
        `{"endpoint_id":"${target.id}","event_type":"invoice.paid","data": ${data},"idempotency_key":"inv-${randomBytes(3).toString('hex')}"}`,
        {
          'x-trace-id': 'trace-1',
        },
      );

      const [event] = await h.eventsEventually(source, 1);
      expect(event).toMatchObject({
        routing: 'direct',
        endpointIds: [target.id],
        eventType: 'invoice.paid',
        sourceId: source.id,
      });
      expect(event.raw.toString('utf8')).toBe(data);
      expect(event.headers['x-trace-id']).toEqual(['trace-1']);
      const deliveries = await h.dispatch.settled(event.id);
      expect(deliveries.map((delivery) => delivery.status)).toEqual(['Success']);
      const [request] = h.receiver.at('/single');
      expect(request.body.toString('utf8')).toBe(data);
      expect(request.headers['x-trace-id']).toBe('trace-1');
    });

    it('fans a message out to every endpoint of the owner (x-convoy-message-type: fanout)', async () => {
      const owner = `owner-${randomBytes(3).toString('hex')}`;
      const a = await h.endpoint('/fanout/a', { ownerId: owner });
      const b = await h.endpoint('/fanout/b', { ownerId: owner });
      await insertSubscription(h.dataSource, h.project.id, a.id);
      await insertSubscription(h.dataSource, h.project.id, b.id);
      const { channel, source } = await liveSource();
      await driver.publish(channel, JSON.stringify({ owner_id: owner, event_type: 'user.updated', data: { id: 1 } }), {
        'x-convoy-message-type': 'fanout',
      });

      const [event] = await h.eventsEventually(source, 1);
      expect(event).toMatchObject({ routing: 'fanout', ownerId: owner });
      const deliveries = await h.dispatch.settled(event.id);
      expect(deliveries.map((delivery) => delivery.endpointId).sort()).toEqual([a.id, b.id].sort());
    });

    it('broadcasts a message to the subscriptions of the project', async () => {
      const listener = await h.endpoint('/broadcast');
      await insertSubscription(h.dataSource, h.project.id, listener.id, { eventTypes: ['broadcast.hello'] });
      const { channel, source } = await liveSource();
      await driver.publish(channel, JSON.stringify({ event_type: 'broadcast.hello', data: { to: 'all' } }), {
        'x-convoy-message-type': 'broadcast',
      });

      const [event] = await h.eventsEventually(source, 1);
      expect(event.routing).toBe('broadcast');
      const deliveries = await h.dispatch.settled(event.id);
      expect(deliveries.map((delivery) => delivery.endpointId)).toContain(listener.id);
      expect(h.receiver.at('/broadcast').map((request) => request.body.toString())).toEqual(['{"to":"all"}']);
    });

    it('refuses malformed messages with a reason and a metric, without blocking the good one behind them', async () => {
      const target = await h.endpoint('/after-malformed');
      const { channel, source } = await liveSource();
      const before = await rejected('malformed');
      const notJson = '{"event_type": "broken", "data": ';
      const noEndpoint = JSON.stringify({ event_type: 'no.endpoint', data: {} });
      await driver.publish(channel, notJson);
      await driver.publish(channel, noEndpoint);
      await driver.publish(channel, JSON.stringify({ endpoint_id: target.id, event_type: 'good', data: { ok: true } }));

      const [event] = await h.eventsEventually(source, 1);
      expect(event.eventType).toBe('good');
      expect(
        await h.metricEventually(
          ingester,
          'caravan_ingester_messages_rejected_total',
          { source_type: type, reason: 'malformed' },
          before + 2,
        ),
      ).toBeGreaterThanOrEqual(before + 2);
      expect(ingester.output()).toContain('message is not valid JSON');
      expect(ingester.output()).toContain('endpoint_id is required for a single (default) message');
      if (driver.deadLettered) {
        const parked: string[] = [];
        const deadline = Date.now() + 30_000;
        while (parked.length < 2 && Date.now() < deadline) parked.push(...(await driver.deadLettered(channel)));
        expect(parked.sort()).toEqual([notJson, noEndpoint].sort());
      }
      await sleep(500);
      expect(await h.eventsOf(source)).toHaveLength(1);
    });

    it('applies the source body_function and header_function', async () => {
      const target = await h.endpoint('/transformed');
      const { channel, source } = await liveSource({
        bodyFunction: `function transform(x) { x.event_type = x.event_type + ".v2"; x.data = { wrapped: x.data }; x.endpoint_id = "${target.id}"; return x; }`,
        headerFunction: 'function transform(h) { h["x-transformed"] = "yes"; return h; }',
      });
      await driver.publish(channel, JSON.stringify({ event_type: 'order.created', data: { id: 7 } }), {
        'x-origin': 'broker',
      });

      const [event] = await h.eventsEventually(source, 1);
      expect(event.eventType).toBe('order.created.v2');
      expect(event.raw.toString()).toBe('{"wrapped":{"id":7}}');
      expect(event.headers).toMatchObject({ 'x-transformed': ['yes'], 'x-origin': ['broker'] });
      await h.dispatch.settled(event.id);
      expect(h.receiver.at('/transformed').map((request) => request.body.toString())).toEqual(['{"wrapped":{"id":7}}']);
    });

    it('stops a runaway transform at its time limit, refuses the message and stays alive', async () => {
      const target = await h.endpoint('/runaway');
      const { channel, source } = await liveSource({ bodyFunction: 'function transform(x) { while (true) {} }' });
      const before = await rejected('transform');
      await driver.publish(channel, JSON.stringify({ endpoint_id: target.id, event_type: 'loop', data: {} }));

      await h.metricEventually(
        ingester,
        'caravan_ingester_messages_rejected_total',
        { source_type: type, reason: 'transform' },
        before + 1,
      );
      expect(ingester.output()).toContain('body_function failed: exceeded its time limit of 200 ms');
      expect((await fetch(`${ingester.url}/healthz`)).status).toBe(200);
      expect(await h.eventsOf(source)).toHaveLength(0);

      // Fixing the function (a source change) makes the next message flow.
      await h.changeSource(source, { bodyFunction: 'function transform(x) { x.event_type = "fixed"; return x; }' });
      await h.consuming(ingester, source, 2);
      await driver.publish(channel, JSON.stringify({ endpoint_id: target.id, event_type: 'loop', data: {} }));
      const [event] = await h.eventsEventually(source, 1);
      expect(event.eventType).toBe('fixed');
    });

    it('follows a source that changes its channel, is disabled, and is enabled again', async () => {
      const target = await h.endpoint('/changing');
      const message = (eventType: string) =>
        JSON.stringify({ endpoint_id: target.id, event_type: eventType, data: {} });
      const { source } = await liveSource();
      const moved = await driver.createChannel();

      await h.changeSource(source, { pubSub: driver.pubSubConfig(moved) });
      await h.logged(ingester, { msg: 'stopped consuming source', source_id: source.id, reason: 'changed' });
      await h.consuming(ingester, source, 2);
      await driver.publish(moved, message('after.move'));
      expect((await h.eventsEventually(source, 1)).map((event) => event.eventType)).toEqual(['after.move']);

      await h.changeSource(source, { isDisabled: true });
      await h.logged(ingester, {
        msg: 'stopped consuming source',
        source_id: source.id,
        reason: 'disabled or deleted',
      });
      await driver.publish(moved, message('while.disabled'));
      await sleep(2_000);
      expect(await h.eventsOf(source)).toHaveLength(1);

      await h.changeSource(source, { isDisabled: false });
      const events = await h.eventsEventually(source, 2);
      expect(events.map((event) => event.eventType)).toEqual(['after.move', 'while.disabled']);
    });

    it('shares a source between two replicas with two workers each, processing every message once', async () => {
      const target = await h.endpoint('/replicas');
      const channel = await driver.createChannel();
      const source = await h.source({ ...driver.pubSubConfig(channel), workers: 2 });
      const replica = await h.startIngester();
      await h.consuming(ingester, source);
      await h.consuming(replica, source);
      const received = async () =>
        (await h.metric(ingester, 'caravan_ingester_messages_received_total', { source_type: type })) +
        (await h.metric(replica, 'caravan_ingester_messages_received_total', { source_type: type }));
      const before = await received();

      const count = 40;
      await Promise.all(
        Array.from({ length: count }, (_, n) =>
          driver.publish(channel, JSON.stringify({ endpoint_id: target.id, event_type: 'shared', data: { n } })),
        ),
      );
      const events = await h.eventsEventually(source, count, 60_000);
      await sleep(1_500);
      const all = await h.eventsOf(source);
      expect(all).toHaveLength(count);
      expect(new Set(all.map((event) => event.raw.toString())).size).toBe(count);
      expect(events.length).toBe(count);
      expect((await received()) - before).toBe(count);

      // Graceful shutdown: consumers stop, in-flight work finishes, the process exits 0.
      expect(await replica.stop('SIGTERM')).toBe(0);
      expect(replica.logLines()).toContainEqual(
        expect.objectContaining({ msg: 'stopped consuming source', source_id: source.id, reason: 'shutting down' }),
      );
      expect(replica.output()).toContain('stopped cleanly');
    });

    it('loses nothing when the ingester is killed between receiving a message and committing its event', async () => {
      const target = await h.endpoint('/killed');
      const { channel, source } = await liveSource();
      const received = () => h.metric(ingester, 'caravan_ingester_messages_received_total', { source_type: type });
      const before = await received();

      // Hold every INSERT into events: the ingester receives the message and blocks before commit.
      const lock = h.dataSource.createQueryRunner();
      await lock.connect();
      await lock.startTransaction();
      await lock.query('LOCK TABLE events IN EXCLUSIVE MODE');
      try {
        await driver.publish(
          channel,
          JSON.stringify({ endpoint_id: target.id, event_type: 'survives.kill', data: { n: 1 } }),
        );
        await h.metricEventually(
          ingester,
          'caravan_ingester_messages_received_total',
          { source_type: type },
          before + 1,
        );
        expect(await received()).toBeGreaterThan(before);
        await sleep(200);
        ingester.child.kill('SIGKILL');
        await ingester.exited;
        await sleep(500); // Postgres notices the lost client (client_connection_check_interval) and aborts its INSERT
      } finally {
        await lock.rollbackTransaction();
        await lock.release();
      }
      expect(await h.eventsOf(source)).toHaveLength(0);

      ingester = await h.startIngester();
      const [event] = await h.eventsEventually(source, 1, 90_000);
      expect(event.eventType).toBe('survives.kill');
      await h.dispatch.settled(event.id);
      await sleep(1_000);
      expect(await h.eventsOf(source)).toHaveLength(1);
    });

    it('stores a message redelivered by the broker after a kill between commit and ack as a duplicate, not a second event', async () => {
      const target = await h.endpoint('/redelivered');
      const { channel, source } = await liveSource();
      const received = (process: ServiceProcess) =>
        h.metric(process, 'caravan_ingester_messages_received_total', { source_type: type });
      const before = await received(ingester);

      // Hold every INSERT into events, so the process can be frozen with its INSERT sent.
      const lock = h.dataSource.createQueryRunner();
      await lock.connect();
      await lock.startTransaction();
      await lock.query('LOCK TABLE events IN EXCLUSIVE MODE');
      try {
        // No idempotency_key: the broker's identity of the message is the key.
        await driver.publish(channel, JSON.stringify({ endpoint_id: target.id, event_type: 'redelivered', data: {} }));
        await h.metricEventually(
          ingester,
          'caravan_ingester_messages_received_total',
          { source_type: type },
          before + 1,
        );
        await eventually(
          async () =>
            Number(
              (
                await h.dataSource.query(
                  `SELECT count(*) AS n FROM pg_stat_activity
                   WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO "events"%'`,
                )
              )[0].n,
            ),
          (waiting) => waiting > 0,
          20_000,
        );
        // Frozen: the INSERT commits once the lock goes, but the ack / offset commit never leaves.
        ingester.child.kill('SIGSTOP');
      } finally {
        await lock.rollbackTransaction();
        await lock.release();
      }
      const [stored] = await h.eventsEventually(source, 1);
      ingester.child.kill('SIGKILL');
      await ingester.exited;
      expect(stored.isDuplicateEvent).toBe(false);
      expect(stored.idempotencyKey).toMatch(new RegExp(`^source:${source.id}:`));

      // The broker hands the message out again (offset not committed, visibility timeout,
      // connection lost with the message unacked, ack deadline passed).
      ingester = await h.startIngester();
      await h.metricEventually(ingester, 'caravan_ingester_messages_received_total', { source_type: type }, 1);
      const events = await h.eventsEventually(source, 2, 90_000);
      const originals = events.filter((event) => !event.isDuplicateEvent);
      expect(originals.map((event) => event.id)).toEqual([stored.id]);
      const [duplicate] = events.filter((event) => event.isDuplicateEvent);
      expect(duplicate?.idempotencyKey).toBe(stored.idempotencyKey);
      await h.dispatch.settled(stored.id);
      await sleep(1_000);
      expect(h.receiver.at('/redelivered')).toHaveLength(1);
    });

    // Last: its source is down on purpose for a while (named in /readyz meanwhile).
    it('names a worker that cannot run in /readyz without failing it, counts its restarts, and consumes once it can', async () => {
      const target = await h.endpoint('/recovered');
      const channel = driver.channelName(); // not created yet: the worker cannot consume
      const source = await h.source(driver.pubSubConfig(channel));
      await h.consuming(ingester, source);
      const worker = `${type} source ${source.id} worker 0`;
      const readyz = async () => {
        const response = await fetch(`${ingester.url}/readyz`);
        return { status: response.status, body: await response.text() };
      };
      const down = await eventually(readyz, (answer) => answer.body.includes(worker), 60_000);
      // A tenant's broker being unusable is not the ingester being unready (no rollout stalls on it).
      expect(down.status).toBe(200);
      expect(down.body).toContain(`${worker} consumer not running`);
      const restarts = await h.metricEventually(ingester, 'caravan_consumer_restarts_total', { consumer: worker }, 1);
      expect(restarts).toBeGreaterThanOrEqual(1);

      await driver.createChannel(channel);
      const up = await eventually(readyz, (answer) => !answer.body.includes(worker), 60_000);
      expect(up.status).toBe(200);
      await driver.publish(channel, JSON.stringify({ endpoint_id: target.id, event_type: 'recovered', data: {} }));
      expect((await h.eventsEventually(source, 1)).map((event) => event.eventType)).toEqual(['recovered']);

      // Stopped on purpose (disabled): no longer reported.
      await h.changeSource(source, { isDisabled: true });
      await h.logged(ingester, {
        msg: 'stopped consuming source',
        source_id: source.id,
        reason: 'disabled or deleted',
      });
      expect((await readyz()).body).not.toContain(worker);
    });

    more?.(() => ({ h, ingester, driver, liveSource }));
  });
}
