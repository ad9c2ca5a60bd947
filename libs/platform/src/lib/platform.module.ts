import { DynamicModule, Module } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { KafkaReadinessCheck, MessagingModule } from '@caravan/messaging';
import { ObservabilityModule } from '@caravan/observability';
import { PersistenceModule, PostgresReadinessCheck } from '@caravan/persistence';
import { TransformPool } from '@caravan/sandbox';
import { IntakeModule } from '@caravan/intake';
import { MetaEventsModule } from '@caravan/meta-events';

/**
 * What every Caravan service stands on: Postgres, Kafka, /healthz /readyz /metrics (ready
 * when both answer), the intake, and the pool that runs tenant functions (its workers start
 * on first use). Each app's root module imports this once.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: PlatformModule,
      // Global so feature modules inject the TransformPool without importing it again.
      global: true,
      imports: [
        PersistenceModule.forRoot(config.database),
        MessagingModule.forRoot(config.kafka),
        ObservabilityModule.forRoot({
          service: config.service,
          readinessTimeoutMs: config.readinessTimeoutMs,
          metrics: config.metrics,
          log: config.log,
          checks: [PostgresReadinessCheck, KafkaReadinessCheck],
        }),
        IntakeModule,
        MetaEventsModule,
      ],
      providers: [{ provide: TransformPool, useFactory: () => new TransformPool(config.transform) }],
      exports: [IntakeModule, MetaEventsModule, TransformPool],
    };
  }
}
