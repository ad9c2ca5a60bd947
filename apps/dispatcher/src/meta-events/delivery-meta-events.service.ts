import { Injectable, Logger } from '@nestjs/common';
import { DeliveryStatus, MetaEventType } from '@caravan/domain';
import { FinishedDelivery, MetaEventPayloads, MetaEventPublisher } from '@caravan/meta-events';
import type { EndpointEntity, ProjectEntity } from '@caravan/persistence';

/**
 * The dispatcher's meta events (docs/architecture.md#the-path-of-one-event): `eventdelivery.success|failed` when deliveries
 * finish and `endpoint.updated` when the dispatcher disables an endpoint. Best effort: a
 * failure is logged and never fails the delivery that caused it.
 */
@Injectable()
export class DeliveryMetaEvents {
  private readonly logger = new Logger(DeliveryMetaEvents.name);

  constructor(private readonly publisher: MetaEventPublisher) {}

  async deliveriesFinished(finished: Array<FinishedDelivery & { project: ProjectEntity }>): Promise<void> {
    await this.publish(
      finished.map((item) => ({
        project: item.project,
        type:
          item.delivery.status === DeliveryStatus.Success
            ? MetaEventType.EventDeliverySuccess
            : MetaEventType.EventDeliveryFailed,
        data: MetaEventPayloads.delivery(item),
      })),
    );
  }

  async endpointUpdated(endpoint: EndpointEntity, project: ProjectEntity): Promise<void> {
    await this.publish([{ project, type: MetaEventType.EndpointUpdated, data: MetaEventPayloads.endpoint(endpoint) }]);
  }

  private async publish(items: Parameters<MetaEventPublisher['publishAll']>[0]): Promise<void> {
    try {
      await this.publisher.publishAll(items);
    } catch (error) {
      this.logger.warn({ meta_events: items.length, err: error }, 'could not publish meta events');
    }
  }
}
