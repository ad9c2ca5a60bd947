import { Injectable, Logger } from '@nestjs/common';
import { MetaEventStatus, MetaEventType } from '@caravan/domain';
import { EndpointEntity, MetaEventsRepository, NewMetaEvent, ProjectEntity } from '@caravan/persistence';
import { DoorbellRinger, metaBell } from '../common/doorbell.ringer';
import { FinishedDelivery, MetaEventPayloads } from './meta-event.payloads';

/**
 * Creates meta events (DESIGN.md §6) for projects whose `meta_event` config is enabled and
 * subscribes to the type: one row each (the payload's exact bytes), then a `kind: 'meta'`
 * doorbell on the deliveries topic, keyed by project. Best effort: a failure is logged and
 * never fails the delivery that caused it.
 */
@Injectable()
export class MetaEventPublisher {
  private readonly logger = new Logger(MetaEventPublisher.name);

  constructor(
    private readonly metaEvents: MetaEventsRepository,
    private readonly ringer: DoorbellRinger,
  ) {}

  async deliveriesFinished(finished: Array<FinishedDelivery & { project: ProjectEntity }>): Promise<void> {
    await this.publish(
      finished.flatMap((item) => {
        const type =
          item.delivery.status === 'Success' ? MetaEventType.EventDeliverySuccess : MetaEventType.EventDeliveryFailed;
        return this.wants(item.project, type)
          ? [this.row(item.project, type, MetaEventPayloads.delivery(type, item))]
          : [];
      }),
    );
  }

  async endpointUpdated(endpoint: EndpointEntity, project: ProjectEntity): Promise<void> {
    const type = MetaEventType.EndpointUpdated;
    if (!this.wants(project, type)) return;
    await this.publish([this.row(project, type, MetaEventPayloads.endpoint(type, endpoint))]);
  }

  private wants(project: ProjectEntity, type: MetaEventType): boolean {
    const config = project.config.meta_event;
    return Boolean(config?.is_enabled && config.url && (config.event_type ?? []).includes(type));
  }

  private row(project: ProjectEntity, type: MetaEventType, payload: Record<string, unknown>): NewMetaEvent {
    return {
      projectId: project.id,
      eventType: type,
      payload: Buffer.from(JSON.stringify(payload), 'utf8'),
      status: MetaEventStatus.Scheduled,
      retryLimit: Math.max(1, project.config.strategy.retry_count),
    };
  }

  private async publish(rows: NewMetaEvent[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      const stored = await this.metaEvents.insertMany(rows);
      await this.ringer.deliveries(stored.map(metaBell));
    } catch (error) {
      this.logger.warn(`could not publish ${rows.length} meta event(s): ${(error as Error).message}`);
    }
  }
}
