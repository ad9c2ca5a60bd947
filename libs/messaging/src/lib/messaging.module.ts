import { DynamicModule, Module } from '@nestjs/common';
import { DoorbellProducer } from './doorbell.producer';
import { DoorbellRinger } from './doorbell.ringer';
import { createKafka, KafkaSettings } from './kafka-client.factory';
import { KafkaReadinessCheck } from './kafka-readiness.check';
import { KAFKA_CLIENT, KAFKA_SETTINGS } from './tokens';
import { TopicProvisioner } from './topic-provisioner.service';

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
        DoorbellRinger,
      ],
      exports: [KAFKA_SETTINGS, KAFKA_CLIENT, KafkaReadinessCheck, TopicProvisioner, DoorbellProducer, DoorbellRinger],
    };
  }
}
