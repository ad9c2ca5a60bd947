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
  ProjectsRepository,
  SubscriptionEntity,
  SubscriptionFilterEntity,
  SubscriptionFiltersRepository,
} from '@caravan/persistence';
import { deliveryBell } from '@caravan/domain';
import { DoorbellRinger } from '@caravan/messaging';
import { DispatcherMetrics } from '../metrics/dispatcher.metrics';
import { SubscriptionResolver } from './subscription.resolver';

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
    private readonly projects: ProjectsRepository,
    private readonly resolver: SubscriptionResolver,
    private readonly filters: SubscriptionFiltersRepository,
    private readonly ringer: DoorbellRinger,
    private readonly metrics: DispatcherMetrics,
  ) {}

  async route(doorbells: EventDoorbell[]): Promise<void> {
    const refs = new Map(
      doorbells
        .filter((d) => typeof d?.event_id === 'string' && typeof d?.project_id === 'string')
        .map((d) => [`${d.project_id}/${d.event_id}`, { projectId: d.project_id, id: d.event_id }]),
    );
    const pending = (await this.events.findByRefs([...refs.values()])).filter(
      (event) => event.status === EventStatus.Pending && !event.isDuplicateEvent,
    );
    if (pending.length === 0) return;

    const projects = new Map(
      (await this.projects.findByIds(pending.map((e) => e.projectId))).map((p) => [p.id, p] as const),
    );
    const memo = new Map<string, Promise<SubscriptionEntity[]>>();
    const filterMemo = new Map<string, Promise<SubscriptionFilterEntity[]>>();
    const matches: Array<{
      event: EventEntity;
      subscription: SubscriptionEntity;
      project: ProjectEntity;
    }> = [];
    for (const event of pending) {
      const project = projects.get(event.projectId);
      if (!project) continue;
      const body = parseBody(event.raw);
      const candidates = await this.resolver.candidates(event, memo);
      const typed = await this.typedFilters(event, candidates, filterMemo);
      for (const subscription of candidates) {
        const own = filterForEventType(
          event.eventType,
          typed.filter((filter) => filter.subscriptionId === subscription.id),
        );
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
      });
    }

    const inserted = new Set(await this.deliveries.insertScheduled(rows));
    const byProject = new Map<string, string[]>();
    for (const event of pending) byProject.set(event.projectId, [...(byProject.get(event.projectId) ?? []), event.id]);
    await this.recordEndpoints(pending, rows);
    for (const [projectId, ids] of byProject) await this.events.markRouted(projectId, ids);

    const created = rows.filter((row) => row.id && inserted.has(row.id));
    for (const row of created) this.metrics.deliveriesCreated.inc({ status: row.status });
    for (const event of pending) this.metrics.eventsRouted.inc({ routing: event.routing });
    for (const row of created) {
      if (row.status === DeliveryStatus.Discarded)
        this.metrics.deliveriesFinal.inc({
          project: row.projectId,
          status: row.status,
        });
    }
    const bells = created
      .filter((row) => row.status === DeliveryStatus.Scheduled)
      .map((row) =>
        deliveryBell({
          id: String(row.id),
          projectId: row.projectId,
          endpointId: row.endpointId,
        }),
      );
    await this.ringer.afterCommit(bells);
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

  /**
   * The candidates' enabled filters for the event's type (and `*`), stored already validated
   * and flattened; one query per (project, type, candidates) in a batch.
   */
  private typedFilters(
    event: EventEntity,
    candidates: readonly SubscriptionEntity[],
    memo: Map<string, Promise<SubscriptionFilterEntity[]>>,
  ): Promise<SubscriptionFilterEntity[]> {
    const ids = candidates.map((subscription) => subscription.id);
    const key = `${event.projectId}|${event.eventType}|${ids.join(',')}`;
    let found = memo.get(key);
    if (!found) {
      found = this.filters.findEnabledForEventType(event.projectId, ids, event.eventType);
      memo.set(key, found);
    }
    return found;
  }
}
