import { Module } from '@nestjs/common';
import { MetaEventsController } from './meta-events.controller';
import { MetaEventsService } from './meta-events.service';

@Module({
  controllers: [MetaEventsController],
  providers: [MetaEventsService],
})
export class MetaEventsModule {}
