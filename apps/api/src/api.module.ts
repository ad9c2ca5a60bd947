import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { KafkaReadinessCheck, MessagingModule } from '@caravan/messaging';
import { ObservabilityModule } from '@caravan/observability';
import { PersistenceModule, PostgresReadinessCheck } from '@caravan/persistence';

@Module({})
export class ApiModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PersistenceModule.forRoot(config.database),
        MessagingModule.forRoot(config.kafka),
        ObservabilityModule.forRoot({
          service: config.service,
          readinessTimeoutMs: config.readinessTimeoutMs,
          checks: [PostgresReadinessCheck, KafkaReadinessCheck],
        }),
      ],
    };
  }
}
