import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { BoundLogger } from '@caravan/observability';
import type { IngesterSettings } from '@caravan/config';
import { CLOCK, Clock, PubSubType, SsrfGuard, systemClock } from '@caravan/domain';
import { KAFKA_SETTINGS, KafkaSettings } from '@caravan/messaging';
import { ConsumerHealth } from '@caravan/observability';
import { INGESTER_SETTINGS } from '../ingester-settings.token';
import { IngesterMetrics } from '../ingestion/ingester.metrics';
import { MessageIngestor } from '../ingestion/message-ingestor.service';
import type { SourceBinding } from '../sources/source-binding.interface';
import { AmqpSourceConsumer } from './amqp-source.consumer';
import { ConsumerStatus } from './consumer-status';
import { GoogleSourceConsumer } from './google-source.consumer';
import { KafkaSourceConsumer } from './kafka-source.consumer';
import type { ConsumerContext, SourceConsumer } from './source-consumer.interface';
import { SqsSourceConsumer } from './sqs-source.consumer';

/** The consumer for a source's broker type. */
@Injectable()
export class SourceConsumerFactory {
  private readonly logger = new Logger('SourceConsumer');
  private readonly guard: SsrfGuard;

  constructor(
    private readonly ingestor: MessageIngestor,
    private readonly metrics: IngesterMetrics,
    @Inject(INGESTER_SETTINGS) private readonly settings: IngesterSettings,
    @Inject(KAFKA_SETTINGS) private readonly kafkaSettings: KafkaSettings,
    private readonly health: ConsumerHealth,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.guard = new SsrfGuard(settings.brokerAllowCidrs, 'CARAVAN_INGESTER_BROKER_ALLOW_CIDRS');
  }

  create(binding: SourceBinding, worker: number): SourceConsumer {
    const type = binding.source.pubSub?.type ?? 'unknown';
    const status = new ConsumerStatus(this.health, type, binding.source.id, worker);
    const context = {
      binding,
      worker,
      ingestor: this.ingestor,
      metrics: this.metrics,
      settings: this.settings,
      logger: new BoundLogger(this.logger, {
        project_id: binding.project.id,
        source_id: binding.source.id,
        source_type: binding.source.pubSub?.type,
        worker,
      }),
      guard: this.guard,
      status,
      clock: this.clock,
    };
    return new ReportedConsumer(this.consumerFor(context), status);
  }

  private consumerFor(context: ConsumerContext): SourceConsumer {
    const type = context.binding.source.pubSub?.type;
    switch (type) {
      case PubSubType.Kafka:
        return new KafkaSourceConsumer(context, this.kafkaSettings);
      case PubSubType.Sqs:
        return new SqsSourceConsumer(context);
      case PubSubType.Amqp:
        return new AmqpSourceConsumer(context);
      case PubSubType.Google:
        return new GoogleSourceConsumer(context);
      default:
        context.status.close();
        throw new Error(`source ${context.binding.source.id} has an unknown pub_sub type ${String(type)}`);
    }
  }
}

/** A source worker whose start that fails is reported down (it cannot run), and whose stop ends its report. */
class ReportedConsumer implements SourceConsumer {
  constructor(
    private readonly inner: SourceConsumer,
    private readonly status: ConsumerStatus,
  ) {}

  async start(): Promise<void> {
    try {
      await this.inner.start();
    } catch (error) {
      this.status.down((error as Error).message);
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.inner.stop();
    } finally {
      this.status.close();
    }
  }
}
