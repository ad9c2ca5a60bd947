import { Module } from '@nestjs/common';
import { EventDeliveriesController } from './event-deliveries.controller';
import { EventDeliveriesService } from './event-deliveries.service';

@Module({
  controllers: [EventDeliveriesController],
  providers: [EventDeliveriesService],
  exports: [EventDeliveriesService],
})
export class EventDeliveriesModule {}
