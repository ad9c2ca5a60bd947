import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { EventTypesController } from './event-types.controller';
import { EventTypesService } from './event-types.service';

@Module({
  imports: [IntakeModule],
  controllers: [EventTypesController],
  providers: [EventTypesService],
})
export class EventTypesModule {}
