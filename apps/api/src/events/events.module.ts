import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

@Module({
  imports: [IntakeModule, EndpointsModule],
  controllers: [EventsController],
  providers: [EventsService],
  // The customer portal lists a link's events with the same rules.
  exports: [EventsService],
})
export class EventsModule {}
