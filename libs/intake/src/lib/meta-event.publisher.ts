import { Inject, Injectable, Logger } from '@nestjs/common';
import { DeliveryDoorbell, MetaEventType } from '@caravan/domain';
import { DoorbellProducer, KAFKA_SETTINGS, KafkaSettings } from '@caravan/messaging';
import { MetaEventsRepository, ProjectEntity } from '@caravan/persistence';

/**
 * Records a meta event for a project that subscribed to its type, and rings the deliveries
 * doorbell. The row is the promise: if the doorbell is lost, the dispatcher's scheduler
 * finds the due row anyway, so a Kafka outage never loses a meta event.
 */
@Injectable()
export class MetaEventPublisher {
  private readonly logger = new Logger(MetaEventPublisher.name);

  constructor(
    private readonly metaEvents: MetaEventsRepository,
    private readonly doorbells: DoorbellProducer,
    @Inject(KAFKA_SETTINGS) private readonly kafka: KafkaSettings,
  ) {}

  /** Whether the project wants this type (an empty list subscribes to every type). */
  static wants(project: ProjectEntity, type: MetaEventType): boolean {
    const config = project.config.meta_event;
    return (
      config.is_enabled &&
      config.url !== '' &&
      (config.event_type.length === 0 || config.event_type.includes(type))
    );
  }

  async publish(project: ProjectEntity, type: MetaEventType, data: unknown): Promise<string | null> {
    if (!MetaEventPublisher.wants(project, type)) return null;
    const row = await this.metaEvents.insert({
      projectId: project.id,
      eventType: type,
      payload: Buffer.from(JSON.stringify({ event_type: type, data }), 'utf8'),
      retryLimit: project.config.strategy.retry_count,
    });
    const doorbell: DeliveryDoorbell = {
      project_id: project.id,
      endpoint_id: '',
      delivery_id: row.id,
      kind: 'meta',
    };
    this.doorbells
      .ring(this.kafka.topics.deliveries, [{ key: `meta:${project.id}`, value: doorbell }])
      .catch((error: Error) =>
        this.logger.warn(
          `meta event ${row.id} (${type}, project ${project.id}) stored but its doorbell failed: ${error.message}; the scheduler will send it`,
        ),
      );
    return row.id;
  }
}
