import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../common/api-envelope.decorator';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { envelope } from '../common/envelope';
import { CreateEventTypeDto } from './dto/create-event-type.dto';
import { ImportEventTypesDto } from './dto/import-event-types.dto';
import { UpdateEventTypeDto } from './dto/update-event-type.dto';
import { EventTypeResponse, presentEventType } from './event-type.presenter';
import { EventTypesService } from './event-types.service';

/** Convoy's event-type catalogue, with its status codes (update and deprecate answer 201). */
@ApiTags('event-types')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/event-types')
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @Get()
  @ApiEnvelope(200, EventTypeResponse, { isArray: true })
  async list(@ProjectId() projectId: string) {
    return envelope('Event types fetched successfully', (await this.eventTypes.list(projectId)).map(presentEventType));
  }

  @Post()
  @ApiEnvelope(201, EventTypeResponse)
  async create(@ProjectId() projectId: string, @Body() body: CreateEventTypeDto) {
    return envelope('Event type created successfully', presentEventType(await this.eventTypes.create(projectId, body)));
  }

  @Post('import')
  @HttpCode(200)
  @ApiEnvelope(200, EventTypeResponse, { isArray: true })
  async import(@ProjectId() projectId: string, @Body() body: ImportEventTypesDto) {
    const imported = await this.eventTypes.importOpenApi(projectId, body);
    return envelope('Event types imported successfully', imported.map(presentEventType));
  }

  @Put(':eventTypeId')
  @HttpCode(201)
  @ApiEnvelope(201, EventTypeResponse)
  async update(@ProjectId() projectId: string, @Param('eventTypeId') id: string, @Body() body: UpdateEventTypeDto) {
    return envelope(
      'Event type updated successfully',
      presentEventType(await this.eventTypes.update(projectId, id, body)),
    );
  }

  @Post(':eventTypeId/deprecate')
  @ApiEnvelope(201, EventTypeResponse)
  async deprecate(@ProjectId() projectId: string, @Param('eventTypeId') id: string) {
    return envelope(
      'Event type deprecated successfully',
      presentEventType(await this.eventTypes.deprecate(projectId, id)),
    );
  }
}
