import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { envelope } from '../common/envelope';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { EventDeliveryFilterQueryDto, EventDeliveryListQueryDto, ForceResendDto } from './dto/event-delivery-query.dto';
import { presentDeliveryAttempt, presentEventDelivery } from './event-delivery.presenter';
import { DeliveryWithContext, EventDeliveriesService } from './event-deliveries.service';

const present = ({ delivery, endpoint, event }: DeliveryWithContext, withBody = false) =>
  presentEventDelivery(delivery, { endpoint, event, withBody });

@ApiTags('event deliveries')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/eventdeliveries')
export class EventDeliveriesController {
  constructor(private readonly deliveries: EventDeliveriesService) {}

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: EventDeliveryListQueryDto) {
    const { perPage, direction, next_page_cursor, prev_page_cursor, sort } = query;
    const page = await this.deliveries.list(projectId, query, {
      perPage,
      direction,
      next_page_cursor,
      prev_page_cursor,
      sort,
    });
    return envelope('Event deliveries fetched successfully', {
      content: page.content.map((item) => present(item)),
      pagination: page.pagination,
    });
  }

  @Post('forceresend')
  @HttpCode(200)
  async forceResend(@ProjectId() projectId: string, @Body() body: ForceResendDto) {
    const counts = await this.deliveries.forceResend(projectId, body.ids);
    return envelope(`${counts.num_success} successful, ${counts.num_failure} failed`, counts);
  }

  /** Filters come as query parameters, as for the list (Convoy's shape). */
  @Post('batchretry')
  @HttpCode(200)
  async batchRetry(@ProjectId() projectId: string, @Query() query: EventDeliveryFilterQueryDto) {
    const counts = await this.deliveries.batchRetry(projectId, query);
    return envelope(`${counts.num_success} successful, ${counts.num_failure} failed`, counts);
  }

  @Get(':eventDeliveryID')
  async get(@ProjectId() projectId: string, @Param('eventDeliveryID') id: string) {
    return envelope('Event delivery fetched successfully', present(await this.deliveries.get(projectId, id), true));
  }

  @Put(':eventDeliveryID/resend')
  async resend(@ProjectId() projectId: string, @Param('eventDeliveryID') id: string) {
    return envelope('Event delivery retried successfully', present(await this.deliveries.resend(projectId, id), true));
  }

  @Get(':eventDeliveryID/deliveryattempts')
  async attempts(@ProjectId() projectId: string, @Param('eventDeliveryID') id: string) {
    const attempts = await this.deliveries.listAttempts(projectId, id);
    return envelope('Delivery attempts fetched successfully', attempts.map(presentDeliveryAttempt));
  }

  @Get(':eventDeliveryID/deliveryattempts/:attemptID')
  async attempt(
    @ProjectId() projectId: string,
    @Param('eventDeliveryID') id: string,
    @Param('attemptID') attemptId: string,
  ) {
    const attempt = await this.deliveries.getAttempt(projectId, id, attemptId);
    return envelope('Delivery attempt fetched successfully', presentDeliveryAttempt(attempt));
  }
}
