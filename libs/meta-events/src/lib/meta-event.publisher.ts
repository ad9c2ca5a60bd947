import { Injectable } from '@nestjs/common';
import { metaBell, MetaEventStatus, MetaEventType } from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import { MetaEventsRepository, NewMetaEvent, ProjectEntity } from '@caravan/persistence';

export interface MetaEventItem {
  project: ProjectEntity;
  type: MetaEventType;
  /** The payload's `data` (MetaEventPayloads gives Convoy's shapes). */
  data: unknown;
}

/**
 * The one way meta events are created (api and dispatcher): for projects whose meta_event
 * config is enabled and lists the type, one row each holding the exact bytes that will be
 * signed and sent, then the doorbell. The rows are the promise: if the doorbell is lost, the
 * dispatcher's scheduler finds the due rows anyway.
 */
@Injectable()
export class MetaEventPublisher {
  constructor(
    private readonly metaEvents: MetaEventsRepository,
    private readonly ringer: DoorbellRinger,
  ) {}

  /** Whether the project subscribed to this type (Convoy's event_type list; an empty list wants none). */
  static wants(project: ProjectEntity, type: MetaEventType): boolean {
    const config = project.config.meta_event;
    return Boolean(config?.is_enabled && config.url && (config.event_type ?? []).includes(type));
  }

  async publish(project: ProjectEntity, type: MetaEventType, data: unknown): Promise<string | null> {
    const [id] = await this.publishAll([{ project, type, data }]);
    return id ?? null;
  }

  /** Stores the wanted ones in one statement and rings them; returns the new rows' ids. */
  async publishAll(items: readonly MetaEventItem[]): Promise<string[]> {
    const rows: NewMetaEvent[] = items
      .filter((item) => MetaEventPublisher.wants(item.project, item.type))
      .map((item) => ({
        projectId: item.project.id,
        eventType: item.type,
        payload: Buffer.from(JSON.stringify({ event_type: item.type, data: item.data }), 'utf8'),
        status: MetaEventStatus.Scheduled,
        retryLimit: Math.max(1, item.project.config.strategy.retry_count),
      }));
    if (rows.length === 0) return [];
    const stored = await this.metaEvents.insertMany(rows);
    void this.ringer.afterCommit(stored.map(metaBell));
    return stored.map((row) => row.id);
  }
}
