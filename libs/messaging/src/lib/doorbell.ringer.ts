import { Inject, Injectable } from '@nestjs/common';
import { DeliveryDoorbell, doorbellKey, EventDoorbell } from '@caravan/domain';
import { DoorbellProducer } from './doorbell.producer';
import { KAFKA_SETTINGS } from './tokens';
import type { KafkaSettings } from './kafka-client.factory';

/** Rings Caravan's two doorbell topics, with the partition keys decided in one place. */
@Injectable()
export class DoorbellRinger {
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
}
