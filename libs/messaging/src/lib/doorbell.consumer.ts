import { Logger } from '@nestjs/common';
import { backoffDelay } from '@caravan/domain';
import type { ConsumerHealth } from '@caravan/observability';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The consumer-group timings (CARAVAN_KAFKA_SESSION_TIMEOUT_MS and its siblings). */
export interface ConsumerTimings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

/** Where the consumer reports its lag (the dispatcher's `caravan_consumer_lag_messages`). */
export interface DoorbellConsumerMetrics {
  consumerLag: { set(labels: { topic: string }, value: number): void };
}

export interface DoorbellConsumerOptions<T> {
  /** Short name for /readyz and the restart metric, e.g. `sender`. */
  name: string;
  kafka: Kafka;
  topic: string;
  groupId: string;
  partitionsConcurrency: number;
  timings: ConsumerTimings;
  metrics: DoorbellConsumerMetrics;
  health: ConsumerHealth;
  /**
   * Handles doorbells (at most CHUNK at a time). `signal` aborts when the group rebalances or
   * the consumer stops: the handler should return soon, and the chunk is then not committed
   * (its doorbells are rung again to whoever gets the partition; a claim decides, so twice is harmless).
   * A throw re-delivers the batch (nothing is committed). `partition` is the batch's.
   */
  handle: (doorbells: T[], signal: AbortSignal, partition: number) => Promise<void>;
  /** Runs before the consumer connects (e.g. making sure the topics exist). */
  prepare?: () => Promise<unknown>;
  /** Waits between restarts (tests pass a fake). */
  wait?: (ms: number) => Promise<unknown>;
}

/** Doorbells handed to the handler at a time: between chunks the batch checks its group. */
export const CHUNK = 100;

/** Restarts after a crash or a failed start: 1 s, 2 s, 4 s … up to 30 s. */
export const RESTART_BACKOFF = { initialMs: 1_000, maxMs: 30_000 };

/**
 * A supervised Kafka consumer of doorbells with `eachBatch`. Fails over fast: a short session
 * (a dead member's partitions move within seconds), heartbeats while a chunk is handled, and a
 * batch that stops at the next chunk once a rebalance is under way, so no batch holds the
 * group's generation. A crash kafkajs does not recover from itself restarts the consumer with
 * back-off; while it is down, /readyz names it, and every restart is counted.
 * A malformed message is logged and skipped: a doorbell only says "look at row X", so the
 * scheduler's sweep covers anything skipped.
 */
export class DoorbellConsumer<T> {
  private readonly logger: Logger;
  /** The kafkajs consumer (for its instrumentation events; the transport's `unwrap`). */
  readonly consumer: Consumer;
  private readonly lagByPartition = new Map<number, number>();
  private readonly batches = new Set<AbortController>();
  private joined!: () => void;
  /** Resolves once the consumer has joined its group for the first time. */
  readonly ready = new Promise<void>((resolve) => (this.joined = resolve));
  private stopping = false;
  private supervising?: Promise<void>;
  private crashed?: (error: Error) => void;
  private failures = 0;
  private halt!: () => void;
  private readonly halted = new Promise<void>((resolve) => (this.halt = resolve));

  constructor(private readonly options: DoorbellConsumerOptions<T>) {
    this.logger = new Logger(`DoorbellConsumer(${options.topic})`);
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // A short long-poll: a stop waits for the fetch in progress, so this bounds shutdown.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      sessionTimeout: options.timings.sessionTimeoutMs,
      heartbeatInterval: options.timings.heartbeatIntervalMs,
      rebalanceTimeout: options.timings.rebalanceTimeoutMs,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.failures = 0;
      options.health.running(options.name);
      this.joined();
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (this.stopping) return;
      options.health.failed(options.name, payload.error.message);
      if (payload.restart) {
        // kafkajs restarts it itself (a retriable error); counted all the same.
        this.logger.warn({ consumer: options.name, err: payload.error }, 'consumer crashed; kafkajs restarts it');
        options.health.restarted(options.name);
      } else {
        this.crashed?.(payload.error);
      }
    });
  }

  /** Starts consuming in the background, supervised; boot never blocks on Kafka. */
  start(): void {
    this.options.health.register(this.options.name);
    this.supervising = this.supervise();
  }

  /** Stops fetching, ends the batch in progress at its next chunk, commits, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.halt();
    for (const batch of this.batches) batch.abort();
    this.crashed?.(new Error('stopping'));
    await this.supervising;
    await this.consumer.disconnect();
  }

  /** Runs the consumer; when it crashes for good (or cannot start), restarts it after a back-off. */
  private async supervise(): Promise<void> {
    const wait = this.options.wait ?? ((ms: number) => sleep(ms));
    while (!this.stopping) {
      const crash = new Promise<Error>((resolve) => (this.crashed = resolve));
      try {
        await this.run();
        throw await crash;
      } catch (error) {
        if (this.stopping) return;
        this.failures++;
        const delay = backoffDelay(this.failures, RESTART_BACKOFF);
        const reason = (error as Error).message;
        this.options.health.failed(this.options.name, reason);
        this.logger.warn(
          { consumer: this.options.name, topic: this.options.topic, err: error, restart_in_ms: delay },
          'consumer down; restarting',
        );
        await this.consumer.disconnect().catch(() => undefined);
        await Promise.race([wait(delay), this.halted]);
        if (this.stopping) return;
        this.options.health.restarted(this.options.name);
      }
    }
  }

  private async run(): Promise<void> {
    await this.options.prepare?.();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConcurrency,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const abort = new AbortController();
    this.batches.add(abort);
    // A heartbeat that fails means the group is rebalancing (or gone): stop at the next chunk.
    const beat = setInterval(
      () => void heartbeat().catch(() => abort.abort()),
      this.options.timings.heartbeatIntervalMs,
    );
    let last: string | undefined;
    try {
      for (let start = 0; start < batch.messages.length; start += CHUNK) {
        if (abort.signal.aborted || this.stopping || !isRunning() || isStale()) break;
        const chunk = batch.messages.slice(start, start + CHUNK);
        const doorbells = chunk.flatMap((message) => this.parse(message.value, message.headers));
        if (doorbells.length > 0) await this.options.handle(doorbells, abort.signal, batch.partition);
        if (abort.signal.aborted) break;
        last = chunk[chunk.length - 1]?.offset;
        if (last !== undefined) resolveOffset(last);
      }
    } finally {
      clearInterval(beat);
      this.batches.delete(abort);
    }
    await commitOffsetsIfNecessary();
    if (last !== undefined) this.reportLag(batch.partition, Number(batch.highWatermark) - Number(last) - 1);
  }

  /** The doorbell in the message's JSON, with the trace context of its `traceparent` header. */
  private parse(value: Buffer | null, headers: IHeaders | undefined): T[] {
    try {
      if (!value) return [];
      const doorbell = JSON.parse(value.toString('utf8')) as T & { traceparent?: string };
      const traceparent = headers?.['traceparent'];
      if (doorbell && typeof doorbell === 'object') {
        delete doorbell.traceparent;
        if (traceparent) doorbell.traceparent = traceparent.toString();
      }
      return [doorbell];
    } catch {
      this.logger.warn({ topic: this.options.topic }, 'skipping a malformed doorbell');
      return [];
    }
  }

  private reportLag(partition: number, lag: number): void {
    this.lagByPartition.set(partition, Math.max(0, lag));
    let total = 0;
    for (const value of this.lagByPartition.values()) total += value;
    this.options.metrics.consumerLag.set({ topic: this.options.topic }, total);
  }
}
