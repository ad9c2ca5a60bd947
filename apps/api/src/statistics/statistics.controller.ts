import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { DeliveryStatisticsService } from './delivery-statistics.service';
import { DeliveryStatisticsQueryDto } from './dto/statistics-query.dto';

@ApiTags('statistics')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/statistics')
export class StatisticsController {
  constructor(private readonly statistics: DeliveryStatisticsService) {}

  /** Caravan's: event deliveries counted by status per minute, hour or day (created_at, UTC). */
  @Get('deliveries')
  async deliveries(@ProjectId() projectId: string, @Query() query: DeliveryStatisticsQueryDto) {
    return envelope('Delivery statistics fetched successfully', await this.statistics.deliveries(projectId, query));
  }
}
