/**
 * The ids a log line is about, as fields (`project_id`, `event_id`, …): the names operators
 * filter on in every service (docs/operations.md#logs). Messages never repeat them.
 */
export interface LogIds {
  project_id?: string;
  event_id?: string;
  delivery_id?: string;
  endpoint_id?: string;
  source_id?: string;
  subscription_id?: string;
}

/** The ids of one event delivery (a row of `event_deliveries`). */
export function deliveryLogIds(delivery: {
  id: string;
  projectId: string;
  eventId: string;
  endpointId: string;
  subscriptionId?: string | null;
}): LogIds {
  return {
    project_id: delivery.projectId,
    event_id: delivery.eventId,
    delivery_id: delivery.id,
    endpoint_id: delivery.endpointId,
    ...(delivery.subscriptionId ? { subscription_id: delivery.subscriptionId } : {}),
  };
}
