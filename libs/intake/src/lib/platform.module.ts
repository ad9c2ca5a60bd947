import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { KafkaReadinessCheck, MessagingModule } from '@caravan/messaging';
import { ObservabilityModule } from '@caravan/observability';
import { PersistenceModule, PostgresReadinessCheck } from '@caravan/persistence';
import { IntakeModule } from './intake.module';

/**
 * What every Caravan service stands on: Postgres, Kafka, /healthz /readyz /metrics (ready
 * when both answer) and the intake. Each app's root module imports this once.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: PlatformModule,
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
      exports: [IntakeModule],
    };
  }
}
