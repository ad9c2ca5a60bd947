import { Inject, Injectable } from '@nestjs/common';
import { METRICS_SETTINGS, MetricsRegistry, MetricsSettings } from '@caravan/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** `2xx`…`5xx` for an HTTP status, `none` when no response came back. */
export function statusClass(httpStatus: number | null | undefined): string {
  return httpStatus ? `${Math.floor(httpStatus / 100)}xx` : 'none';
}

/**
 * Every dispatcher metric, registered once on the service registry. Labels stay
 * low-cardinality: project ids at most (and only with CARAVAN_METRICS_PROJECT_LABELS), never
 * an endpoint URL.
 */
@Injectable()
export class DispatcherMetrics {
  readonly eventsRouted: Counter<'routing'>;
  readonly deliveriesCreated: Counter<'status'>;
  readonly deliveriesFinal: Counter<'project' | 'status'>;
  readonly attempts: Counter<'outcome' | 'status_class'>;
  readonly attemptDuration: Histogram<'status_class'>;
  readonly endToEndLatency: Histogram;
  readonly rateLimited: Counter;
  readonly breakerDeferred: Counter;
  readonly breakers: Gauge<'state'>;
  readonly dueBacklog: Gauge;
  readonly oldestDueAge: Gauge;
  readonly consumerLag: Gauge<'topic'>;
  readonly metaEvents: Counter<'status'>;
  private breakerStates: () => Record<string, number> = () => ({});

  /** Who answers the breaker-state gauge at scrape time. */
  reportBreakerStates(source: () => Record<string, number>): void {
    this.breakerStates = source;
  }

  /** A delivery reached a final status; its project is named only when project labels are on. */
  deliveryFinished(projectId: string, status: string): void {
    this.deliveriesFinal.inc({ project: MetricsRegistry.projectLabel(this.settings, projectId), status });
  }

  constructor(
    metrics: MetricsRegistry,
    @Inject(METRICS_SETTINGS) private readonly settings: MetricsSettings,
  ) {
    const registers = [metrics.registry];
    this.eventsRouted = new Counter({
      name: 'caravan_events_routed_total',
      help: 'Events routed to their subscriptions, by routing mode',
      labelNames: ['routing'],
      registers,
    });
    this.deliveriesCreated = new Counter({
      name: 'caravan_deliveries_created_total',
      help: 'Event deliveries created by the router, by initial status',
      labelNames: ['status'],
      registers,
    });
    this.deliveriesFinal = new Counter({
      name: 'caravan_deliveries_total',
      help: 'Event deliveries that reached a final status (Success, Failure, Discarded)',
      labelNames: ['project', 'status'],
      registers,
    });
    this.attempts = new Counter({
      name: 'caravan_delivery_attempts_total',
      help: 'HTTP delivery attempts, by outcome (success|failure|error) and status class',
      labelNames: ['outcome', 'status_class'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'caravan_delivery_attempt_duration_seconds',
      help: 'Duration of one HTTP delivery attempt',
      labelNames: ['status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.endToEndLatency = new Histogram({
      name: 'caravan_delivery_latency_seconds',
      help: 'From acceptance of the event to its first successful delivery',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'caravan_rate_limited_deliveries_total',
      help: 'Deliveries put back because their endpoint was at its rate limit',
      registers,
    });
    this.breakerDeferred = new Counter({
      name: 'caravan_breaker_deferred_deliveries_total',
      help: 'Deliveries put back because their endpoint circuit breaker was open',
      registers,
    });
    const states = () => this.breakerStates();
    this.breakers = new Gauge({
      name: 'caravan_circuit_breakers',
      help: 'Endpoint circuit breakers known to this instance, by state',
      labelNames: ['state'],
      registers,
      // Counted at scrape time: state changes with time alone (open → half-open).
      collect() {
        for (const [state, count] of Object.entries(states())) this.set({ state }, count);
      },
    });
    this.dueBacklog = new Gauge({
      name: 'caravan_scheduler_due_deliveries',
      help: 'Deliveries due now and not yet claimed',
      registers,
    });
    this.oldestDueAge = new Gauge({
      name: 'caravan_scheduler_oldest_due_age_seconds',
      help: 'How long the oldest due, unclaimed delivery has waited',
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'caravan_consumer_lag_messages',
      help: 'Messages behind the high watermark, summed over the partitions this instance consumes',
      labelNames: ['topic'],
      registers,
    });
    this.metaEvents = new Counter({
      name: 'caravan_meta_events_total',
      help: 'Meta-event sends, by resulting status',
      labelNames: ['status'],
      registers,
    });
  }
}
