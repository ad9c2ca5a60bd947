import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { CommonModule } from './common/common.module';
import { JsonContentTypeMiddleware } from './common/json-content-type.middleware';
import { ProjectsModule } from './projects/projects.module';
import { PlatformModule } from '@caravan/platform';
import { EventsModule } from './events/events.module';
import { EventDeliveriesModule } from './event-deliveries/event-deliveries.module';
import { MetaEventsModule } from './meta-events/meta-events.module';
import { IngestModule } from './ingest/ingest.module';
import { EndpointsModule } from './endpoints/endpoints.module';
import { SourcesModule } from './sources/sources.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { EventTypesModule } from './event-types/event-types.module';
import { FunctionsModule } from './functions/functions.module';
import { OnboardingModule } from './onboarding/onboarding.module';
import { StatisticsModule } from './statistics/statistics.module';
import { PortalLinksModule } from './portal-links/portal-links.module';

@Module({})
export class ApiModule implements NestModule {
  static forRoot(config: CaravanConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config),
        CommonModule.forRoot(config.api.adminApiKey, config.api.rateLimits, config.dispatcher.ssrfAllowCidrs),
        FunctionsModule,
        ProjectsModule,
        EndpointsModule,
        SubscriptionsModule,
        EventTypesModule,
        SourcesModule.forRoot(config.api.publicUrl),
        EventsModule,
        EventDeliveriesModule,
        MetaEventsModule,
        IngestModule,
        OnboardingModule,
        StatisticsModule,
        PortalLinksModule.forRoot(config.api.publicUrl),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(JsonContentTypeMiddleware)
      // Onboarding also takes a multipart CSV upload; its controller checks the media type.
      .exclude({ path: 'api/v1/projects/:projectID/onboard', method: RequestMethod.POST })
      .forRoutes(
        { path: 'api/v1/*path', method: RequestMethod.POST },
        { path: 'api/v1/*path', method: RequestMethod.PUT },
        { path: 'api/v1/*path', method: RequestMethod.PATCH },
      );
  }
}
