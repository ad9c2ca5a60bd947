import { ConsumerHealth, MetricsRegistry, ReadinessService } from '@caravan/observability';
import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import { DoorbellConsumer } from './doorbell.consumer';

/** A kafkajs consumer stand-in: `run` fails while `failRuns` > 0; the test emits CRASH and GROUP_JOIN. */
class FakeConsumer extends EventEmitter {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  runs = 0;
  failRuns = 0;
  disconnects = 0;
  config: Record<string, unknown> = {};
  connects = 0;
  async connect(): Promise<void> {
    this.connects++;
  }
  async subscribe(): Promise<void> {
    this.emit('subscribed');
  }
  async run(): Promise<void> {
    this.runs++;
    if (this.failRuns > 0) {
      this.failRuns--;
      throw new Error('broker unreachable');
    }
    this.emit(this.events.GROUP_JOIN, {});
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
  }
  crash(restart: boolean): void {
    this.emit(this.events.CRASH, { payload: { error: new Error('coordinator gone'), restart } });
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const fake = new FakeConsumer();
  const kafka = {
    consumer: (config: Record<string, unknown>) => {
      fake.config = config;
      return fake;
    },
  } as unknown as Kafka;
  const registry = new MetricsRegistry('dispatcher');
  const health = new ConsumerHealth(registry);
  const waits: number[] = [];
  let proceed: () => void = () => undefined;
  const consumer = new DoorbellConsumer<unknown>({
    name: 'sender',
    kafka,
    topic: 'deliveries',
    groupId: 'group',
    partitionsConcurrency: 1,
    timings: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, rebalanceTimeoutMs: 10_000 },
    metrics: {
      consumerLag: new Gauge({ name: 'lag', help: 'lag', labelNames: ['topic'], registers: [registry.registry] }),
    },
    health,
    handle: async () => undefined,
    wait: (ms) => {
      waits.push(ms);
      return new Promise<void>((resolve) => (proceed = resolve));
    },
  });
  const readiness = new ReadinessService([], 1_000, registry, health);
  return { fake, consumer, health, registry, waits, readiness, next: () => proceed() };
}

describe('DoorbellConsumer supervision', () => {
  it('joins its group with the configured session, heartbeat and rebalance timings', () => {
    const { fake } = setup();
    expect(fake.config).toMatchObject({ sessionTimeout: 6_000, heartbeatInterval: 1_000, rebalanceTimeout: 10_000 });
  });

  it('restarts a consumer that crashed for good, with back-off, and /readyz names it meanwhile', async () => {
    const { fake, consumer, waits, readiness, registry, next } = setup();
    consumer.start();
    await flush();
    expect(fake.runs).toBe(1);
    expect((await readiness.report()).ready).toBe(true);

    fake.failRuns = 2;
    fake.crash(false);
    await flush();
    const down = await readiness.report();
    expect(down.ready).toBe(false);
    expect(down.checks['consumers']?.error).toContain('sender consumer not running: coordinator gone');
    expect(waits).toEqual([1_000]);
    next();
    await flush();
    await flush();
    expect(waits).toEqual([1_000, 2_000]);
    next();
    await flush();
    await flush();
    expect(waits).toEqual([1_000, 2_000, 4_000]);
    next();
    await flush();
    await flush();
    expect(fake.runs).toBe(4);
    expect((await readiness.report()).ready).toBe(true);
    expect(await registry.render()).toMatch(
      /caravan_consumer_restarts_total\{consumer="sender",service="dispatcher"\} 3/,
    );

    // A success resets the back-off.
    fake.crash(false);
    await flush();
    expect(waits).toEqual([1_000, 2_000, 4_000, 1_000]);
    await consumer.stop();
  });

  it('counts a crash kafkajs restarts itself, without starting a second run', async () => {
    const { fake, consumer, registry } = setup();
    consumer.start();
    await flush();
    fake.crash(true);
    await flush();
    expect(fake.runs).toBe(1);
    expect(await registry.render()).toMatch(
      /caravan_consumer_restarts_total\{consumer="sender",service="dispatcher"\} 1/,
    );
    await consumer.stop();
  });

  it('stops for good: no restart after stop, and it leaves the group', async () => {
    const { fake, consumer, waits } = setup();
    consumer.start();
    await flush();
    await consumer.stop();
    fake.crash(false);
    await flush();
    expect(waits).toEqual([]);
    expect(fake.disconnects).toBe(1);
  });
});
