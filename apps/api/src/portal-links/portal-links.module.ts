import { DynamicModule, Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventDeliveriesModule } from '../event-deliveries/event-deliveries.module';
import { EventsModule } from '../events/events.module';
import { PortalController } from '../portal/portal.controller';
import { PortalGuard } from '../portal/portal.guard';
import { PortalService } from '../portal/portal.service';
import { PortalLinksController, PUBLIC_URL } from './portal-links.controller';
import { PortalLinksService } from './portal-links.service';

/** Portal links (the project's side) and the customer portal API the links open. */
@Module({})
export class PortalLinksModule {
  static forRoot(publicUrl: string): DynamicModule {
    return {
      module: PortalLinksModule,
      imports: [EndpointsModule, EventDeliveriesModule, EventsModule],
      controllers: [PortalLinksController, PortalController],
      providers: [PortalLinksService, PortalService, PortalGuard, { provide: PUBLIC_URL, useValue: publicUrl }],
    };
  }
}
