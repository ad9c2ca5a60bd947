import { Injectable, Logger } from '@nestjs/common';
import { DeliveryStatus } from '@caravan/domain';
import {
  DeliveryAttemptsRepository,
  EndpointsRepository,
  EventDeliveriesRepository,
  EventDeliveryEntity,
} from '@caravan/persistence';
import { DataSource } from 'typeorm';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { DeliveryMetaEvents } from '../meta-events/delivery-meta-events';
import { EndpointFailureNotifier } from '../notifications/endpoint-failure.notifier';
import { PutBack, SettledDelivery } from './settled-delivery';

const { Success, Failure, Discarded } = DeliveryStatus;

/**
 * Writes a batch's results: every outcome in one statement fenced by its claim's lease, the
 * attempts of the outcomes that were written in one insert (same transaction), the put-backs
 * in one statement; then the follow-ups: final-status metrics, endpoints to disable (with an
 * `endpoint.updated` meta event) and `eventdelivery.*` meta events.
 */
@Injectable()
export class OutcomeWriter {
  private readonly logger = new Logger(OutcomeWriter.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly attempts: DeliveryAttemptsRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly metaEvents: DeliveryMetaEvents,
    private readonly metrics: DispatcherMetrics,
    private readonly notifier: EndpointFailureNotifier,
  ) {}

  /** Writes outcomes (fenced), the attempts of the outcomes that were written, and put-backs. */
  async write(finished: SettledDelivery[], putBack: PutBack[]): Promise<void> {
    // Outcomes and their attempt rows commit together: an attempt counted is an attempt recorded.
    const kept = await this.dataSource.transaction(async (manager) => {
      const written = new Set(
        await this.deliveries.recordOutcomes(
          finished.map((f) => f.update),
          manager,
        ),
      );
      const mine = finished.filter((f) => written.has(f.delivery.id));
      await this.attempts.insertMany(
        mine.flatMap((f) => (f.attempt ? [f.attempt] : [])),
        manager,
      );
      return mine;
    });
    const lost = finished.length - kept.length;
    if (lost > 0) this.logger.warn(`${lost} outcome(s) not written: their lease had passed to another sender`);
    await this.deliveries.putBack(putBack);

    for (const f of kept) {
      if (f.update.status === Success || f.update.status === Failure || f.update.status === Discarded) {
        this.metrics.deliveriesFinal.inc({
          project: f.delivery.projectId,
          status: f.update.status,
        });
      }
      if (f.update.status === Success && f.update.latencyMs !== null && f.delivery.latencyMs === null) {
        this.metrics.endToEndLatency.observe(f.update.latencyMs / 1000);
      }
    }
    await this.endpoints.recordBreakerStates(
      kept.flatMap((f) => (f.breakerChange ? [{ endpointId: f.delivery.endpointId, state: f.breakerChange }] : [])),
    );
    await this.disableEndpoints(kept.filter((f) => f.disableEndpoint));
    await this.publishMetaEvents(kept);
  }

  private async disableEndpoints(finished: SettledDelivery[]): Promise<void> {
    const done = new Set<string>();
    for (const f of finished) {
      if (!f.endpoint || !f.project || done.has(f.endpoint.id)) continue;
      done.add(f.endpoint.id);
      const updated = await this.endpoints.deactivate(f.project.id, f.endpoint.id);
      if (updated) {
        this.logger.warn(
          `endpoint ${updated.id} of project ${updated.projectId} set inactive (${f.update.description})`,
        );
        await this.metaEvents.endpointUpdated(updated, f.project);
        // Only the caller whose update made the transition gets here: one notification each.
        this.notifier.endpointDisabled({
          endpoint: updated,
          project: f.project,
          delivery: f.delivery,
          attempt: f.attempt,
        });
      }
    }
  }

  private async publishMetaEvents(finished: SettledDelivery[]): Promise<void> {
    const final = finished.filter((f) => f.update.status === Success || f.update.status === Failure);
    await this.metaEvents.deliveriesFinished(
      final.flatMap((f) => {
        if (!f.event || !f.endpoint || !f.project) return [];
        const now = new Date();
        const delivery = Object.assign(
          Object.create(Object.getPrototypeOf(f.delivery)) as EventDeliveryEntity,
          f.delivery,
          {
            status: f.update.status,
            description: f.update.description,
            attempts: f.update.attempts,
            latencyMs: f.delivery.latencyMs ?? f.update.latencyMs,
            updatedAt: now,
          },
        );
        const attempt = f.attempt ? { ...f.attempt, createdAt: now } : null;
        return [
          {
            delivery,
            event: f.event,
            endpoint: f.endpoint,
            project: f.project,
            attempt,
          },
        ];
      }),
    );
  }
}
