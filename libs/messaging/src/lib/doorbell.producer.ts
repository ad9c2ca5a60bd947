import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Kafka, Message, Producer } from 'kafkajs';
import { Counter } from 'prom-client';
import { MicroBatcher } from '@caravan/domain';
import {
  MetricsRegistry,
  SpanKind,
  contextWith,
  failSpan,
  hasActiveSpan,
  startSpan,
  traceHeaders,
} from '@caravan/observability';
import { KAFKA_CLIENT } from './tokens';

export interface Doorbell {
  /** Partition key: events by project, deliveries by endpoint (one owner per endpoint). */
  key: string;
  value: unknown;
}

interface Outgoing {
  topic: string;
  message: Message;
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
  private readonly batcher = new MicroBatcher<Outgoing, void>((batch) => this.send(batch), {
    lingerMs: DOORBELL_LINGER_MS,
    maxBatch: DOORBELL_MAX_BATCH,
  });
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

  /**
   * When the caller is traced, each doorbell gets a PRODUCER span (`send <topic>`, ended when
   * Kafka answers) whose W3C `traceparent` travels in the message's headers: the consumer's
   * span becomes its child.
   */
  async ring(topic: string, doorbells: Doorbell[]): Promise<void> {
    await Promise.all(
      doorbells.map((doorbell) => {
        const message: Message = { key: doorbell.key, value: JSON.stringify(doorbell.value) };
        const span = hasActiveSpan()
          ? startSpan(`send ${topic}`, {
              kind: SpanKind.PRODUCER,
              attributes: {
                'messaging.system': 'kafka',
                'messaging.operation.type': 'send',
                'messaging.destination.name': topic,
                'messaging.kafka.message.key': doorbell.key,
              },
            })
          : undefined;
        if (!span) return this.batcher.submit({ topic, message });
        message.headers = traceHeaders(contextWith(span));
        return this.batcher.submit({ topic, message }).then(
          () => span.end(),
          (error: unknown) => {
            failSpan(span, error);
            span.end();
            throw error;
          },
        );
      }),
    );
  }

  /** Sends everything queued now; resolves when those sends have settled. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  private async send(batch: Outgoing[]): Promise<void[]> {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of batch) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    try {
      this.connecting ??= this.producer.connect().catch((error: Error) => {
        this.connecting = undefined;
        throw error;
      });
      await this.connecting;
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      byTopic.forEach((messages, topic) => this.produced.inc({ topic }, messages.length));
      return batch.map(() => undefined);
    } catch (error) {
      byTopic.forEach((messages, topic) => this.failed.inc({ topic }, messages.length));
      this.logger.warn(
        { doorbells: batch.length, topics: [...byTopic.keys()], err: error },
        'could not ring doorbells',
      );
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush().catch(() => undefined);
    if (this.connecting) await this.producer.disconnect().catch(() => undefined);
  }
}
