import { DynamicModule, Module } from '@nestjs/common';
import { DoorbellProducer } from './doorbell.producer';
import { createKafka, KafkaSettings } from './kafka-client.factory';
import { KafkaReadinessCheck } from './kafka-readiness.check';
import { KAFKA_CLIENT, KAFKA_SETTINGS } from './tokens';
import { TopicProvisioner } from './topic-provisioner';

/** The Kafka client, topic provisioning and the Kafka readiness check, shared app-wide. */
@Module({})
export class MessagingModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: KAFKA_SETTINGS, useValue: settings },
        { provide: KAFKA_CLIENT, useFactory: () => createKafka(settings) },
        KafkaReadinessCheck,
        TopicProvisioner,
        DoorbellProducer,
      ],
      exports: [KAFKA_SETTINGS, KAFKA_CLIENT, KafkaReadinessCheck, TopicProvisioner, DoorbellProducer],
    };
  }
}
