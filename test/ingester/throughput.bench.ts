/**
 * Ingester throughput per broker, for a simple broadcast message, next to what the broker and
 * its client library do on their own (the ceiling), with the CPU each process spends per message.
 * Not part of the test run (its name does not end in .spec.ts). `scripts/bench.sh --ingest` runs it; by hand:
 *
 *   nx run-many -t build -p ingester dispatcher
 *   jest --config test/jest.config.cts --testMatch '<rootDir>/ingester/throughput.bench.ts' --runInBand
 *
 * For each broker, two runs of BENCH_MESSAGES messages (default 2000), each published first:
 *   - ceiling: after an unmeasured warm-up drain of BENCH_WARMUP messages (default
 *     min(BENCH_MESSAGES, 1000)), a bare client of the library the ingester uses drains a channel with
 *     BENCH_CEILING_WORKERS consumers (default BENCH_WORKERS), acknowledging each message and
 *     doing nothing else (the driver's `drain`); the rate is over the span from the first message
 *     received to the last acknowledged;
 *   - ingester: a source with BENCH_WORKERS workers (default 4) on a fresh channel; the rate is
 *     over the span between the first and the last event's commit.
 * CPU per message is utime + stime from /proc over each run, divided by the messages: for the
 * ceiling, the broker's server process (found by scripts/infra.sh's pidfile or its command line)
 * and the client (this jest process); for the ingester, the ingester process, the broker and the
 * Postgres backends of the test database that were not there before the ingester started. On a
 * shared machine the rates move with whatever else runs; CPU per message much less so.
 * One line per broker, e.g.
 *
 *   sqs: ceiling 1,234 msg/s (broker 0.50 ms/msg, client 0.30 ms/msg) · ingester 899 msg/s (ingester 0.40, broker 0.55, postgres 0.20 ms/msg) · 4 workers
 *
 * and the figures as JSON in $CARAVAN_STATE_DIR/bench/ingest-<timestamp>.json (default state
 * dir <repo>/.run), rewritten after each broker. BENCH_BROKERS=sqs,google picks brokers
 * (kafka, sqs, amqp, google; all by default). The ingester also rings Kafka doorbells: the Kafka
 * broker's CPU during a non-Kafka ingester run is in the JSON (as `kafka`), not in the line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BrokerDriver } from './support/broker-driver';
import { AmqpDriver } from './support/amqp.driver';
import { GoogleDriver } from './support/google.driver';
import { IngesterHarness } from './support/ingester-harness';
import { KafkaDriver } from './support/kafka.driver';
import { CpuWindow, findBrokerPid, STATE_DIR } from './support/process-cpu';
import { SqsDriver } from './support/sqs.driver';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 2_000);
const WORKERS = Number(process.env['BENCH_WORKERS'] ?? 4);
const CEILING_WORKERS = Number(process.env['BENCH_CEILING_WORKERS'] ?? WORKERS);
const BROKERS = (process.env['BENCH_BROKERS'] ?? 'kafka,sqs,amqp,google').split(',').map((name) => name.trim());
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? Math.min(MESSAGES, 1_000));
const PUBLISH_CONCURRENCY = 50;

const DRIVERS: Array<[string, () => BrokerDriver]> = [
  ['kafka', () => new KafkaDriver()],
  ['sqs', () => new SqsDriver()],
  ['amqp', () => new AmqpDriver()],
  ['google', () => new GoogleDriver()],
];

const REPORT_FILE = join(STATE_DIR, 'bench', `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const report = {
  when: new Date().toISOString(),
  messages: MESSAGES,
  warmup: WARMUP,
  workers: WORKERS,
  ceiling_workers: CEILING_WORKERS,
  brokers: [] as unknown[],
};

/** ms of CPU per message, 2 decimals (null when the process was not found). */
const perMessage = (ms: number) => (Number.isFinite(ms) ? Math.round((ms / MESSAGES) * 100) / 100 : null);
const shown = (ms: number) => perMessage(ms)?.toFixed(2) ?? '?';
const rate = (first: number, last: number) => Math.round(MESSAGES / ((last - first) / 1000));

async function publishAll(driver: BrokerDriver, channel: string, count = MESSAGES): Promise<void> {
  const run = randomBytes(3).toString('hex');
  for (let start = 0; start < count; start += PUBLISH_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(PUBLISH_CONCURRENCY, count - start) }, (_, i) =>
        driver.publish(channel, JSON.stringify({ event_type: 'bench', data: { run, n: start + i } }), {
          'x-convoy-message-type': 'broadcast',
        }),
      ),
    );
  }
}

describe.each(DRIVERS.filter(([name]) => BROKERS.includes(name)))('ingester throughput on %s', (name, createDriver) => {
  jest.setTimeout(600_000);

  it(`ingests ${MESSAGES} messages`, async () => {
    const driver = createDriver();
    const brokerPid = findBrokerPid(driver.brokerProcess);
    const kafkaPid = findBrokerPid(new KafkaDriver().brokerProcess);
    const h = await IngesterHarness.start(`bench-${name}`);
    try {
      // The ceiling: a bare client drains a channel of its own, after an unmeasured warm-up drain
      // (a broker's JVM just started serves its first messages several times slower).
      const ceilingChannel = await driver.createChannel();
      if (WARMUP > 0) {
        await publishAll(driver, ceilingChannel, WARMUP);
        await driver.drain(ceilingChannel, WARMUP, CEILING_WORKERS);
      }
      await publishAll(driver, ceilingChannel);
      const ceilingCpu = new CpuWindow({ broker: brokerPid, client: process.pid });
      await ceilingCpu.begin();
      const drained = await driver.drain(ceilingChannel, MESSAGES, CEILING_WORKERS);
      const ceilingSpent = await ceilingCpu.end();

      // The ingester on a fresh channel.
      const channel = await driver.createChannel();
      await publishAll(driver, channel);
      const database = h.dataSource.driver.database;
      const backends = async () =>
        (
          (await h.dataSource.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])) as Array<{
            pid: number;
          }>
        ).map((row) => row.pid);
      const harnessBackends = new Set(await backends());
      const ingester = await h.startIngester({
        CARAVAN_LOG_LEVEL: 'warn',
        CARAVAN_INGESTER_SQS_VISIBILITY_SECONDS: '30',
      });
      const ingestCpu = new CpuWindow({ ingester: ingester.child.pid, broker: brokerPid, kafka: kafkaPid }, async () =>
        (await backends()).filter((pid) => !harnessBackends.has(pid)),
      );
      await ingestCpu.begin();
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
      const ingestSpent = await ingestCpu.end();
      expect(Number(row?.count)).toBe(MESSAGES);

      const ceilingRate = rate(drained.first, drained.last);
      const ingestRate = rate(new Date(row?.first ?? 0).getTime(), new Date(row?.last ?? 0).getTime());
      process.stdout.write(
        `\n${name}: ceiling ${ceilingRate.toLocaleString('en-US')} msg/s (broker ${shown(ceilingSpent.broker)} ms/msg, ` +
          `client ${shown(ceilingSpent.client)} ms/msg) · ingester ${ingestRate.toLocaleString('en-US')} msg/s ` +
          `(ingester ${shown(ingestSpent.ingester)}, broker ${shown(ingestSpent.broker)}, ` +
          `postgres ${shown(ingestSpent.dynamic)} ms/msg) · ${WORKERS} workers` +
          (CEILING_WORKERS === WORKERS ? '' : ` (ceiling ${CEILING_WORKERS})`) +
          '\n',
      );
      report.brokers.push({
        broker: name,
        broker_pid: brokerPid ?? null,
        ceiling: {
          workers: CEILING_WORKERS,
          messages_per_second: ceilingRate,
          seconds: (drained.last - drained.first) / 1000,
          cpu_ms_per_message: { broker: perMessage(ceilingSpent.broker), client: perMessage(ceilingSpent.client) },
        },
        ingester: {
          workers: WORKERS,
          messages_per_second: ingestRate,
          seconds: (new Date(row?.last ?? 0).getTime() - new Date(row?.first ?? 0).getTime()) / 1000,
          cpu_ms_per_message: {
            ingester: perMessage(ingestSpent.ingester),
            broker: perMessage(ingestSpent.broker),
            postgres: perMessage(ingestSpent.dynamic),
            ...(name === 'kafka' ? {} : { kafka: perMessage(ingestSpent.kafka) }),
          },
        },
      });
      mkdirSync(join(STATE_DIR, 'bench'), { recursive: true });
      writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
    } finally {
      await h.stop();
      await driver.close();
    }
  });
});
