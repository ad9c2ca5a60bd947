import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { metaBell } from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import { MetaEventEntity, MetaEventsRepository, Page, ProjectEntity, ProjectsRepository } from '@caravan/persistence';
import { createdRange } from '../common/list-filters';
import type { ListMetaEventsQueryDto } from './dto/list-meta-events-query.dto';

@Injectable()
export class MetaEventsService {
  constructor(
    private readonly metaEvents: MetaEventsRepository,
    private readonly projects: ProjectsRepository,
    private readonly ringer: DoorbellRinger,
  ) {}

  project(projectId: string): Promise<ProjectEntity | null> {
    return this.projects.findById(projectId);
  }

  list(projectId: string, query: ListMetaEventsQueryDto): Promise<Page<MetaEventEntity>> {
    const { startDate, endDate, ...page } = query;
    return this.metaEvents.list(projectId, createdRange({ startDate, endDate }), page);
  }

  async get(projectId: string, id: string): Promise<MetaEventEntity> {
    const metaEvent = await this.metaEvents.findById(projectId, id);
    if (!metaEvent) throw new NotFoundException(`meta event ${id} not found`);
    return metaEvent;
  }

  /** Scheduled now (any state but Processing), then the doorbell (kind `meta`) after commit. */
  async resend(projectId: string, id: string): Promise<MetaEventEntity> {
    const requeued = await this.metaEvents.requeue(projectId, id);
    if (!requeued) {
      const current = await this.get(projectId, id);
      throw new BadRequestException(
        `meta event ${id} is ${current.status}: it is being sent right now; try again shortly`,
      );
    }
    void this.ringer.afterCommit([metaBell(requeued)]);
    return requeued;
  }
}
