import { Logger } from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import type { DispatcherMetrics } from '../metrics/dispatcher.metrics';

export interface DoorbellConsumerOptions<T> {
  kafka: Kafka;
  topic: string;
  groupId: string;
  partitionsConcurrency: number;
  metrics: DispatcherMetrics;
  /** Handles one batch of parsed doorbells; a throw re-delivers the batch (nothing is committed). */
  handle: (doorbells: T[]) => Promise<void>;
  /** Runs before the consumer connects (e.g. making sure the topics exist). */
  prepare?: () => Promise<unknown>;
}

const HEARTBEAT_MS = 3_000;

/**
 * A Kafka consumer of doorbells with `eachBatch`: parses the batch, hands it over whole,
 * then resolves and commits its offsets; keeps the group session alive with heartbeats
 * while a long batch (slow endpoints) is in progress; reports consumer lag per topic.
 * A malformed message is logged and skipped: a doorbell only says "look at row X", so the
 * scheduler's sweep covers anything skipped.
 */
export class DoorbellConsumer<T> {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly lagByPartition = new Map<number, number>();
  private joined!: () => void;
  /** Resolves once the consumer has joined its group for the first time. */
  readonly ready = new Promise<void>((resolve) => (this.joined = resolve));

  constructor(private readonly options: DoorbellConsumerOptions<T>) {
    this.logger = new Logger(`DoorbellConsumer(${options.topic})`);
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      // A short long-poll: a stop waits for the fetch in progress, so this bounds shutdown.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.joined());
  }

  private stopping = false;
  private starting?: Promise<void>;

  /**
   * Connects and starts consuming in the background, retrying every second until it is
   * running (a broker down at boot, a topic still being created); boot never blocks on Kafka.
   */
  start(): void {
    this.starting = (async () => {
      while (!this.stopping) {
        try {
          await this.run();
          return;
        } catch (error) {
          this.logger.warn(`consumer of ${this.options.topic} not started yet: ${(error as Error).message}`);
          await this.consumer.disconnect().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    })();
  }

  /** Stops fetching, waits for the batch in progress, commits its offsets, disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.starting;
    await this.consumer.disconnect();
  }

  private async run(): Promise<void> {
    await this.options.prepare?.();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: this.options.topic,
      fromBeginning: true,
    });
    await this.consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConcurrency,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
        const doorbells = batch.messages.flatMap((message) => this.parse(message.value));
        const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
        try {
          if (doorbells.length > 0) await this.options.handle(doorbells);
        } finally {
          clearInterval(beat);
        }
        const last = batch.messages[batch.messages.length - 1];
        if (last) resolveOffset(last.offset);
        await commitOffsetsIfNecessary();
        this.reportLag(batch.partition, Number(batch.highWatermark) - Number(last?.offset ?? batch.highWatermark) - 1);
      },
    });
  }

  private parse(value: Buffer | null): T[] {
    try {
      return value ? [JSON.parse(value.toString('utf8')) as T] : [];
    } catch {
      this.logger.warn(`skipping a malformed doorbell on ${this.options.topic}`);
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
