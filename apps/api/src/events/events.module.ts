import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

@Module({
  imports: [IntakeModule],
  controllers: [EventsController],
  providers: [EventsService],
})
export class EventsModule {}
