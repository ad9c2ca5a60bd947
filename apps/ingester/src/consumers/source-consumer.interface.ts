import type { IngesterSettings } from '@caravan/config';
import type { BoundLogger } from '@caravan/observability';
import type { Clock, SsrfGuard } from '@caravan/domain';
import type { IngesterMetrics } from '../ingestion/ingester.metrics';
import type { MessageIngestor } from '../ingestion/message-ingestor.service';
import type { SourceBinding } from '../sources/source-binding.interface';
import type { ConsumerStatus } from './consumer-status';

/**
 * One worker consuming one pub_sub source. Acknowledges a message only after its event is
 * committed (or it is refused for good); a transient failure leaves it with the broker.
 */
export interface SourceConsumer {
  /** Starts consuming in the background; never waits for the broker to be reachable. */
  start(): Promise<void>;
  /** Takes no more messages, finishes in-flight ones (bounded by the drain timeout), acks, disconnects. */
  stop(): Promise<void>;
}

/** What every consumer is built from. */
export interface ConsumerContext {
  binding: SourceBinding;
  /** 0-based index among the source's `workers`. */
  worker: number;
  ingestor: MessageIngestor;
  metrics: IngesterMetrics;
  settings: IngesterSettings;
  /** Lines carry the source's project_id, source_id, type and the worker index. */
  logger: BoundLogger;
  /** Judges every broker address the consumer dials (CARAVAN_INGESTER_BROKER_ALLOW_CIDRS). */
  guard: SsrfGuard;
  /** Where the worker reports itself down (with the reason), running again, and its restarts. */
  status: ConsumerStatus;
  /** Time for the retry waits and the visibility deadlines (a manual one in unit tests). */
  clock: Clock;
}
