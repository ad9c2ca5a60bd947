import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { PageQueryDto } from '../common/page-query.dto';
import { envelope } from '../common/envelope';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import {
  CreateBroadcastEventDto,
  CreateDynamicEventDto,
  CreateEventDto,
  CreateFanoutEventDto,
} from './dto/create-event.dto';
import { EventFilterQueryDto, EventListQueryDto } from './dto/event-query.dto';
import { presentEvent } from './event.presenter';
import { EventsService } from './events.service';

function pageOf(query: PageQueryDto): PageQueryDto {
  const { perPage, direction, next_page_cursor, prev_page_cursor, sort } = query;
  return { perPage, direction, next_page_cursor, prev_page_cursor, sort };
}

@ApiTags('events')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  async create(@ProjectId() projectId: string, @Body() body: CreateEventDto, @Req() request: RawBodyRequest<Request>) {
    const { event } = await this.events.createDirect(projectId, body, request.rawBody);
    return envelope('Endpoint event created successfully', presentEvent(event));
  }

  @Post('fanout')
  async fanout(
    @ProjectId() projectId: string,
    @Body() body: CreateFanoutEventDto,
    @Req() request: RawBodyRequest<Request>,
  ) {
    const { event } = await this.events.createFanout(projectId, body, request.rawBody);
    return envelope('Fanout event created successfully', presentEvent(event));
  }

  @Post('broadcast')
  async broadcast(
    @ProjectId() projectId: string,
    @Body() body: CreateBroadcastEventDto,
    @Req() request: RawBodyRequest<Request>,
  ) {
    const { event } = await this.events.createBroadcast(projectId, body, request.rawBody);
    return envelope('Broadcast event created successfully', presentEvent(event));
  }

  @Post('dynamic')
  async dynamic(
    @ProjectId() projectId: string,
    @Body() body: CreateDynamicEventDto,
    @Req() request: RawBodyRequest<Request>,
  ) {
    const { event } = await this.events.createDynamic(projectId, body, request.rawBody);
    return envelope('Dynamic event created successfully', presentEvent(event));
  }

  /** Convoy takes the list's filters as query parameters here too; answers the counts. */
  @Post('batchreplay')
  @HttpCode(200)
  async batchReplay(@ProjectId() projectId: string, @Query() query: EventFilterQueryDto) {
    const counts = await this.events.batchReplay(projectId, query);
    return envelope(`${counts.num_success} successful, ${counts.num_failure} failed`, counts);
  }

  /** Convoy's preview of a batch replay: how many events the same filters would replay. */
  @Get('countbatchreplayevents')
  async countBatchReplay(@ProjectId() projectId: string, @Query() query: EventFilterQueryDto) {
    return envelope('events count successful', { num: await this.events.countReplayable(projectId, query) });
  }

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: EventListQueryDto) {
    const page = await this.events.list(projectId, query, pageOf(query));
    return envelope('Events fetched successfully', {
      content: (await this.events.withContext(projectId, page.content)).map(({ event, ...context }) =>
        presentEvent(event, context),
      ),
      pagination: page.pagination,
    });
  }

  @Get(':eventID')
  async get(@ProjectId() projectId: string, @Param('eventID') eventId: string) {
    const [{ event, ...context }] = await this.events.withContext(projectId, [
      await this.events.get(projectId, eventId),
    ]);
    return envelope('Event fetched successfully', presentEvent(event, context));
  }

  @Put(':eventID/replay')
  async replay(@ProjectId() projectId: string, @Param('eventID') eventId: string) {
    return envelope('Event replayed successfully', presentEvent(await this.events.replay(projectId, eventId)));
  }
}
