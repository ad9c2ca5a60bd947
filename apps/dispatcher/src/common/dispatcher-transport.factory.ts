import type { FactoryProvider } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import {
  DoorbellPattern,
  KAFKA_CLIENT,
  KAFKA_SETTINGS,
  KafkaBatchServer,
  KafkaSettings,
  TopicProvisioner,
} from '@caravan/messaging';
import { ConsumerHealth } from '@caravan/observability';
import type { Kafka } from 'kafkajs';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { DISPATCHER_SETTINGS } from './dispatcher.tokens';

/**
 * The dispatcher's microservice transport: the router's group on the events topic and the
 * sender's group on the deliveries topic, their batches handed to `RouterController` and
 * `SenderController`. A provider, so `main.ts` connects this very instance and the sender's
 * shutdown can stop it before draining.
 */
export const dispatcherTransport: FactoryProvider<KafkaBatchServer> = {
  provide: KafkaBatchServer,
  inject: [KAFKA_CLIENT, KAFKA_SETTINGS, DISPATCHER_SETTINGS, TopicProvisioner, DispatcherMetrics, ConsumerHealth],
  useFactory: (
    kafka: Kafka,
    kafkaSettings: KafkaSettings,
    settings: DispatcherSettings,
    provisioner: TopicProvisioner,
    metrics: DispatcherMetrics,
    health: ConsumerHealth,
  ) =>
    new KafkaBatchServer({
      kafka,
      subscriptions: [
        {
          pattern: DoorbellPattern.events,
          name: 'router',
          topic: kafkaSettings.topics.events,
          groupId: settings.routerGroupId,
        },
        {
          pattern: DoorbellPattern.deliveries,
          name: 'sender',
          topic: kafkaSettings.topics.deliveries,
          groupId: settings.senderGroupId,
        },
      ],
      partitionsConcurrency: settings.partitionsConcurrency,
      timings: kafkaSettings.consumer,
      metrics,
      health,
      prepare: () =>
        kafkaSettings.createTopics ? provisioner.ensureTopics().catch(() => undefined) : Promise.resolve(),
    }),
};
