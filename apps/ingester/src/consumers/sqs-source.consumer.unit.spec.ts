import { Logger } from '@nestjs/common';
import { PubSubType } from '@caravan/domain';
import { IngesterWorld } from '../testing/ingester-world.helper';
import { RecordingSqsClient, sqsMessage } from '../testing/sqs-client.fake';
import { SQS_BATCHES_IN_FLIGHT, SqsSourceConsumer } from './sqs-source.consumer';

const ORDER = { endpoint_id: 'e1', event_type: 'order.created', data: { n: 1 } };

describe("SqsSourceConsumer's received messages (in-memory intake, manual clock)", () => {
  beforeAll(() => Logger.overrideLogger(false));

  function world(queue: { url?: string; deadLetters?: boolean } = {}) {
    const w = new IngesterWorld({ CARAVAN_INGESTER_RETRY_DELAY_MS: '3000' });
    w.intake.knownEndpoints.add('e1');
    const binding = w.binding(
      {},
      {
        type: PubSubType.Sqs,
        workers: 1,
        sqs: { access_key_id: 'a', secret_key: 's', default_region: 'eu-west-1', queue_name: 'orders' },
      },
    );
    const consumer = new SqsSourceConsumer(w.consumerContext(binding));
    const sqs = new RecordingSqsClient();
    const info = { url: queue.url ?? 'https://sqs.test/orders', deadLetters: queue.deadLetters ?? false };
    // What the receive loop does with one receive's messages; the consumer is never started here.
    const handleAll = (messages: ReturnType<typeof sqsMessage>[], visibleAgainAt = w.clock.now() + 30_000) =>
      consumer['handleAll'](sqs.client, info, messages, visibleAgainAt);
    return Object.assign(w, { source: binding.source, sqs, handleAll, consumer });
  }

  it('deletes, in one batch, the messages whose events are committed, each keyed by its message id', async () => {
    const w = world();
    await w.handleAll([sqsMessage('m1', ORDER, { 'x-a': 'b' }), sqsMessage('m2', ORDER)]);
    expect(w.sqs.deleted.sort()).toEqual(['rh-m1', 'rh-m2']);
    expect(w.intake.stored.map((e) => e.idempotencyKey).sort()).toEqual([
      `source:${w.source.id}:sqs:m1`,
      `source:${w.source.id}:sqs:m2`,
    ]);
    expect(w.intake.offered.find((input) => input.idempotencyKey?.endsWith(':m1'))?.headers).toEqual({ 'x-a': ['b'] });
  });

  it('a refused message is deleted when the queue has no dead-letter queue', async () => {
    const w = world({ deadLetters: false });
    await w.handleAll([sqsMessage('bad', { event_type: 't' })]);
    expect(w.sqs.deleted).toEqual(['rh-bad']);
    expect(w.sqs.visibility).toEqual([]);
  });

  it('with a redrive policy a refused message is made visible at once, for SQS to dead-letter it', async () => {
    const w = world({ deadLetters: true });
    await w.handleAll([sqsMessage('bad', { event_type: 't' }), sqsMessage('ok', ORDER)]);
    expect(w.sqs.deleted).toEqual(['rh-ok']);
    expect(w.sqs.visibility).toEqual([{ receiptHandle: 'rh-bad', seconds: 0 }]);
  });

  it('a transient failure keeps the message and makes it visible again after the retry delay', async () => {
    const w = world();
    w.intake.failNext(new Error('connect ECONNREFUSED'));
    await w.handleAll([sqsMessage('m1', ORDER)]);
    expect(w.sqs.deleted).toEqual([]);
    expect(w.sqs.visibility).toEqual([{ receiptHandle: 'rh-m1', seconds: 3 }]);
    expect(w.intake.stored).toEqual([]);
  });

  it('a message not started before its visibility deadline is left for another consumer', async () => {
    const w = world({ url: 'https://sqs.test/orders.fifo' });
    const deadline = w.clock.now() + 1_000;
    // The first message takes the clock past the deadline (a slow commit); the second is not started.
    const accept = w.intake.accept.bind(w.intake);
    w.intake.accept = async (input) => {
      const result = await accept(input);
      await w.clock.advance(1_000);
      return result;
    };
    await w.handleAll([sqsMessage('m1', ORDER), sqsMessage('m2', ORDER)], deadline);
    expect(w.sqs.deleted).toEqual(['rh-m1']);
    expect(w.intake.offered).toHaveLength(1);
  });

  it('a FIFO queue is handled one message after the other, in order; a standard queue all at once', async () => {
    for (const [url, startedWhileFirstIsSlow] of [
      ['https://sqs.test/orders.fifo', 1],
      ['https://sqs.test/orders', 3],
    ] as const) {
      const w = world({ url });
      const started: string[] = [];
      const accept = w.intake.accept.bind(w.intake);
      w.intake.accept = async (input) => {
        started.push(input.idempotencyKey ?? '');
        if (input.idempotencyKey === 'm1') await w.clock.sleep(100); // a slow commit
        return accept(input);
      };
      const handling = w.handleAll(['m1', 'm2', 'm3'].map((id) => sqsMessage(id, { ...ORDER, idempotency_key: id })));
      await w.clock.whenSleeping();
      expect(started).toHaveLength(startedWhileFirstIsSlow);
      await w.clock.advance(100);
      await handling;
      expect(w.sqs.deleted.sort()).toEqual(['rh-m1', 'rh-m2', 'rh-m3']);
      if (url.endsWith('.fifo')) expect(w.intake.stored.map((e) => e.idempotencyKey)).toEqual(['m1', 'm2', 'm3']);
    }
  });

  it('a worker receives its next batches while the last is still being ingested: up to 3 on a standard queue, 1 on FIFO', async () => {
    for (const [url, inHand] of [
      ['https://sqs.test/orders', SQS_BATCHES_IN_FLIGHT],
      ['https://sqs.test/orders.fifo', 1],
    ] as const) {
      const w = world({ url });
      const sqs = new RecordingSqsClient(url);
      for (const id of ['m1', 'm2', 'm3', 'm4', 'm5'])
        sqs.toReceive.push([sqsMessage(id, { ...ORDER, idempotency_key: id })]);
      // Every commit is slow: each batch stays in hand until the clock moves.
      const accept = w.intake.accept.bind(w.intake);
      w.intake.accept = async (input) => {
        await w.clock.sleep(100);
        return accept(input);
      };
      const loop: Promise<void> = w.consumer['run'](sqs.client);
      await w.clock.whenSleeping(inHand);
      await settled();
      expect(sqs.receives).toBe(inHand);
      // One batch done: one more is received.
      await w.clock.advance(100);
      await w.clock.whenSleeping(1);
      await settled();
      expect(sqs.receives).toBeGreaterThan(inHand);
      w.consumer['stopping'] = true;
      w.consumer['receiving'].abort();
      await w.clock.advance(1_000);
      await loop;
      expect(sqs.deleted.length).toBeGreaterThanOrEqual(inHand);
    }
  });
});

/** Lets pending promise callbacks run (the receive loop's next steps). */
async function settled(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
