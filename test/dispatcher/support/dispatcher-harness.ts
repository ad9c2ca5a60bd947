import { loadConfig } from '@caravan/config';
import type { EventDoorbell } from '@caravan/domain';
import { createKafka, DoorbellProducer } from '@caravan/messaging';
import { DeliveryAttemptEntity, EventDeliveryEntity, EventEntity } from '@caravan/persistence';
import {
  createTestDatabase,
  eventually,
  insertEvent,
  ServiceProcess,
  sharedKafkaBrokers,
  spawnService,
  TestDatabase,
} from '@caravan/testing';
import { logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { WebhookReceiver } from './webhook-receiver';

/** Settings every dispatcher test wants: short timings, and loopback allowed (the receiver). */
export const FAST_DISPATCHER_ENV: Record<string, string> = {
  CARAVAN_SSRF_ALLOW_CIDRS: '127.0.0.0/8',
  CARAVAN_DISPATCHER_SCHEDULER_INTERVAL_MS: '250',
  CARAVAN_DISPATCHER_DOORBELL_GRACE_SECONDS: '2',
  CARAVAN_DISPATCHER_LEASE_SECONDS: '30',
  CARAVAN_KAFKA_PARTITIONS: '3',
  CARAVAN_LOG_LEVEL: 'warn',
};

/** Unique topic and group names, so test files run in parallel on one broker. */
export function isolatedKafkaEnv(name: string): Record<string, string> {
  const suffix = `${name}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
  return {
    CARAVAN_KAFKA_BROKERS: sharedKafkaBrokers(),
    CARAVAN_KAFKA_EVENTS_TOPIC: `test.events.${suffix}`,
    CARAVAN_KAFKA_DELIVERIES_TOPIC: `test.deliveries.${suffix}`,
    CARAVAN_DISPATCHER_ROUTER_GROUP_ID: `test.router.${suffix}`,
    CARAVAN_DISPATCHER_SENDER_GROUP_ID: `test.sender.${suffix}`,
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * One test file's world: its own database, its own topics and consumer groups, a real HTTP
 * receiver on 127.0.0.1, and the dispatcher's production bundle (dist/apps/dispatcher, built
 * with `nx build dispatcher`) running against the real Postgres and Kafka.
 */
export class DispatcherHarness {
  readonly dispatchers: ServiceProcess[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly receiver: WebhookReceiver,
    readonly env: Record<string, string | undefined>,
    readonly producer: DoorbellProducer,
  ) {}

  /** An override given as `undefined` leaves that variable unset in the dispatcher's environment. */
  static async start(name: string, overrides: Record<string, string | undefined> = {}): Promise<DispatcherHarness> {
    const database = await createTestDatabase({ poolSize: 5 });
    const receiver = await WebhookReceiver.start();
    const env = {
      ...FAST_DISPATCHER_ENV,
      ...isolatedKafkaEnv(name),
      CARAVAN_DATABASE_URL: database.url,
      ...overrides,
    };
    const config = loadConfig('dispatcher', env);
    const producer = new DoorbellProducer(createKafka(config.kafka, { logLevel: logLevel.NOTHING }));
    const harness = new DispatcherHarness(database, receiver, env, producer);
    await harness.startDispatcher();
    return harness;
  }

  /** Spawns one more dispatcher process (the bundle) and waits until it is ready. */
  async startDispatcher(): Promise<ServiceProcess> {
    const dispatcher = spawnService('dispatcher', await freePort(), this.env);
    this.dispatchers.push(dispatcher);
    await dispatcher.waitForReady();
    return dispatcher;
  }

  get dataSource() {
    return this.database.dataSource;
  }

  /** Rings the events topic for these events, exactly as the api's intake will. */
  async announce(...events: EventEntity[]): Promise<void> {
    const bells: EventDoorbell[] = events.map((event) => ({
      project_id: event.projectId,
      event_id: event.id,
    }));
    await this.producer.ring(
      this.env['CARAVAN_KAFKA_EVENTS_TOPIC'] as string,
      bells.map((value) => ({ key: value.project_id, value })),
    );
  }

  /** Inserts an event whose raw body is `body` (exact bytes), and announces it. */
  async publish(
    projectId: string,
    fields: Parameters<typeof insertEvent>[2] & { body?: string | Buffer },
  ): Promise<EventEntity> {
    const { body, ...rest } = fields;
    const raw =
      body === undefined
        ? (rest.raw ?? Buffer.from('{"ok":true}'))
        : Buffer.isBuffer(body)
          ? body
          : Buffer.from(body, 'utf8');
    const event = await insertEvent(this.dataSource, projectId, {
      ...rest,
      raw,
    });
    await this.announce(event);
    return event;
  }

  deliveriesOf(eventId: string): Promise<EventDeliveryEntity[]> {
    return this.dataSource.getRepository(EventDeliveryEntity).find({ where: { eventId }, order: { id: 'ASC' } });
  }

  attemptsOf(deliveryId: string): Promise<DeliveryAttemptEntity[]> {
    return this.dataSource
      .getRepository(DeliveryAttemptEntity)
      .find({ where: { eventDeliveryId: deliveryId }, order: { id: 'ASC' } });
  }

  /** Waits until the event has deliveries and every one of them is in a final status. */
  async settled(eventId: string, timeoutMs = 30_000): Promise<EventDeliveryEntity[]> {
    return eventually(
      () => this.deliveriesOf(eventId),
      (rows) => rows.length > 0 && rows.every((row) => ['Success', 'Failure', 'Discarded'].includes(row.status)),
      timeoutMs,
    );
  }

  /**
   * Waits until the dispatchers have consumed every doorbell rung so far on both topics (each
   * consumer group's committed offsets at the end of every partition). With the sender's claim
   * deciding what is sent, a test can then assert that nothing more happens, without a sleep.
   */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const admin = createKafka(loadConfig('dispatcher', this.env).kafka, { logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const groups: Array<[string, string]> = [
        [this.env['CARAVAN_KAFKA_EVENTS_TOPIC'] as string, this.env['CARAVAN_DISPATCHER_ROUTER_GROUP_ID'] as string],
        [
          this.env['CARAVAN_KAFKA_DELIVERIES_TOPIC'] as string,
          this.env['CARAVAN_DISPATCHER_SENDER_GROUP_ID'] as string,
        ],
      ];
      const behind = async () => {
        let lag = 0;
        for (const [topic, groupId] of groups) {
          const ends = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          for (const end of ends) {
            const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
            lag += Math.max(0, Number(end.high) - Math.max(at, Number(end.low)));
          }
        }
        return lag;
      };
      await eventually(behind, (lag) => lag === 0, timeoutMs);
    } finally {
      await admin.disconnect();
    }
  }

  /** Everything the dispatchers logged (for failure messages). */
  logs(): string {
    return this.dispatchers.map((d) => d.output()).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.dispatchers.map((dispatcher) => dispatcher.stop('SIGTERM')));
    await this.producer.onApplicationShutdown();
    await this.receiver.stop();
    await this.database.drop();
    const admin = createKafka(loadConfig('dispatcher', this.env).kafka, {
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin
      .deleteTopics({
        topics: [
          this.env['CARAVAN_KAFKA_EVENTS_TOPIC'] as string,
          this.env['CARAVAN_KAFKA_DELIVERIES_TOPIC'] as string,
        ],
      })
      .catch(() => undefined);
    await admin.disconnect();
  }
}
