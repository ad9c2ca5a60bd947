import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { StatisticsModule } from '../statistics/statistics.module';
import { EndpointsController } from './endpoints.controller';
import { EndpointsService } from './endpoints.service';

@Module({
  imports: [IntakeModule, StatisticsModule],
  controllers: [EndpointsController],
  providers: [EndpointsService],
  exports: [EndpointsService],
})
export class EndpointsModule {}
