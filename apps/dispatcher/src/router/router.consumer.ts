import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import type { EventDoorbell } from '@caravan/domain';
import { DoorbellConsumer, KAFKA_CLIENT, KAFKA_SETTINGS, KafkaSettings, TopicProvisioner } from '@caravan/messaging';
import { ConsumerHealth } from '@caravan/observability';
import type { Kafka } from 'kafkajs';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { RouterService } from './router.service';

/** Consumes `caravan.events` in the router's consumer group and hands each batch to the router. */
@Injectable()
export class RouterConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly consumer: DoorbellConsumer<EventDoorbell>;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_SETTINGS) kafkaSettings: KafkaSettings,
    @Inject(DISPATCHER_SETTINGS) settings: DispatcherSettings,
    provisioner: TopicProvisioner,
    router: RouterService,
    metrics: DispatcherMetrics,
    health: ConsumerHealth,
  ) {
    this.consumer = new DoorbellConsumer<EventDoorbell>({
      name: 'router',
      kafka,
      timings: kafkaSettings.consumer,
      health,
      topic: kafkaSettings.topics.events,
      groupId: settings.routerGroupId,
      partitionsConcurrency: settings.partitionsConcurrency,
      metrics,
      handle: (doorbells) => router.route(doorbells),
      prepare: () =>
        kafkaSettings.createTopics ? provisioner.ensureTopics().catch(() => undefined) : Promise.resolve(),
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
