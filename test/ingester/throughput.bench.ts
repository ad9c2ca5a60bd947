/**
 * Ingester throughput per broker, for a simple broadcast message: messages are published
 * first, then a source with BENCH_WORKERS workers (default 4) is created, and the rate is
 * the number of events over the span between the first and the last event's commit.
 * Not part of the test run (its name does not end in .spec.ts). `scripts/bench.sh --ingest` runs it; by hand:
 *
 *   nx run-many -t build -p ingester dispatcher
 *   jest --config test/jest.config.cts --testMatch '<rootDir>/ingester/throughput.bench.ts' --runInBand
 *
 * (BENCH_MESSAGES sets the count, default 2000).
 */
import { randomBytes } from 'node:crypto';
import type { BrokerDriver } from './support/broker-driver';
import { AmqpDriver } from './support/amqp.driver';
import { GoogleDriver } from './support/google.driver';
import { IngesterHarness } from './support/ingester-harness';
import { KafkaDriver } from './support/kafka.driver';
import { SqsDriver } from './support/sqs.driver';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 2_000);
const WORKERS = Number(process.env['BENCH_WORKERS'] ?? 4);
const PUBLISH_CONCURRENCY = 50;

describe.each<[string, () => BrokerDriver]>([
  ['kafka', () => new KafkaDriver()],
  ['sqs', () => new SqsDriver()],
  ['amqp', () => new AmqpDriver()],
  ['google', () => new GoogleDriver()],
])('ingester throughput on %s', (name, createDriver) => {
  jest.setTimeout(600_000);

  it(`ingests ${MESSAGES} messages`, async () => {
    const driver = createDriver();
    const h = await IngesterHarness.start(`bench-${name}`);
    try {
      const channel = await driver.createChannel();
      const run = randomBytes(3).toString('hex');
      for (let start = 0; start < MESSAGES; start += PUBLISH_CONCURRENCY) {
        await Promise.all(
          Array.from({ length: Math.min(PUBLISH_CONCURRENCY, MESSAGES - start) }, (_, i) =>
            driver.publish(channel, JSON.stringify({ event_type: 'bench', data: { run, n: start + i } }), {
              'x-convoy-message-type': 'broadcast',
            }),
          ),
        );
      }
      await h.startIngester({ CARAVAN_LOG_LEVEL: 'warn', CARAVAN_INGESTER_SQS_VISIBILITY_SECONDS: '30' });
      const source = await h.source({ ...driver.pubSubConfig(channel), workers: WORKERS });
      const deadline = Date.now() + 540_000;
      let row: { count: string; first: Date; last: Date } | undefined;
      while (Date.now() < deadline) {
        [row] = await h.dataSource.query(
          'SELECT count(*) AS count, min(created_at) AS first, max(created_at) AS last FROM events WHERE source_id = $1',
          [source.id],
        );
        if (Number(row?.count) >= MESSAGES) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(Number(row?.count)).toBe(MESSAGES);
      const seconds = (new Date(row?.last ?? 0).getTime() - new Date(row?.first ?? 0).getTime()) / 1000;
      process.stdout.write(
        `\n${name}: ${MESSAGES} messages in ${seconds.toFixed(2)} s = ${Math.round(MESSAGES / seconds)} messages/s (${WORKERS} workers)\n`,
      );
    } finally {
      await h.stop();
      await driver.close();
    }
  });
});
