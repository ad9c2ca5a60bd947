import { Inject, Injectable } from '@nestjs/common';
import type { DeliveryDoorbell, EventDoorbell } from '@caravan/domain';
import { DoorbellProducer, KAFKA_SETTINGS, KafkaSettings } from '@caravan/messaging';

/** A delivery row's doorbell. */
export function deliveryBell(row: { id: string; projectId: string; endpointId: string }): DeliveryDoorbell {
  return {
    project_id: row.projectId,
    endpoint_id: row.endpointId,
    delivery_id: row.id,
    kind: 'delivery',
  };
}

/** A meta-event row's doorbell: meta events have no endpoint. */
export function metaBell(row: { id: string; projectId: string }): DeliveryDoorbell {
  return {
    project_id: row.projectId,
    endpoint_id: '',
    delivery_id: row.id,
    kind: 'meta',
  };
}

/**
 * Rings the dispatcher's doorbells with the partition keys that matter: deliveries by
 * endpoint (one instance owns an endpoint's limiter and breaker), meta events and events by
 * project.
 */
@Injectable()
export class DoorbellRinger {
  constructor(
    private readonly producer: DoorbellProducer,
    @Inject(KAFKA_SETTINGS) private readonly kafka: KafkaSettings,
  ) {}

  deliveries(bells: DeliveryDoorbell[]): Promise<void> {
    return this.producer.ring(
      this.kafka.topics.deliveries,
      bells.map((value) => ({
        key: value.kind === 'meta' ? value.project_id : value.endpoint_id,
        value,
      })),
    );
  }

  events(bells: EventDoorbell[]): Promise<void> {
    return this.producer.ring(
      this.kafka.topics.events,
      bells.map((value) => ({ key: value.project_id, value })),
    );
  }
}
