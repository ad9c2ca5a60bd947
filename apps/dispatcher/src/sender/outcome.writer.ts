import { Injectable, Logger } from '@nestjs/common';
import { DeliveryStatus, MicroBatcher } from '@caravan/domain';
import { EndpointsRepository, EventDeliveriesRepository, EventDeliveryEntity } from '@caravan/persistence';
import { deliveryLogIds, traceStatement } from '@caravan/observability';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { DeliveryMetaEvents } from '../meta-events/delivery-meta-events.service';
import { EndpointFailureNotifier } from '../notifications/endpoint-failure.notifier';
import { DeliveryLeases } from './delivery-leases.service';
import { PutBack, SettledDelivery } from './settled-delivery';

const { Success, Failure, Discarded } = DeliveryStatus;

/** Outcomes settling within this many ms share one write (an outcome's added wait). */
/** A 200 not yet recorded is sent again if the dispatcher dies meanwhile: the window is kept short. */
export const OUTCOME_LINGER_MS = 2;
export const OUTCOME_MAX_BATCH = 200;

/**
 * Writes outcomes as attempts settle, batched over a few ms (`record`), and put-backs. Each
 * write carries the claim's current lease as its fencing token (DeliveryLeases). A batch of
 * outcomes: every outcome in one statement fenced by its claim's lease, the
 * attempts of the outcomes that were written in one insert (same transaction), the put-backs
 * in one statement; then the follow-ups: final-status metrics, endpoints to disable (with an
 * `endpoint.updated` meta event) and `eventdelivery.*` meta events.
 */
@Injectable()
export class OutcomeWriter {
  private readonly logger = new Logger(OutcomeWriter.name);
  private readonly outcomes = new MicroBatcher<SettledDelivery, void>(
    async (settled) => {
      await this.write(settled);
      return settled.map(() => undefined);
    },
    { lingerMs: OUTCOME_LINGER_MS, maxBatch: OUTCOME_MAX_BATCH },
  );

  constructor(
    private readonly deliveries: EventDeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly metaEvents: DeliveryMetaEvents,
    private readonly metrics: DispatcherMetrics,
    private readonly notifier: EndpointFailureNotifier,
    private readonly leases: DeliveryLeases,
  ) {}

  /** Records one settled delivery; resolves once it is written with the outcomes settling alongside it. */
  record(settled: SettledDelivery): Promise<void> {
    return this.outcomes.submit(settled);
  }

  /** Hands claimed rows back unattempted (fenced by their current lease). */
  async putBack(rows: PutBack[]): Promise<void> {
    if (rows.length === 0) return;
    await this.leases.fenced(() =>
      this.deliveries.putBack(
        rows.map((row) => ({ ...row, leaseUntil: this.leases.leaseOf(row.id) ?? row.leaseUntil })),
      ),
    );
  }

  /** Writes outcomes (fenced) and the attempts of the outcomes that were written, then their follow-ups. */
  async write(finished: SettledDelivery[]): Promise<void> {
    // Outcomes and their attempt rows commit together: an attempt counted is an attempt recorded.
    const written = new Set(
      await traceStatement(
        { operation: 'UPDATE', table: 'event_deliveries', purpose: 'outcome and attempts' },
        () =>
          this.leases.fenced(() =>
            this.deliveries.recordOutcomesWithAttempts(
              finished.map((f) => ({
                outcome: { ...f.update, leaseUntil: this.leases.leaseOf(f.delivery.id) ?? f.update.leaseUntil },
                attempt: f.attempt,
              })),
            ),
          ),
        () => finished.map((f) => f.delivery.traceparent),
      ),
    );
    const kept = finished.filter((f) => written.has(f.delivery.id));
    const lost = finished.length - kept.length;
    if (lost > 0)
      this.logger.warn({ outcomes: lost }, 'outcomes not written: their lease had passed to another sender');
    for (const f of kept) this.logOutcome(f);
    await this.followUp(kept);
  }

  /** Metrics, breaker states, endpoints to disable and meta events of the outcomes written. */
  private async followUp(kept: SettledDelivery[]): Promise<void> {
    for (const f of kept) {
      if (f.update.status === Success || f.update.status === Failure || f.update.status === Discarded) {
        this.metrics.deliveryFinished(f.delivery.projectId, f.update.status);
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

  /** One line per failed attempt, with the ids as fields: what an operator greps for a customer's complaint. */
  private logOutcome({ delivery, update, attempt }: SettledDelivery): void {
    if (update.status === Success) return;
    const fields = {
      ...deliveryLogIds(delivery),
      status: update.status,
      attempts: update.attempts,
      http_status: attempt?.httpStatus ?? null,
      reason: update.description,
    };
    if (update.status === DeliveryStatus.Retry) this.logger.log(fields, 'delivery attempt failed; retrying');
    else this.logger.warn(fields, 'delivery failed');
  }

  private async disableEndpoints(finished: SettledDelivery[]): Promise<void> {
    const done = new Set<string>();
    for (const f of finished) {
      if (!f.endpoint || !f.project || done.has(f.endpoint.id)) continue;
      done.add(f.endpoint.id);
      const updated = await this.endpoints.deactivate(f.project.id, f.endpoint.id);
      if (updated) {
        this.logger.warn(
          { project_id: updated.projectId, endpoint_id: updated.id, reason: f.update.description },
          'endpoint set inactive',
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
