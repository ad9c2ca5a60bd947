import type { EndpointEntity, SubscriptionEntity } from '@caravan/persistence';
import { presentEndpoint } from '../endpoints/endpoint.presenter';

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

/** A subscription as Convoy shows it, with its endpoint in `endpoint_metadata`. */
export function presentSubscription(subscription: SubscriptionEntity, endpoint: EndpointEntity | undefined) {
  return {
    uid: subscription.id,
    name: subscription.name,
    type: subscription.type,
    project_id: subscription.projectId,
    endpoint_id: subscription.endpointId,
    source_id: subscription.sourceId ?? '',
    delivery_mode: subscription.deliveryMode,
    filter_config: {
      event_types: subscription.eventTypes,
      filter: { headers: subscription.filterHeaders, body: subscription.filterBody },
    },
    function: subscription.function,
    endpoint_metadata: endpoint ? presentEndpoint(endpoint) : null,
    created_at: iso(subscription.createdAt),
    updated_at: iso(subscription.updatedAt),
    deleted_at: iso(subscription.deletedAt),
  };
}
