import { Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { envelope } from '../common/envelope';
import { ProjectAccessGuard } from '../common/auth/project-access.guard';
import { ProjectId } from '../common/auth/project-id.decorator';
import { ListMetaEventsQueryDto } from './dto/list-meta-events-query.dto';
import { presentMetaEvent } from './meta-event.presenter';
import { MetaEventsService } from './meta-events.service';

@ApiTags('meta events')
@ApiBearerAuth()
@UseGuards(ProjectAccessGuard)
@Controller('api/v1/projects/:projectID/meta-events')
export class MetaEventsController {
  constructor(private readonly metaEvents: MetaEventsService) {}

  @Get()
  async list(@ProjectId() projectId: string, @Query() query: ListMetaEventsQueryDto) {
    const [page, project] = await Promise.all([
      this.metaEvents.list(projectId, query),
      this.metaEvents.project(projectId),
    ]);
    return envelope('Meta events fetched successfully', {
      content: page.content.map((metaEvent) => presentMetaEvent(metaEvent, project ?? undefined)),
      pagination: page.pagination,
    });
  }

  @Get(':metaEventID')
  async get(@ProjectId() projectId: string, @Param('metaEventID') id: string) {
    const [metaEvent, project] = await Promise.all([
      this.metaEvents.get(projectId, id),
      this.metaEvents.project(projectId),
    ]);
    return envelope('Meta event fetched successfully', presentMetaEvent(metaEvent, project ?? undefined));
  }

  @Put(':metaEventID/resend')
  async resend(@ProjectId() projectId: string, @Param('metaEventID') id: string) {
    const metaEvent = await this.metaEvents.resend(projectId, id);
    const project = await this.metaEvents.project(projectId);
    return envelope('Meta event retried successfully', presentMetaEvent(metaEvent, project ?? undefined));
  }
}
