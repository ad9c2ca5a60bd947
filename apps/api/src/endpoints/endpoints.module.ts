import { Module } from '@nestjs/common';
import { IntakeModule } from '@caravan/intake';
import { StatisticsModule } from '../statistics/statistics.module';
import { EndpointsController } from './endpoints.controller';
import { EndpointsService } from './endpoints.service';
import { OAuth2ConnectionService } from './oauth2-connection.service';

@Module({
  imports: [IntakeModule, StatisticsModule],
  controllers: [EndpointsController],
  providers: [EndpointsService, OAuth2ConnectionService],
  exports: [EndpointsService],
})
export class EndpointsModule {}
