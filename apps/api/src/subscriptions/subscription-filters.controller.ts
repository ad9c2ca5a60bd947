import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../common/api-envelope.decorator';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { ParseDtoArrayPipe } from '../common/parse-dto-array.pipe';
import { BulkUpdateFilterDto } from './dto/bulk-update-filter.dto';
import { CreateFilterDto } from './dto/create-filter.dto';
import { TestSubscriptionFilterDto } from './dto/test-subscription-filter.dto';
import { UpdateFilterDto } from './dto/update-filter.dto';
import { FilterResponse, presentFilter, TestFilterResponse } from './subscription-filter.presenter';
import { SubscriptionFiltersService } from './subscription-filters.service';

/** Most filters one bulk request may create or update. */
const MAX_BULK_FILTERS = 100;

/** Convoy's filters sub-resource of a subscription, with its status codes. */
@ApiTags('filters')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/subscriptions/:subscriptionID/filters')
export class SubscriptionFiltersController {
  constructor(private readonly filters: SubscriptionFiltersService) {}

  @Get()
  @ApiEnvelope(200, FilterResponse, { isArray: true })
  async list(@ProjectId() projectId: string, @Param('subscriptionID') subscriptionId: string) {
    const filters = await this.filters.list(projectId, subscriptionId);
    return envelope('Filters retrieved successfully', filters.map(presentFilter));
  }

  @Post()
  @ApiEnvelope(201, FilterResponse)
  async create(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Body() body: CreateFilterDto,
  ) {
    const [created] = await this.filters.create(projectId, subscriptionId, [body], false);
    return envelope('Filter created successfully', created ? presentFilter(created) : null);
  }

  @Post('bulk')
  @ApiBody({ type: [CreateFilterDto] })
  @ApiEnvelope(201, FilterResponse, { isArray: true })
  async bulkCreate(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Body(new ParseDtoArrayPipe(CreateFilterDto, MAX_BULK_FILTERS)) body: CreateFilterDto[],
  ) {
    const created = await this.filters.create(projectId, subscriptionId, body, true);
    return envelope('Filters created successfully', created.map(presentFilter));
  }

  @Put('bulk_update')
  @ApiBody({ type: [BulkUpdateFilterDto] })
  @ApiEnvelope(200, FilterResponse, { isArray: true })
  async bulkUpdate(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Body(new ParseDtoArrayPipe(BulkUpdateFilterDto, MAX_BULK_FILTERS)) body: BulkUpdateFilterDto[],
  ) {
    const updated = await this.filters.updateMany(projectId, subscriptionId, body);
    return envelope('Filters updated successfully', updated.map(presentFilter));
  }

  /** Convoy answers 200: nothing is created. */
  @Post('test/:eventType')
  @HttpCode(200)
  @ApiEnvelope(200, TestFilterResponse)
  async test(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('eventType') eventType: string,
    @Body() body: TestSubscriptionFilterDto,
  ) {
    const isMatch = await this.filters.test(projectId, subscriptionId, eventType, body);
    return envelope('Filter tested successfully', { is_match: isMatch });
  }

  @Get(':filterID')
  @ApiEnvelope(200, FilterResponse)
  async get(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('filterID') id: string,
  ) {
    return envelope(
      'Filter retrieved successfully',
      presentFilter(await this.filters.get(projectId, subscriptionId, id)),
    );
  }

  @Put(':filterID')
  @ApiEnvelope(200, FilterResponse)
  async update(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('filterID') id: string,
    @Body() body: UpdateFilterDto,
  ) {
    const updated = await this.filters.update(projectId, subscriptionId, id, body);
    return envelope('Filter updated successfully', presentFilter(updated));
  }

  @Delete(':filterID')
  @ApiEnvelope(200)
  async remove(
    @ProjectId() projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('filterID') id: string,
  ) {
    await this.filters.remove(projectId, subscriptionId, id);
    return envelope('Filter deleted successfully', null);
  }
}
