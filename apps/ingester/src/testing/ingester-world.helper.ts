import { loadConfig, type IngesterSettings } from '@caravan/config';
import { ManualClock, PubSubType, SourceType, SsrfGuard, type PubSubConfig } from '@caravan/domain';
import type { IntakeService } from '@caravan/intake';
import { BoundLogger, ConsumerHealth, MetricsRegistry } from '@caravan/observability';
import type { SourceEntity } from '@caravan/persistence';
import type { TransformPool } from '@caravan/sandbox';
import { aProject, aSource, asRepository } from '@caravan/testing';
import { ConsumerStatus } from '../consumers/consumer-status';
import type { ConsumerContext } from '../consumers/source-consumer.interface';
import type { BrokerMessage } from '../ingestion/broker-message.interface';
import { IngesterMetrics } from '../ingestion/ingester.metrics';
import { MessageIngestor } from '../ingestion/message-ingestor.service';
import type { SourceBinding } from '../sources/source-binding.interface';
import { SourceTransforms } from '../transform/source-transforms';
import { InMemoryIntake } from './in-memory-intake.fake';
import { ScriptedTransformPool } from './scripted-transform-pool.fake';

/**
 * The ingester's message path wired as the module wires it: the real MessageIngestor and
 * source transforms over an in-memory intake, a scripted sandbox pool and a manual clock.
 */
export class IngesterWorld {
  readonly clock = new ManualClock();
  readonly intake = new InMemoryIntake();
  readonly pool = new ScriptedTransformPool();
  readonly metrics = new IngesterMetrics(new MetricsRegistry('ingester'));
  readonly health = new ConsumerHealth();
  readonly ingestor = new MessageIngestor(asRepository<IntakeService>(this.intake), this.metrics, this.clock);
  readonly project = aProject();
  readonly settings: IngesterSettings;

  constructor(env: Record<string, string> = {}) {
    this.settings = loadConfig('ingester', {
      CARAVAN_DATABASE_URL: 'postgres://unit:unit@127.0.0.1:1/unit',
      CARAVAN_KAFKA_BROKERS: '127.0.0.1:1',
      ...env,
    }).ingester;
  }

  /** A pub_sub source of the project (Kafka unless told), with its transforms run in the scripted pool. */
  binding(fields: Partial<SourceEntity> = {}, pubSub: PubSubConfig = kafkaConfig()): SourceBinding {
    const source = aSource(this.project, { type: SourceType.PubSub, pubSub, ...fields });
    return {
      source,
      project: this.project,
      transforms: SourceTransforms.forSource(asRepository<TransformPool>(this.pool), source),
    };
  }

  /** What a consumer of `binding` is built with, worker 0. */
  consumerContext(binding: SourceBinding): ConsumerContext {
    return {
      binding,
      worker: 0,
      ingestor: this.ingestor,
      metrics: this.metrics,
      settings: this.settings,
      logger: new BoundLogger('SourceConsumer', { source_id: binding.source.id }),
      guard: new SsrfGuard(this.settings.brokerAllowCidrs, 'CARAVAN_INGESTER_BROKER_ALLOW_CIDRS'),
      status: new ConsumerStatus(this.health, binding.source.pubSub?.type ?? 'unknown', binding.source.id, 0),
      clock: this.clock,
    };
  }

  /** The value of one of the ingester's counters or gauges for these labels (summed over the rest). */
  async counted(metric: keyof IngesterMetrics, labels: Record<string, string> = {}): Promise<number> {
    const { values } = await (
      this.metrics[metric] as { get(): Promise<{ values: Array<{ value: number; labels: object }> }> }
    ).get();
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
      .reduce((sum, v) => sum + v.value, 0);
  }
}

export function kafkaConfig(): PubSubConfig {
  return { type: PubSubType.Kafka, workers: 1, kafka: { brokers: ['127.0.0.1:1'], topic_name: 'orders' } };
}

/** A broker message with a JSON body. */
export function brokerMessage(body: object | string, fields: Partial<Omit<BrokerMessage, 'body'>> = {}): BrokerMessage {
  return {
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    attributes: {},
    where: 'unit test',
    identity: null,
    ...fields,
  };
}
