import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSourceOptions, DatabaseOptions } from './data-source.factory';
import { PostgresReadinessCheck } from './postgres-readiness.check';
import { ApiKeysRepository } from './repositories/api-keys.repository';
import { DeliveryAttemptsRepository } from './repositories/delivery-attempts.repository';
import { EndpointsRepository } from './repositories/endpoints.repository';
import { EventDeliveriesRepository } from './repositories/event-deliveries.repository';
import { EventsRepository } from './repositories/events.repository';
import { DeliveryStatisticsRepository } from './repositories/delivery-statistics.repository';
import { PortalLinksRepository } from './repositories/portal-links.repository';
import { MetaEventsRepository } from './repositories/meta-events.repository';
import { ProjectsRepository } from './repositories/projects.repository';
import { SourcesRepository } from './repositories/sources.repository';
import { SubscriptionsRepository } from './repositories/subscriptions.repository';
import { EventTypesRepository } from './repositories/event-types.repository';
import { SubscriptionFiltersRepository } from './repositories/subscription-filters.repository';
import { RequestCountersRepository } from './repositories/request-counters.repository';
import { RetentionRepository } from './repositories/retention.repository';

const PROVIDERS: Provider[] = [
  ProjectsRepository,
  ApiKeysRepository,
  EndpointsRepository,
  SubscriptionsRepository,
  SourcesRepository,
  EventsRepository,
  EventDeliveriesRepository,
  DeliveryAttemptsRepository,
  MetaEventsRepository,
  EventTypesRepository,
  SubscriptionFiltersRepository,
  RequestCountersRepository,
  RetentionRepository,
  PortalLinksRepository,
  DeliveryStatisticsRepository,
  PostgresReadinessCheck,
];

/**
 * Import once in each app's root module: `PersistenceModule.forRoot(config.database)`.
 * Global, so feature modules inject repositories (and observability the readiness check)
 * without re-importing it.
 */
@Module({})
export class PersistenceModule {
  static forRoot(database: DatabaseOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [TypeOrmModule.forRootAsync({ useFactory: () => createDataSourceOptions(database) })],
      providers: PROVIDERS,
      exports: PROVIDERS,
    };
  }
}
