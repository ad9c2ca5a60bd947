import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { envelope } from '../common/envelope';
import { PageQueryDto } from '../common/page-query.dto';
import { ExpireSecretDto } from '../endpoints/dto/expire-secret.dto';
import { presentEndpoint } from '../endpoints/endpoint.presenter';
import { ForceResendDto } from '../event-deliveries/dto/event-delivery-query.dto';
import { presentDeliveryAttempt, presentEventDelivery } from '../event-deliveries/event-delivery.presenter';
import type { DeliveryWithContext } from '../event-deliveries/event-deliveries.service';
import { CreatePortalEndpointDto, UpdatePortalEndpointDto } from './dto/portal-endpoint.dto';
import { PortalDeliveryQueryDto } from './dto/portal-delivery-query.dto';
import { PortalEventQueryDto } from './dto/portal-event-query.dto';
import { presentEvent } from '../events/event.presenter';
import { PortalGuard } from './portal.guard';
import { Portal, PortalScope } from './portal-scope';
import { PortalEvent, PortalService } from './portal.service';

const present = ({ delivery, endpoint, event }: DeliveryWithContext, withBody = false) =>
  presentEventDelivery(delivery, { endpoint, event, withBody });

/** Convoy's event shape, with only the link's endpoints (the project's other endpoints and its sources stay hidden). */
const presentPortalEvent = ({ event, endpointIds, endpoints }: PortalEvent) => ({
  ...presentEvent(event, { endpoints }),
  endpoints: endpointIds,
});

/**
 * Caravan's customer portal API, authenticated by a portal link's token (not an API key):
 * the link's endpoints and their deliveries, nothing else of the project.
 */
@ApiTags('portal')
@ApiBearerAuth()
@UseGuards(PortalGuard)
@Controller('api/v1/portal')
export class PortalController {
  constructor(private readonly portal: PortalService) {}

  @Get()
  async link(@Portal() { link }: PortalScope) {
    return envelope('Portal link fetched successfully', {
      uid: link.id,
      name: link.name,
      owner_id: link.ownerId ?? '',
      can_manage_endpoint: link.canManageEndpoint,
    });
  }

  @Get('endpoints')
  async listEndpoints(@Portal() scope: PortalScope, @Query() page: PageQueryDto) {
    const { content, pagination } = await this.portal.listEndpoints(scope, page);
    return envelope('Endpoints fetched successfully', { content: content.map(presentEndpoint), pagination });
  }

  @Post('endpoints')
  async createEndpoint(@Portal() scope: PortalScope, @Body() body: CreatePortalEndpointDto) {
    return envelope('Endpoint created successfully', presentEndpoint(await this.portal.createEndpoint(scope, body)));
  }

  @Get('endpoints/:endpointID')
  async getEndpoint(@Portal() scope: PortalScope, @Param('endpointID') id: string) {
    return envelope('Endpoint fetched successfully', presentEndpoint(await this.portal.getEndpoint(scope, id)));
  }

  @Put('endpoints/:endpointID')
  @HttpCode(202)
  async updateEndpoint(
    @Portal() scope: PortalScope,
    @Param('endpointID') id: string,
    @Body() body: UpdatePortalEndpointDto,
  ) {
    return envelope(
      'Endpoint updated successfully',
      presentEndpoint(await this.portal.updateEndpoint(scope, id, body)),
    );
  }

  @Put('endpoints/:endpointID/expire_secret')
  @HttpCode(202)
  async expireSecret(@Portal() scope: PortalScope, @Param('endpointID') id: string, @Body() body: ExpireSecretDto) {
    return envelope(
      'Endpoint secret expired successfully',
      presentEndpoint(await this.portal.expireSecret(scope, id, body)),
    );
  }

  @Put('endpoints/:endpointID/pause')
  @HttpCode(202)
  async togglePause(@Portal() scope: PortalScope, @Param('endpointID') id: string) {
    return envelope('Endpoint status updated successfully', presentEndpoint(await this.portal.togglePause(scope, id)));
  }

  @Post('endpoints/:endpointID/activate')
  @HttpCode(202)
  async activate(@Portal() scope: PortalScope, @Param('endpointID') id: string) {
    return envelope('Endpoint status updated successfully', presentEndpoint(await this.portal.activate(scope, id)));
  }

  @Get('events')
  async listEvents(@Portal() scope: PortalScope, @Query() query: PortalEventQueryDto) {
    const { endpointId, idempotencyKey, query: search, startDate, endDate, ...page } = query;
    const found = await this.portal.listEvents(
      scope,
      { endpointId, idempotencyKey, query: search, startDate, endDate },
      page,
    );
    return envelope('Events fetched successfully', {
      content: found.content.map(presentPortalEvent),
      pagination: found.pagination,
    });
  }

  @Get('events/:eventID')
  async getEvent(@Portal() scope: PortalScope, @Param('eventID') id: string) {
    return envelope('Event fetched successfully', presentPortalEvent(await this.portal.getEvent(scope, id)));
  }

  @Get('eventdeliveries')
  async listDeliveries(@Portal() scope: PortalScope, @Query() query: PortalDeliveryQueryDto) {
    const { endpointId, eventId, status, eventType, ...page } = query;
    const found = await this.portal.listDeliveries(scope, { endpointId, eventId, status, eventType }, page);
    return envelope('Event deliveries fetched successfully', {
      content: found.content.map((item) => present(item)),
      pagination: found.pagination,
    });
  }

  @Post('eventdeliveries/forceresend')
  @HttpCode(200)
  async forceResend(@Portal() scope: PortalScope, @Body() body: ForceResendDto) {
    const counts = await this.portal.forceResend(scope, body.ids);
    return envelope(`${counts.num_success} successful, ${counts.num_failure} failed`, counts);
  }

  @Get('eventdeliveries/:eventDeliveryID')
  async getDelivery(@Portal() scope: PortalScope, @Param('eventDeliveryID') id: string) {
    return envelope('Event delivery fetched successfully', present(await this.portal.getDelivery(scope, id), true));
  }

  @Put('eventdeliveries/:eventDeliveryID/resend')
  async resend(@Portal() scope: PortalScope, @Param('eventDeliveryID') id: string) {
    return envelope('Event delivery retried successfully', present(await this.portal.resend(scope, id), true));
  }

  @Get('eventdeliveries/:eventDeliveryID/deliveryattempts')
  async attempts(@Portal() scope: PortalScope, @Param('eventDeliveryID') id: string) {
    const attempts = await this.portal.listAttempts(scope, id);
    return envelope('Delivery attempts fetched successfully', attempts.map(presentDeliveryAttempt));
  }
}
