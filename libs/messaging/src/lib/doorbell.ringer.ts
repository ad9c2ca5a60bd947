import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryDoorbell, doorbellKey, EventDoorbell } from '@caravan/domain';
import { DoorbellProducer } from './doorbell.producer';
import { KAFKA_SETTINGS } from './tokens';
import type { KafkaSettings } from './kafka-client.factory';

/** How many ids a failed ring names in its log line (the count is always given). */
const IDS_LOGGED = 20;

/** Rings Caravan's two doorbell topics, with the partition keys decided in one place. */
@Injectable()
export class DoorbellRinger {
  private readonly logger = new Logger(DoorbellRinger.name);

  constructor(
    private readonly producer: DoorbellProducer,
    @Inject(KAFKA_SETTINGS) private readonly kafka: KafkaSettings,
  ) {}

  deliveries(bells: DeliveryDoorbell[]): Promise<void> {
    return this.producer.ring(
      this.kafka.topics.deliveries,
      bells.map((value) => ({ key: doorbellKey(value), value })),
    );
  }

  events(bells: EventDoorbell[]): Promise<void> {
    return this.producer.ring(
      this.kafka.topics.events,
      bells.map((value) => ({ key: doorbellKey(value), value })),
    );
  }

  /**
   * Rings doorbells for rows already committed (docs/architecture.md#postgres-is-the-truth-kafka-is-the-doorbell).
   * Never rejects: a doorbell Kafka did not take only delays the work until the scheduler
   * re-rings the row, so the failure is logged with the rows' ids and swallowed. Callers may
   * leave the promise unawaited (an api answer need not wait for Kafka) or await it to know
   * the ring has settled.
   */
  async afterCommit(bells: ReadonlyArray<EventDoorbell | DeliveryDoorbell>): Promise<void> {
    const events = bells.filter((bell): bell is EventDoorbell => 'event_id' in bell);
    const deliveries = bells.filter((bell): bell is DeliveryDoorbell => !('event_id' in bell));
    await Promise.all([
      events.length > 0 && this.events(events).catch((error: Error) => this.lost('event', events, error)),
      deliveries.length > 0 &&
        this.deliveries(deliveries).catch((error: Error) => this.lost('delivery', deliveries, error)),
    ]);
  }

  private lost(topic: 'event' | 'delivery', bells: ReadonlyArray<EventDoorbell | DeliveryDoorbell>, error: Error) {
    const shown = bells.slice(0, IDS_LOGGED);
    const projects = [...new Set(shown.map((bell) => bell.project_id))];
    this.logger.warn(
      {
        ...(projects.length === 1 ? { project_id: projects[0] } : { project_ids: projects }),
        ...(topic === 'event'
          ? { event_ids: shown.map((bell) => (bell as EventDoorbell).event_id) }
          : { delivery_ids: shown.map((bell) => (bell as DeliveryDoorbell).delivery_id) }),
        doorbells: bells.length,
        err: error,
      },
      `${topic} doorbells for committed rows failed; the scheduler will ring them again`,
    );
  }
}
