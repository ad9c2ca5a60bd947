import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { CreateEndpointDto } from './dto/create-endpoint.dto';
import { ExpireSecretDto } from './dto/expire-secret.dto';
import { ListEndpointsQueryDto } from './dto/list-endpoints-query.dto';
import { UpdateEndpointDto } from './dto/update-endpoint.dto';
import { presentEndpoint } from './endpoint.presenter';
import { EndpointsService } from './endpoints.service';
import { DeliveryStatisticsService } from '../statistics/delivery-statistics.service';
import { PeriodFailureRatesQueryDto } from '../statistics/dto/statistics-query.dto';
import { repeated } from '../common/list-filters';
import { ApiEnvelope } from '../common/api-envelope.decorator';
import { TestOAuth2Dto, TestOAuth2ResponseDto } from './dto/test-oauth2.dto';
import { OAuth2ConnectionService } from './oauth2-connection.service';

@ApiTags('endpoints')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/endpoints')
export class EndpointsController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly statistics: DeliveryStatisticsService,
    private readonly oauth2: OAuth2ConnectionService,
  ) {}

  @Post()
  async create(@ProjectId() projectId: string, @Body() body: CreateEndpointDto) {
    return envelope('Endpoint created successfully', presentEndpoint(await this.endpoints.create(projectId, body)));
  }

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: ListEndpointsQueryDto) {
    const { q, query: text, ownerId, ...page } = query;
    const { content, pagination } = await this.endpoints.list(projectId, { q: q ?? text, ownerId }, page);
    return envelope('Endpoints fetched successfully', { content: content.map(presentEndpoint), pagination });
  }

  /** Declared before `:endpointID` so the literal path is not read as an id. */
  @Get('period-failure-rates')
  async periodFailureRates(@ProjectId() projectId: string, @Query() query: PeriodFailureRatesQueryDto) {
    const endpointIds = repeated(query.endpointId, query['endpointId[]']) ?? [];
    const rates = await this.statistics.periodFailureRates(projectId, endpointIds, query);
    return envelope('Endpoint period failure rates fetched successfully', rates);
  }

  /** Convoy's connection test: one token request with the given config, nothing stored. */
  @Post('oauth2/test')
  @HttpCode(200)
  @ApiEnvelope(200, TestOAuth2ResponseDto)
  async testOAuth2(@ProjectId() projectId: string, @Body() body: TestOAuth2Dto) {
    const token = await this.oauth2.test(projectId, body.oauth2);
    return envelope('OAuth2 connection test successful', {
      success: true,
      access_token: token.value,
      token_type: token.type,
      expires_at: new Date(token.expiresAt).toISOString(),
      message: 'OAuth2 connection test successful',
    });
  }

  @Get(':endpointID')
  async get(@ProjectId() projectId: string, @Param('endpointID') id: string) {
    return envelope('Endpoint fetched successfully', presentEndpoint(await this.endpoints.get(projectId, id)));
  }

  @Put(':endpointID')
  @HttpCode(202)
  async update(@ProjectId() projectId: string, @Param('endpointID') id: string, @Body() body: UpdateEndpointDto) {
    return envelope('Endpoint updated successfully', presentEndpoint(await this.endpoints.update(projectId, id, body)));
  }

  @Delete(':endpointID')
  async remove(@ProjectId() projectId: string, @Param('endpointID') id: string) {
    await this.endpoints.remove(projectId, id);
    return envelope('Endpoint deleted successfully', null);
  }

  @Put(':endpointID/expire_secret')
  @HttpCode(200)
  async expireSecret(@ProjectId() projectId: string, @Param('endpointID') id: string, @Body() body: ExpireSecretDto) {
    return envelope(
      'Endpoint secret expired successfully',
      presentEndpoint(await this.endpoints.expireSecret(projectId, id, body)),
    );
  }

  @Put(':endpointID/pause')
  @HttpCode(202)
  async togglePause(@ProjectId() projectId: string, @Param('endpointID') id: string) {
    return envelope(
      'Endpoint status updated successfully',
      presentEndpoint(await this.endpoints.togglePause(projectId, id)),
    );
  }

  @Put(':endpointID/toggle_status')
  @HttpCode(202)
  async toggleStatus(@ProjectId() projectId: string, @Param('endpointID') id: string) {
    return envelope(
      'Endpoint status updated successfully',
      presentEndpoint(await this.endpoints.toggleStatus(projectId, id)),
    );
  }

  @Post(':endpointID/activate')
  @HttpCode(202)
  async activate(@ProjectId() projectId: string, @Param('endpointID') id: string) {
    return envelope(
      'Endpoint status updated successfully',
      presentEndpoint(await this.endpoints.activate(projectId, id)),
    );
  }
}
