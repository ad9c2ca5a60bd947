import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@caravan/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Why a message was refused: its shape, its transform, or the intake (unknown endpoint, too large…). */
export type RejectionKind = 'malformed' | 'transform' | 'refused';

/** The ingester's Prometheus metrics; labels stay low-cardinality (broker type, source id at most). */
@Injectable()
export class IngesterMetrics {
  readonly received: Counter<'source_type'>;
  readonly accepted: Counter<'source_type'>;
  readonly rejected: Counter<'source_type' | 'reason'>;
  readonly processing: Histogram<'source_type'>;
  readonly consumerErrors: Counter<'source_type'>;
  readonly consumers: Gauge<'source_type'>;
  readonly lag: Gauge<'source' | 'partition'>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.received = new Counter({
      name: 'caravan_ingester_messages_received_total',
      help: 'Broker messages received, per source type',
      labelNames: ['source_type'],
      registers,
    });
    this.accepted = new Counter({
      name: 'caravan_ingester_messages_accepted_total',
      help: 'Messages that became a committed event, per source type',
      labelNames: ['source_type'],
      registers,
    });
    this.rejected = new Counter({
      name: 'caravan_ingester_messages_rejected_total',
      help: 'Messages refused for good (dead-lettered or dropped with a logged reason), per source type and reason',
      labelNames: ['source_type', 'reason'],
      registers,
    });
    this.processing = new Histogram({
      name: 'caravan_ingester_message_processing_seconds',
      help: 'Time from receiving a message to its outcome (event committed or message refused)',
      labelNames: ['source_type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.consumerErrors = new Counter({
      name: 'caravan_ingester_consumer_errors_total',
      help: 'Broker or storage errors met by consumers (the message is retried, never lost)',
      labelNames: ['source_type'],
      registers,
    });
    this.consumers = new Gauge({
      name: 'caravan_ingester_consumers',
      help: 'Consumers (workers) running, per source type',
      labelNames: ['source_type'],
      registers,
    });
    this.lag = new Gauge({
      name: 'caravan_ingester_source_lag_messages',
      help: 'Messages behind the end of the partition, per source and partition (Kafka)',
      labelNames: ['source', 'partition'],
      registers,
    });
  }
}
