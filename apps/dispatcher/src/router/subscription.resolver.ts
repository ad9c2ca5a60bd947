import { Injectable } from '@nestjs/common';
import { EndpointsRepository, EventEntity, SubscriptionEntity, SubscriptionsRepository } from '@caravan/persistence';

/**
 * The candidate subscriptions of an event by its routing (docs/architecture.md#the-path-of-one-event), before body and
 * header filters: direct/dynamic by endpoint_ids (an endpoint with no subscription at all
 * gets a catch-all one, as Convoy does), fanout by owner_id, broadcast every subscription of
 * the project, source the source's. Lookups are memoised per batch (`memo`), so a burst of
 * events of one type and target costs one query.
 */
@Injectable()
export class SubscriptionResolver {
  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  candidates(event: EventEntity, memo: Map<string, Promise<SubscriptionEntity[]>>): Promise<SubscriptionEntity[]> {
    const target =
      event.routing === 'fanout'
        ? event.ownerId
        : event.routing === 'source'
          ? event.sourceId
          : event.endpointIds.join(',');
    const key = `${event.routing}|${event.projectId}|${event.eventType}|${target ?? ''}`;
    let found = memo.get(key);
    if (!found) {
      found = this.lookup(event);
      memo.set(key, found);
    }
    return found;
  }

  private async lookup(event: EventEntity): Promise<SubscriptionEntity[]> {
    const { projectId, eventType } = event;
    switch (event.routing) {
      case 'direct':
      case 'dynamic':
        return this.forEndpoints(projectId, eventType, event.endpointIds);
      case 'fanout': {
        if (!event.ownerId) return [];
        const owned = await this.endpoints.findByOwner(projectId, event.ownerId);
        const live = owned.filter((endpoint) => endpoint.deletedAt === null).map((endpoint) => endpoint.id);
        return live.length === 0 ? [] : this.subscriptions.findForEventType(projectId, eventType, live);
      }
      case 'broadcast':
        return this.subscriptions.findForEventType(projectId, eventType);
      case 'source':
        return event.sourceId ? this.subscriptions.findForSource(projectId, event.sourceId, eventType) : [];
      default:
        return [];
    }
  }

  private async forEndpoints(
    projectId: string,
    eventType: string,
    endpointIds: string[],
  ): Promise<SubscriptionEntity[]> {
    if (endpointIds.length === 0) return [];
    const found = await this.subscriptions.findForEventType(projectId, eventType, endpointIds);
    const covered = new Set(found.map((subscription) => subscription.endpointId));
    const uncovered = endpointIds.filter((id) => !covered.has(id));
    if (uncovered.length === 0) return found;
    // Only endpoints of this project, so a doorbell cannot attach a subscription elsewhere.
    const existing = await this.endpoints.findByRefs(uncovered.map((id) => ({ projectId, id })));
    if (existing.length === 0) return found;
    for (const endpoint of existing) await this.subscriptions.ensureCatchAll(projectId, endpoint.id);
    // Read them back rather than trusting what this call created: a concurrent router batch
    // may have created the catch-all first, and its events must not route to nothing.
    const late = await this.subscriptions.findForEventType(
      projectId,
      eventType,
      existing.map((endpoint) => endpoint.id),
    );
    return [...found, ...late];
  }
}
