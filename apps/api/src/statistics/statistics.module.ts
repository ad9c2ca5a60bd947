import { Module } from '@nestjs/common';
import { DeliveryStatisticsService } from './delivery-statistics.service';
import { StatisticsController } from './statistics.controller';

@Module({
  controllers: [StatisticsController],
  providers: [DeliveryStatisticsService],
  exports: [DeliveryStatisticsService],
})
export class StatisticsModule {}
