import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { IntakeModule } from '@caravan/intake';
import { KafkaReadinessCheck, MessagingModule } from '@caravan/messaging';
import { ObservabilityModule } from '@caravan/observability';
import { PersistenceModule, PostgresReadinessCheck } from '@caravan/persistence';
import { SourceConsumerFactory } from './consumers/source-consumer.factory';
import { INGESTER_SETTINGS } from './ingester-settings.token';
import { IngesterMetrics } from './ingestion/ingester.metrics';
import { MessageIngestor } from './ingestion/message-ingestor.service';
import { SourceRegistry } from './sources/source.registry';
import { TransformSandboxFactory } from './transform/transform-sandbox.factory';

@Module({})
export class IngesterModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: IngesterModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        MessagingModule.forRoot(config.kafka),
        ObservabilityModule.forRoot({
          service: config.service,
          readinessTimeoutMs: config.readinessTimeoutMs,
          checks: [PostgresReadinessCheck, KafkaReadinessCheck],
        }),
        IntakeModule,
      ],
      providers: [
        { provide: INGESTER_SETTINGS, useValue: config.ingester },
        IngesterMetrics,
        TransformSandboxFactory,
        MessageIngestor,
        SourceConsumerFactory,
        SourceRegistry,
      ],
    };
  }
}
