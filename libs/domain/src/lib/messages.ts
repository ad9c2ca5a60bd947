/**
 * Kafka message contracts. A message is a doorbell: it names a row to look at now; the row
 * in Postgres holds the state, so a lost or repeated message never loses or doubles work.
 */
export interface EventDoorbell {
  project_id: string;
  event_id: string;
  /** The W3C trace context of the message's `traceparent` header (never in its JSON), when it had one. */
  traceparent?: string;
}

export interface DeliveryDoorbell {
  project_id: string;
  endpoint_id: string;
  delivery_id: string;
  /** `delivery` for event deliveries, `meta` for meta-event deliveries. */
  kind: 'delivery' | 'meta';
  /** The W3C trace context of the message's `traceparent` header (never in its JSON), when it had one. */
  traceparent?: string;
}

/** An accepted (or replayed) event's doorbell. */
export function eventBell(row: { id: string; projectId: string }): EventDoorbell {
  return { project_id: row.projectId, event_id: row.id };
}

/** A delivery row's doorbell. */
export function deliveryBell(row: { id: string; projectId: string; endpointId: string }): DeliveryDoorbell {
  return { project_id: row.projectId, endpoint_id: row.endpointId, delivery_id: row.id, kind: 'delivery' };
}

/** A meta-event row's doorbell: meta events have no endpoint. */
export function metaBell(row: { id: string; projectId: string }): DeliveryDoorbell {
  return { project_id: row.projectId, endpoint_id: '', delivery_id: row.id, kind: 'meta' };
}

/**
 * The partition key of a doorbell. Deliveries go by endpoint, so one dispatcher instance owns
 * an endpoint's rate limiter and breaker; meta events by project; events by their own id, so
 * one busy project spreads over every partition.
 */
export function doorbellKey(bell: EventDoorbell | DeliveryDoorbell): string {
  if ('event_id' in bell) return bell.event_id;
  return bell.kind === 'meta' ? `meta:${bell.project_id}` : bell.endpoint_id;
}
