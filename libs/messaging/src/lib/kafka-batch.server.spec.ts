import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { ConsumerHealth, MetricsRegistry } from '@caravan/observability';
import { eventually, sharedKafkaBrokers } from '@caravan/testing';
import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { Gauge } from 'prom-client';
import { DoorbellBatchContext } from './doorbell-batch.context';
import { CHUNK } from './doorbell.consumer';
import { KafkaBatchServer, KafkaBatchSubscription } from './kafka-batch.server';

interface Bell {
  n: number;
}

interface Call {
  pattern: string;
  doorbells: Bell[];
  topic: string;
  partition: number;
  signal: AbortSignal;
}

/** What the handlers do with a batch; each test sets it. */
let behaviour: (call: Call) => Promise<void> = async () => undefined;
const calls: Call[] = [];

/** Two handlers, as an app declares them: one per pattern, batches in, context beside. */
@Controller()
class SpecController {
  @EventPattern('spec.first')
  first(@Payload() doorbells: Bell[], @Ctx() context: DoorbellBatchContext): Promise<void> {
    return this.record('spec.first', doorbells, context);
  }

  @EventPattern('spec.second')
  second(@Payload() doorbells: Bell[], @Ctx() context: DoorbellBatchContext): Promise<void> {
    return this.record('spec.second', doorbells, context);
  }

  private record(pattern: string, doorbells: Bell[], context: DoorbellBatchContext): Promise<void> {
    const call = {
      pattern,
      doorbells,
      topic: context.getTopic(),
      partition: context.getPartition(),
      signal: context.getSignal(),
    };
    calls.push(call);
    return behaviour(call);
  }
}

const TIMINGS = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 };

/**
 * The transport against the real broker: each pattern gets its own topic's batches, offsets
 * are committed only once the handler resolves, and a stop leaves the group at once.
 */
describe('KafkaBatchServer', () => {
  jest.setTimeout(90_000);
  const kafka = new Kafka({ brokers: [sharedKafkaBrokers()], logLevel: logLevel.NOTHING });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer();
  const topics: string[] = [];
  let apps: INestMicroservice[] = [];

  const unique = (what: string) => `spec.batch.${what}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;

  async function topic(partitions = 1): Promise<string> {
    const name = unique('topic');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions }] });
    topics.push(name);
    return name;
  }

  async function ring(to: string, from: number, count: number): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => ({ value: JSON.stringify({ n: from + i }) }));
    await producer.send({ topic: to, messages });
  }

  /** The group's committed offset on partition 0 (-1: nothing committed). */
  async function committed(groupId: string, of: string): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [of] });
    return Number(offsets?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
  }

  async function start(subscriptions: KafkaBatchSubscription[]) {
    const registry = new MetricsRegistry('dispatcher');
    const health = new ConsumerHealth(registry);
    const server = new KafkaBatchServer({
      kafka,
      subscriptions,
      partitionsConcurrency: 1,
      timings: TIMINGS,
      metrics: {
        consumerLag: new Gauge({ name: 'lag', help: 'lag', labelNames: ['topic'], registers: [registry.registry] }),
      },
      health,
    });
    const joined: string[] = [];
    server.on('consumer.group_join', (event) =>
      joined.push((event as { payload: { groupId: string } }).payload.groupId),
    );
    const module = await Test.createTestingModule({ controllers: [SpecController] }).compile();
    const app = module.createNestMicroservice({ strategy: server });
    apps.push(app);
    await app.listen();
    return { app, server, health, joined };
  }

  const handled = (pattern: string) =>
    calls.filter((c) => c.pattern === pattern).flatMap((c) => c.doorbells.map((d) => d.n));

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });

  beforeEach(() => {
    calls.length = 0;
    behaviour = async () => undefined;
  });

  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('hands each pattern the batches of its own topic, whole, in order, at most CHUNK at a time', async () => {
    const [first, second] = [await topic(), await topic()];
    await ring(first, 0, 250);
    await ring(second, 1_000, 3);
    const { health, server } = await start([
      { pattern: 'spec.first', name: 'first', topic: first, groupId: unique('group') },
      { pattern: 'spec.second', name: 'second', topic: second, groupId: unique('group') },
    ]);
    expect(health.size).toBe(2);
    expect([...server.unwrap<Map<string, Consumer>>().keys()]).toEqual(['spec.first', 'spec.second']);

    await eventually(
      async () => handled('spec.first').length + handled('spec.second').length,
      (count) => count === 253,
    );
    expect(handled('spec.first')).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(handled('spec.second')).toEqual([1_000, 1_001, 1_002]);
    const firstCalls = calls.filter((c) => c.pattern === 'spec.first');
    expect(firstCalls.every((c) => c.topic === first && c.partition === 0)).toBe(true);
    expect(calls.filter((c) => c.pattern === 'spec.second').every((c) => c.topic === second)).toBe(true);
    // Batches, not messages: the 250 doorbells arrive in chunks of CHUNK or fewer.
    expect(Math.max(...firstCalls.map((c) => c.doorbells.length))).toBe(CHUNK);
    expect(firstCalls.length).toBeLessThan(250);
    expect(calls.every((c) => c.signal instanceof AbortSignal && !c.signal.aborted)).toBe(true);
  });

  it('commits a batch only after its handler resolves', async () => {
    const first = await topic();
    const groupId = unique('group');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    behaviour = () => gate;
    await ring(first, 0, 5);
    await start([{ pattern: 'spec.first', name: 'first', topic: first, groupId }]);

    await eventually(
      async () => calls.length,
      (count) => count === 1,
    );
    expect(handled('spec.first')).toEqual([0, 1, 2, 3, 4]);
    expect(await committed(groupId, first)).toBe(-1);

    release();
    expect(
      await eventually(
        () => committed(groupId, first),
        (offset) => offset === 5,
      ),
    ).toBe(5);
  });

  it('commits nothing of a batch whose handler throws, and hands it over again', async () => {
    const first = await topic();
    const groupId = unique('group');
    let failures = 1;
    behaviour = async () => {
      if (failures-- > 0) throw new Error('handler refused the batch');
    };
    await ring(first, 0, 3);
    await start([{ pattern: 'spec.first', name: 'first', topic: first, groupId }]);

    await eventually(
      async () => calls.length,
      (count) => count === 2,
    );
    expect(calls.map((c) => c.doorbells.map((d) => d.n))).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
    expect(
      await eventually(
        () => committed(groupId, first),
        (offset) => offset === 3,
      ),
    ).toBe(3);
  });

  it('keeps its group membership through a batch longer than the session timeout (heartbeats)', async () => {
    const first = await topic();
    const groupId = unique('group');
    const { server, joined } = await start([{ pattern: 'spec.first', name: 'first', topic: first, groupId }]);
    const beats: number[] = [];
    server.on('consumer.heartbeat', () => beats.push(Date.now()));
    // The handler runs until heartbeats have spanned more than a session timeout.
    behaviour = () =>
      eventually(
        async () => beats,
        (seen) => (seen.at(-1) ?? 0) - (seen[0] ?? Infinity) > TIMINGS.sessionTimeoutMs,
        30_000,
        100,
      ).then(() => undefined);
    await ring(first, 0, 2);

    expect(
      await eventually(
        () => committed(groupId, first),
        (offset) => offset === 2,
      ),
    ).toBe(2);
    expect(calls).toHaveLength(1);
    expect(joined).toEqual([groupId]);
  });

  it('stops at close: the batch in progress is aborted, the group is left at once, nothing more is handled', async () => {
    const first = await topic();
    const groupId = unique('group');
    let handing!: () => void;
    const inHandler = new Promise<void>((resolve) => (handing = resolve));
    behaviour = (call) =>
      new Promise<void>((resolve) => {
        handing();
        call.signal.addEventListener('abort', () => resolve());
      });
    await ring(first, 0, 1);
    const { app, server } = await start([{ pattern: 'spec.first', name: 'first', topic: first, groupId }]);
    await inHandler;

    await server.close();
    expect(calls[0]?.signal.aborted).toBe(true);
    const [group] = (await admin.describeGroups([groupId])).groups;
    expect(group?.members).toEqual([]);
    // Aborted, so not committed: whoever takes the partition gets the doorbell again.
    expect(await committed(groupId, first)).toBe(-1);

    // Closing again (as Nest does when the app closes) is harmless.
    await app.close();
    await ring(first, 1, 1);
    // A consumer in another group sees the new doorbell; the stopped one never handles it.
    await start([{ pattern: 'spec.first', name: 'first', topic: first, groupId: unique('group') }]);
    await eventually(
      async () => handled('spec.first'),
      (seen) => seen.includes(1),
    );
    expect(calls.filter((c) => c.doorbells.some((d) => d.n === 1))).toHaveLength(1);
  });

  it('refuses to start when a subscription has no handler', async () => {
    const first = await topic();
    await expect(
      start([{ pattern: 'spec.nobody', name: 'nobody', topic: first, groupId: unique('group') }]),
    ).rejects.toThrow('no @EventPattern handler for spec.nobody');
  });
});
