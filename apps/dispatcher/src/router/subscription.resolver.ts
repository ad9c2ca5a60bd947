import { Injectable } from '@nestjs/common';
import { matchesEventType } from '@caravan/domain';
import { EndpointsRepository, EventEntity, SubscriptionEntity, SubscriptionsRepository } from '@caravan/persistence';

type EndpointRef = { projectId: string; id: string };

const refKey = (projectId: string, endpointId: string) => `${projectId}/${endpointId}`;

/**
 * The candidate subscriptions of each event of a batch by its routing
 * (docs/architecture.md#the-path-of-one-event), before body and header filters: direct/dynamic
 * by endpoint_ids (an endpoint with no subscription at all gets a catch-all one, as Convoy
 * does), fanout by owner_id, broadcast every subscription of the project, source the source's.
 * The direct events of a batch cost one query together, whatever their endpoints and types;
 * the other lookups are made once per (routing, project, type, target) in a batch.
 */
@Injectable()
export class SubscriptionResolver {
  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly endpoints: EndpointsRepository,
  ) {}

  /** Each event's candidates, by event id. */
  async candidatesOf(events: readonly EventEntity[]): Promise<Map<string, SubscriptionEntity[]>> {
    const direct = events.filter((event) => event.routing === 'direct' || event.routing === 'dynamic');
    const byEndpoint = await this.liveForEndpoints(
      direct.flatMap((event) => event.endpointIds.map((id) => ({ projectId: event.projectId, id }))),
    );
    const memo = new Map<string, Promise<SubscriptionEntity[]>>();
    const candidates = new Map<string, SubscriptionEntity[]>();
    for (const event of events) {
      if (event.routing === 'direct' || event.routing === 'dynamic') {
        candidates.set(
          event.id,
          [...new Set(event.endpointIds)]
            .flatMap((id) => byEndpoint.get(refKey(event.projectId, id)) ?? [])
            .filter((subscription) => matchesEventType(subscription.eventTypes, event.eventType)),
        );
      } else {
        candidates.set(event.id, await this.memoised(event, memo));
      }
    }
    return candidates;
  }

  private memoised(
    event: EventEntity,
    memo: Map<string, Promise<SubscriptionEntity[]>>,
  ): Promise<SubscriptionEntity[]> {
    const target = event.routing === 'fanout' ? event.ownerId : event.routing === 'source' ? event.sourceId : '';
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

  /** The live subscriptions of each endpoint (keyed `project/endpoint`), catch-alls made for those with none. */
  private async liveForEndpoints(refs: readonly EndpointRef[]): Promise<Map<string, SubscriptionEntity[]>> {
    const unique = [...new Map(refs.map((ref) => [refKey(ref.projectId, ref.id), ref] as const)).values()];
    const byEndpoint = new Map<string, SubscriptionEntity[]>();
    const add = (subscriptions: readonly SubscriptionEntity[]) => {
      for (const subscription of subscriptions) {
        const key = refKey(subscription.projectId, subscription.endpointId);
        byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), subscription]);
      }
    };
    add(await this.subscriptions.findLiveForEndpoints(unique));
    const uncovered = unique.filter((ref) => !byEndpoint.has(refKey(ref.projectId, ref.id)));
    if (uncovered.length === 0) return byEndpoint;
    // Only endpoints of the event's project, so a doorbell cannot attach a subscription elsewhere.
    const existing = await this.endpoints.findByRefs(uncovered);
    if (existing.length === 0) return byEndpoint;
    for (const endpoint of existing) await this.subscriptions.ensureCatchAll(endpoint.projectId, endpoint.id);
    // Read them back rather than trusting what this call created: a concurrent router batch
    // may have created the catch-all first, and its events must not route to nothing.
    add(await this.subscriptions.findLiveForEndpoints(existing));
    return byEndpoint;
  }
}
