import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

@Module({
  imports: [IntakeModule, EndpointsModule],
  controllers: [EventsController],
  providers: [EventsService],
})
export class EventsModule {}
