import { createKafka, KafkaSettings } from '@caravan/messaging';
import type { PubSubConfig } from '@caravan/domain';
import type { Consumer, EachBatchPayload, KafkaMessage, SASLOptions } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringAttributes } from './broker-attributes.helper';
import { guardedKafkaSocketFactory } from './broker-connections.helper';
import type { ConsumerContext, SourceConsumer } from './source-consumer.interface';

/** Messages of a partition's batch offered to the intake at once (one batched INSERT for most). */
export const CONCURRENT_MESSAGES = 100;

type KafkaSourceConfig = NonNullable<PubSubConfig['kafka']>;

/** How long a rebalance waits for the live members of a source's group to re-join. */
const REBALANCE_TIMEOUT_MS = 10_000;

/**
 * A member of the source's consumer group (`consumer_group_id`, or one per source), so
 * replicas and workers share the partitions and a message is processed by one of them.
 * Offsets are resolved only after the event is committed and committed after every batch:
 * a crash before that re-reads the message, never skips it. A refused message is logged,
 * counted and skipped (Kafka has no dead-letter of its own). A transient failure retries the
 * same message (the partition waits, keeping its order) until it succeeds or the consumer stops.
 */
export class KafkaSourceConsumer implements SourceConsumer {
  private consumer?: Consumer;
  private stopping = false;
  private running?: Promise<void>;

  constructor(
    private readonly context: ConsumerContext,
    private readonly kafkaSettings: KafkaSettings,
  ) {}

  private get config(): KafkaSourceConfig {
    const config = this.context.binding.source.pubSub?.kafka;
    if (!config) throw new Error(`source ${this.context.binding.source.id} has no kafka config`);
    return config;
  }

  async start(): Promise<void> {
    const { source } = this.context.binding;
    const config = this.config;
    const kafka = createKafka(this.kafkaSettings, {
      clientId: `caravan-ingester-${source.id}-${this.context.worker}`,
      brokers: config.brokers,
      ssl: config.auth?.tls ? true : undefined,
      sasl: saslOptions(config.auth),
      socketFactory: guardedKafkaSocketFactory(this.context.guard),
    });
    this.consumer = kafka.consumer({
      groupId: config.consumer_group_id || `caravan-ingester-${source.id}`,
      allowAutoTopicCreation: false,
      sessionTimeout: this.context.settings.kafkaSessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.context.settings.kafkaSessionTimeoutMs / 3)),
      // A batch stops at its next message once a rebalance starts (see handle), well within this.
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
    });
    // Logged with its partitions: how long a source waited after a crash shows in the log.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.context.status.up();
      this.context.logger.log(
        { topic: this.config.topic_name, partitions: payload.memberAssignment[this.config.topic_name] ?? [] },
        'joined its consumer group',
      );
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      this.context.metrics.consumerErrors.inc({ source_type: 'kafka' });
      this.context.status.down(payload.error.message);
      this.context.logger.error(
        { err: payload.error, restart: payload.restart },
        payload.restart ? 'consumer crashed; restarting' : 'consumer crashed; reconnecting',
      );
      // Down until it has joined its group again; kafkajs restarts it itself on a retriable error.
      this.context.status.restarting();
      if (!payload.restart) this.running = this.connect();
    });
    this.running = this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    if (!consumer) return;
    // disconnect() waits for the batch in progress, then commits what was resolved.
    const disconnected = this.running?.then(() => consumer.disconnect()).catch(() => undefined);
    await Promise.race([disconnected, sleep(this.context.settings.drainTimeoutMs)]);
  }

  /** Connects, subscribes and runs, retrying while the broker is unreachable. */
  private async connect(): Promise<void> {
    const consumer = this.consumer;
    while (consumer && !this.stopping) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: this.config.topic_name, fromBeginning: true });
        await consumer.run({
          eachBatchAutoResolve: false,
          autoCommitThreshold: 1,
          eachBatch: (payload) => this.eachBatch(payload),
        });
        return;
      } catch (error) {
        if (this.stopping) return;
        this.context.metrics.consumerErrors.inc({ source_type: 'kafka' });
        this.context.status.down((error as Error).message);
        this.context.logger.warn(
          { topic: this.config.topic_name, brokers: this.config.brokers, err: error },
          'cannot consume the topic; retrying',
        );
        await consumer.disconnect().catch(() => undefined);
        await sleep(this.context.settings.retryDelayMs);
        if (!this.stopping) this.context.status.restarting();
      }
    }
  }

  /**
   * Hands a batch to the intake {@link CONCURRENT_MESSAGES} messages at a time, so their events
   * share batched INSERTs instead of waiting for one another; an offset is resolved only when
   * it and every message before it in the partition are done with.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    let last: string | undefined;
    for (let start = 0; start < batch.messages.length; start += CONCURRENT_MESSAGES) {
      if (this.stopping || !isRunning() || isStale()) break;
      const chunk = batch.messages.slice(start, start + CONCURRENT_MESSAGES);
      const done = await Promise.all(
        chunk.map((message) => this.handle(batch.topic, batch.partition, message, heartbeat)),
      );
      const finished = done.indexOf(false) === -1 ? chunk.length : done.indexOf(false);
      for (const message of chunk.slice(0, finished)) {
        resolveOffset(message.offset);
        last = message.offset;
      }
      if (finished < chunk.length) break;
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    if (last !== undefined) {
      const lag = Math.max(0, Number(batch.highWatermark) - Number(last) - 1);
      this.context.metrics.lag.set({ source: this.context.binding.source.id, partition: String(batch.partition) }, lag);
    }
  }

  /** True once the message is done with (committed or refused); false when stopping first. */
  private async handle(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const where = `kafka topic ${topic} partition ${partition} offset ${message.offset}`;
    for (;;) {
      try {
        await this.context.ingestor.ingest(this.context.binding, {
          body: message.value ?? Buffer.alloc(0),
          attributes: stringAttributes(message.headers),
          where,
          identity: `kafka:${topic}:${partition}:${message.offset}`,
        });
        return true;
      } catch (error) {
        this.context.logger.warn(
          { where, err: error, retry_in_ms: this.context.settings.retryDelayMs },
          'message not ingested; retrying',
        );
        if (this.stopping) return false;
        await this.context.clock.sleep(this.context.settings.retryDelayMs);
        if (this.stopping) return false;
        // A failed heartbeat means the group is rebalancing: give the partition up now (the
        // message is not resolved, so whoever gets the partition reads it again).
        if (
          !(await heartbeat().then(
            () => true,
            () => false,
          ))
        )
          return false;
      }
    }
  }
}

function saslOptions(auth: KafkaSourceConfig['auth']): SASLOptions | undefined {
  if (!auth?.type) return undefined;
  const credentials = { username: auth.username ?? '', password: auth.password ?? '' };
  if (auth.type === 'plain') return { mechanism: 'plain', ...credentials };
  return auth.hash === 'SHA512'
    ? { mechanism: 'scram-sha-512', ...credentials }
    : { mechanism: 'scram-sha-256', ...credentials };
}
