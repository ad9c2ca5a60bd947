import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@caravan/observability';
import type { Kafka, Message, Producer } from 'kafkajs';
import { KAFKA_CLIENT } from './tokens';

export interface Doorbell {
  /** Partition key: events by project, deliveries by endpoint (one owner per endpoint). */
  key: string;
  value: unknown;
}

interface Waiting {
  message: Message;
  settle: (error?: Error) => void;
}

export const DOORBELL_LINGER_MS = 5;
export const DOORBELL_MAX_BATCH = 500;

/**
 * Produces doorbells through a micro-batcher: rings that arrive within a few milliseconds of
 * each other go out as one `sendBatch`, so a burst of accepted events costs one Kafka round
 * trip instead of one each. Each caller's promise settles with its own batch's outcome.
 */
@Injectable()
export class DoorbellProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(DoorbellProducer.name);
  private readonly producer: Producer;
  private connecting?: Promise<void>;
  private readonly waiting = new Map<string, Waiting[]>();
  private size = 0;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly produced: Counter<'topic'>;
  private readonly failed: Counter<'topic'>;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka, @Optional() metrics?: MetricsRegistry) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    const registers = metrics ? [metrics.registry] : [];
    this.produced = new Counter({
      name: 'caravan_kafka_produced_messages_total',
      help: 'Doorbell messages Kafka acknowledged, by topic.',
      labelNames: ['topic'],
      registers,
    });
    this.failed = new Counter({
      name: 'caravan_kafka_produce_errors_total',
      help: 'Doorbell messages Kafka did not take (the rows stay; the scheduler re-rings them), by topic.',
      labelNames: ['topic'],
      registers,
    });
  }

  ring(topic: string, doorbells: Doorbell[]): Promise<void> {
    if (doorbells.length === 0) return Promise.resolve();
    const settled = doorbells.map(
      (doorbell) =>
        new Promise<void>((resolve, reject) => {
          const queue = this.waiting.get(topic) ?? [];
          queue.push({
            message: { key: doorbell.key, value: JSON.stringify(doorbell.value) },
            settle: (error) => (error ? reject(error) : resolve()),
          });
          this.waiting.set(topic, queue);
          this.size += 1;
        }),
    );
    if (this.size >= DOORBELL_MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), DOORBELL_LINGER_MS);
    return Promise.all(settled).then(() => undefined);
  }

  /** Sends everything queued now; resolves when those sends have settled. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.size === 0) return Promise.all(this.inFlight).then(() => undefined);
    const batch = [...this.waiting.entries()];
    this.waiting.clear();
    this.size = 0;
    const sending = this.send(batch).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    return Promise.all(this.inFlight).then(() => undefined);
  }

  private async send(batch: Array<[string, Waiting[]]>): Promise<void> {
    const everyone = batch.flatMap(([, queue]) => queue);
    try {
      this.connecting ??= this.producer.connect().catch((error: Error) => {
        this.connecting = undefined;
        throw error;
      });
      await this.connecting;
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: batch.map(([topic, queue]) => ({
          topic,
          messages: queue.map((waiting) => waiting.message),
        })),
      });
      everyone.forEach((waiting) => waiting.settle());
      batch.forEach(([topic, queue]) => this.produced.inc({ topic }, queue.length));
    } catch (error) {
      batch.forEach(([topic, queue]) => this.failed.inc({ topic }, queue.length));
      const topics = batch.map(([topic]) => topic).join(', ');
      this.logger.warn(
        `could not ring ${everyone.length} doorbell(s) on ${topics}: ${(error as Error).message}`,
      );
      everyone.forEach((waiting) => waiting.settle(error as Error));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush().catch(() => undefined);
    if (this.connecting) await this.producer.disconnect().catch(() => undefined);
  }
}
