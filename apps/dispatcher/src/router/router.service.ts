import { Injectable } from '@nestjs/common';
import {
  deliveryRetryLimit,
  DeliveryStatus,
  EventDoorbell,
  EventStatus,
  FilterConfig,
  filterForEventType,
  initialDelivery,
  matchesSubscription,
  newId,
} from '@caravan/domain';
import {
  EndpointsRepository,
  EventDeliveriesRepository,
  EventEntity,
  EventsRepository,
  NewEventDelivery,
  ProjectEntity,
  SubscriptionEntity,
  SubscriptionFilterEntity,
  SubscriptionFiltersRepository,
} from '@caravan/persistence';
import { deliveryBell } from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import {
  ROOT_CONTEXT,
  Span,
  SpanKind,
  contextFromTraceparent,
  contextWith,
  currentTraceparent,
  failSpan,
  isTracing,
  runInContext,
  startSpan,
} from '@caravan/observability';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { SubscriptionResolver } from './subscription.resolver';

/**
 * One `caravan.route` CONSUMER span per event of a batch: a child of the doorbell's
 * `send caravan.events` span (its Kafka `traceparent` header), or of the intake's context
 * stored with the event when the doorbell had none (rung again by the scheduler). Their
 * contexts are stored with the deliveries they create. Nothing is made when tracing is off.
 */
class RouteSpans {
  private readonly started = Date.now();
  private readonly headers = new Map<string, string>();
  private readonly spans = new Map<string, Span>();

  constructor(doorbells: EventDoorbell[]) {
    if (!isTracing()) return;
    for (const bell of doorbells) if (bell?.traceparent) this.headers.set(bell.event_id, bell.traceparent);
  }

  open(event: EventEntity, batchSize: number): void {
    const span = startSpan('caravan.route', {
      kind: SpanKind.CONSUMER,
      parent: contextFromTraceparent(this.headers.get(event.id) ?? event.traceparent),
      startTime: this.started,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': batchSize,
        'caravan.project.id': event.projectId,
        'caravan.event.id': event.id,
        'caravan.event.type': event.eventType,
      },
    });
    if (span) this.spans.set(event.id, span);
  }

  spanOf(eventId: string): Span | undefined {
    return this.spans.get(eventId);
  }

  traceparentOf(eventId: string): string | null {
    const span = this.spans.get(eventId);
    return span ? currentTraceparent(contextWith(span, ROOT_CONTEXT)) : null;
  }

  counted(eventId: string, deliveries: number): void {
    this.spans.get(eventId)?.setAttribute('caravan.deliveries.created', deliveries);
  }

  fail(error: unknown): void {
    for (const span of this.spans.values()) failSpan(span, error);
  }

  end(): void {
    for (const span of this.spans.values()) span.end();
  }
}

function parseBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The subscription's event types with its filter for the event's type when it has one, else its own filter. */
function filterConfig(subscription: SubscriptionEntity, typed: SubscriptionFilterEntity | undefined): FilterConfig {
  return {
    event_types: subscription.eventTypes,
    filter: {
      body: typed ? typed.body : subscription.filterBody,
      headers: typed ? typed.headers : subscription.filterHeaders,
    },
  };
}

/**
 * Routes a batch of event doorbells: loads the events in one query, finds and filters their
 * subscriptions, inserts the deliveries in one statement (Scheduled, or Discarded for paused
 * and inactive endpoints), marks the events routed, then rings the deliveries' doorbells
 * keyed by endpoint. Idempotent: an event already routed is skipped, and the unique
 * (event, subscription, generation) key makes a racing second routing insert nothing.
 */
@Injectable()
export class RouterService {
  constructor(
    private readonly events: EventsRepository,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly endpoints: EndpointsRepository,
    private readonly resolver: SubscriptionResolver,
    private readonly filters: SubscriptionFiltersRepository,
    private readonly ringer: DoorbellRinger,
    private readonly metrics: DispatcherMetrics,
  ) {}

  async route(doorbells: EventDoorbell[]): Promise<void> {
    const spans = new RouteSpans(doorbells);
    try {
      await this.routeBatch(doorbells, spans);
    } catch (error) {
      spans.fail(error);
      throw error;
    } finally {
      spans.end();
    }
  }

  private async routeBatch(doorbells: EventDoorbell[], spans: RouteSpans): Promise<void> {
    const refs = new Map(
      doorbells
        .filter((d) => typeof d?.event_id === 'string' && typeof d?.project_id === 'string')
        .map((d) => [`${d.project_id}/${d.event_id}`, { projectId: d.project_id, id: d.event_id }]),
    );
    const found = (await this.events.findForRouting([...refs.values()])).filter(
      ({ event }) => event.status === EventStatus.Pending && !event.isDuplicateEvent,
    );
    if (found.length === 0) return;
    const pending = found.map(({ event }) => event);
    for (const event of pending) spans.open(event, doorbells.length);
    const projects = new Map<string, ProjectEntity>();
    for (const { project } of found) if (project) projects.set(project.id, project);
    const candidatesOf = await this.resolver.candidatesOf(pending);
    const filtersOf = await this.enabledFilters([...candidatesOf.values()].flat());
    const matches: Array<{
      event: EventEntity;
      subscription: SubscriptionEntity;
      project: ProjectEntity;
    }> = [];
    for (const event of pending) {
      const project = projects.get(event.projectId);
      if (!project) continue;
      const body = parseBody(event.raw);
      for (const subscription of candidatesOf.get(event.id) ?? []) {
        const own = filterForEventType(event.eventType, filtersOf.get(subscription.id) ?? []);
        if (
          matchesSubscription(filterConfig(subscription, own), {
            eventType: event.eventType,
            body,
            headers: event.headers,
          })
        ) {
          matches.push({ event, subscription, project });
        }
      }
    }

    const endpoints = new Map(
      (
        await this.endpoints.findByRefs(
          matches.map(({ subscription }) => ({
            projectId: subscription.projectId,
            id: subscription.endpointId,
          })),
        )
      ).map((endpoint) => [endpoint.id, endpoint] as const),
    );
    const rows: NewEventDelivery[] = [];
    for (const { event, subscription, project } of matches) {
      const endpoint = endpoints.get(subscription.endpointId);
      if (!endpoint) continue;
      const initial = initialDelivery(endpoint.status);
      const { strategy } = project.config;
      rows.push({
        id: newId(),
        projectId: event.projectId,
        eventId: event.id,
        endpointId: endpoint.id,
        subscriptionId: subscription.id,
        sourceId: event.sourceId,
        eventType: event.eventType,
        idempotencyKey: event.idempotencyKey,
        generation: event.generation,
        status: initial.status,
        description: initial.description,
        headers: event.headers,
        urlQueryParams: event.urlQueryParams,
        retryLimit: deliveryRetryLimit(subscription.deliveryMode, strategy.retry_count),
        strategy: strategy.type,
        intervalSeconds: Math.max(0, Math.round(strategy.duration)),
        traceparent: spans.traceparentOf(event.id),
      });
    }

    await this.recordEndpoints(pending, rows);
    const inserted = new Set(
      await this.deliveries.recordRouting(
        rows,
        pending.map((event) => ({ projectId: event.projectId, id: event.id })),
      ),
    );

    const created = rows.filter((row) => row.id && inserted.has(row.id));
    for (const row of created) this.metrics.deliveriesCreated.inc({ status: row.status });
    for (const event of pending) this.metrics.eventsRouted.inc({ routing: event.routing });
    for (const row of created) {
      if (row.status === DeliveryStatus.Discarded) this.metrics.deliveryFinished(row.projectId, row.status);
    }
    const scheduled = created.filter((row) => row.status === DeliveryStatus.Scheduled);
    for (const event of pending) spans.counted(event.id, created.filter((row) => row.eventId === event.id).length);
    const byEvent = new Map<string, NewEventDelivery[]>();
    for (const row of scheduled) byEvent.set(row.eventId, [...(byEvent.get(row.eventId) ?? []), row]);
    // Rung from each event's span, so each doorbell's traceparent header names its own event's
    // trace; the producer still sends them together.
    await Promise.all(
      [...byEvent].map(([eventId, rows]) => {
        const bells = rows.map((row) =>
          deliveryBell({ id: String(row.id), projectId: row.projectId, endpointId: row.endpointId }),
        );
        return runInContext(spans.spanOf(eventId), () => this.ringer.afterCommit(bells));
      }),
    );
  }

  /**
   * Events list the endpoints they were routed to (broadcast, fan-out and source events name
   * none when accepted), before they are marked routed: a crash in between routes them again.
   */
  private async recordEndpoints(events: EventEntity[], rows: NewEventDelivery[]): Promise<void> {
    const byEvent = new Map<string, Set<string>>();
    for (const row of rows) byEvent.set(row.eventId, (byEvent.get(row.eventId) ?? new Set()).add(row.endpointId));
    const byProject = new Map<string, Array<{ id: string; endpointIds: string[] }>>();
    for (const event of events) {
      const routed = [...(byEvent.get(event.id) ?? [])].filter((id) => !event.endpointIds.includes(id));
      if (routed.length === 0) continue;
      byProject.set(event.projectId, [
        ...(byProject.get(event.projectId) ?? []),
        { id: event.id, endpointIds: routed },
      ]);
    }
    for (const [projectId, routed] of byProject) await this.events.addRoutedEndpoints(projectId, routed);
  }

  /** The enabled filters of the batch's candidate subscriptions (every event type), by subscription id: one query. */
  private async enabledFilters(
    candidates: readonly SubscriptionEntity[],
  ): Promise<Map<string, SubscriptionFilterEntity[]>> {
    const unique = [...new Map(candidates.map((s) => [s.id, { projectId: s.projectId, id: s.id }] as const)).values()];
    const bySubscription = new Map<string, SubscriptionFilterEntity[]>();
    for (const filter of await this.filters.findEnabledFor(unique)) {
      bySubscription.set(filter.subscriptionId, [...(bySubscription.get(filter.subscriptionId) ?? []), filter]);
    }
    return bySubscription;
  }
}
