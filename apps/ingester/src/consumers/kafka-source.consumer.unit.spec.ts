import { Logger } from '@nestjs/common';
import type { KafkaSettings } from '@caravan/messaging';
import { asRepository } from '@caravan/testing';
import { IngesterWorld } from '../testing/ingester-world.helper';
import { FakeKafkaBatch } from '../testing/kafka-batch.fake';
import { CONCURRENT_MESSAGES, KafkaSourceConsumer } from './kafka-source.consumer';

const ORDER = { endpoint_id: 'e1', event_type: 'order.created', data: { n: 1 } };

describe("KafkaSourceConsumer's batches (in-memory intake, manual clock)", () => {
  beforeAll(() => Logger.overrideLogger(false));

  function world() {
    const w = new IngesterWorld({ CARAVAN_INGESTER_RETRY_DELAY_MS: '2000' });
    w.intake.knownEndpoints.add('e1');
    const binding = w.binding();
    const consumer = new KafkaSourceConsumer(w.consumerContext(binding), asRepository<KafkaSettings>({}));
    // The batch handler kafkajs calls; the consumer is never connected in these tests.
    const eachBatch = (batch: FakeKafkaBatch) => consumer['eachBatch'](batch.payload());
    return Object.assign(w, { source: binding.source, consumer, eachBatch });
  }

  it('ingests each message keyed by its offset, resolves it only once stored, commits, and reports the lag', async () => {
    const w = world();
    const batch = FakeKafkaBatch.of('orders', 2, 17, [ORDER, ORDER]);
    batch.highWatermark = '25';
    await w.eachBatch(batch);

    expect(w.intake.stored.map((e) => e.idempotencyKey)).toEqual([
      `source:${w.source.id}:kafka:orders:2:17`,
      `source:${w.source.id}:kafka:orders:2:18`,
    ]);
    expect(batch.resolved).toEqual(['17', '18']);
    expect(batch.commits).toBe(1);
    expect(batch.heartbeats).toBe(1);
    expect(await w.counted('lag', { source: w.source.id, partition: '2' })).toBe(6);
  });

  it('a batch read again after a crash stores duplicates, not second events', async () => {
    const w = world();
    await w.eachBatch(FakeKafkaBatch.of('orders', 0, 5, [ORDER, ORDER]));
    await w.eachBatch(FakeKafkaBatch.of('orders', 0, 5, [ORDER, ORDER]));
    expect(w.intake.originals).toHaveLength(2);
    expect(w.intake.stored).toHaveLength(4);
  });

  it('a refused message is skipped (resolved, counted), not retried', async () => {
    const w = world();
    const batch = FakeKafkaBatch.of('orders', 0, 0, [{ event_type: 'no data' }, ORDER]);
    await w.eachBatch(batch);
    expect(batch.resolved).toEqual(['0', '1']);
    expect(w.intake.offered).toHaveLength(1);
    expect(await w.counted('rejected', { reason: 'malformed' })).toBe(1);
  });

  it("offers a chunk's messages together, retries a failed one after the delay, and resolves none past it until it is stored", async () => {
    const w = world();
    w.intake.failNext(new Error('connect ECONNREFUSED'));
    const batch = FakeKafkaBatch.of('orders', 0, 40, [ORDER, ORDER]);
    const handling = w.eachBatch(batch);

    await w.clock.whenSleeping();
    // Both were offered at once: 41 is stored, 40 failed, so no offset is resolved yet.
    expect(w.intake.offered).toHaveLength(2);
    expect(w.intake.originals.map((e) => e.idempotencyKey)).toEqual([`source:${w.source.id}:kafka:orders:0:41`]);
    expect(batch.resolved).toEqual([]);
    await w.clock.advance(1_999);
    expect(w.intake.offered).toHaveLength(2);

    await w.clock.advance(1);
    await handling;
    expect(w.intake.offered).toHaveLength(3);
    expect(batch.resolved).toEqual(['40', '41']);
    expect(w.intake.originals.map((e) => e.idempotencyKey).sort()).toEqual([
      `source:${w.source.id}:kafka:orders:0:40`,
      `source:${w.source.id}:kafka:orders:0:41`,
    ]);
    expect(await w.counted('consumerErrors', { source_type: 'kafka' })).toBe(1);
  });

  it(`offers at most ${CONCURRENT_MESSAGES} messages at once, in order, heartbeating between chunks`, async () => {
    const w = world();
    const batch = FakeKafkaBatch.of(
      'orders',
      1,
      0,
      Array.from({ length: CONCURRENT_MESSAGES + 5 }, () => ORDER),
    );
    await w.eachBatch(batch);
    expect(batch.resolved).toEqual(Array.from({ length: CONCURRENT_MESSAGES + 5 }, (_, i) => String(i)));
    expect(w.intake.stored).toHaveLength(CONCURRENT_MESSAGES + 5);
    expect(batch.heartbeats).toBe(2);
  });

  it('a rebalance during the retries gives the partition up with the message unresolved', async () => {
    const w = world();
    w.intake.failNext(new Error('connect ECONNREFUSED'));
    const batch = FakeKafkaBatch.of('orders', 0, 7, [ORDER, ORDER]);
    const handling = w.eachBatch(batch);
    await w.clock.whenSleeping();
    batch.rebalancing = true;
    await w.clock.advance(2_000);
    await handling;
    expect(batch.resolved).toEqual([]);
    expect(w.intake.offered).toHaveLength(2);
    expect(batch.commits).toBe(1);
  });

  it('stopping during a retry wait leaves the message for whoever reads the partition next', async () => {
    const w = world();
    w.intake.failNext(new Error('connect ECONNREFUSED'));
    const batch = FakeKafkaBatch.of('orders', 0, 7, [ORDER]);
    const handling = w.eachBatch(batch);
    await w.clock.whenSleeping();
    await w.consumer.stop();
    await w.clock.advance(2_000);
    await handling;
    expect(batch.resolved).toEqual([]);
    expect(w.intake.offered).toHaveLength(1);
  });

  it('a stale batch (the group moved on) is not started', async () => {
    const w = world();
    const batch = FakeKafkaBatch.of('orders', 0, 0, [ORDER]);
    batch.stale = true;
    await w.eachBatch(batch);
    expect(w.intake.offered).toEqual([]);
    expect(batch.resolved).toEqual([]);
  });
});
