import type { EventEntity } from '@caravan/persistence';

/** The event's `data`: its exact bytes parsed, or the bytes as text when they are not JSON. */
export function eventData(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * An event as Convoy shows it (docs/architecture.md#convoy-compatibility): `raw` is the exact stored bytes as a string,
 * `headers` a map of string arrays, and empty strings (not null) where Convoy has them.
 */
export function presentEvent(event: EventEntity) {
  return {
    uid: event.id,
    event_type: event.eventType,
    project_id: event.projectId,
    source_id: event.sourceId ?? '',
    endpoints: event.endpointIds,
    owner_id: event.ownerId ?? '',
    data: eventData(event.raw),
    raw: event.raw.toString('utf8'),
    headers: event.headers,
    idempotency_key: event.idempotencyKey ?? '',
    is_duplicate_event: event.isDuplicateEvent,
    url_query_params: event.urlQueryParams,
    status: event.status,
    acknowledged_at: event.acknowledgedAt,
    created_at: event.createdAt,
    updated_at: event.updatedAt,
    deleted_at: event.deletedAt,
  };
}

/** Convoy's `event_metadata` on a delivery: the event without its body. */
export function presentEventMetadata(event: EventEntity) {
  return {
    uid: event.id,
    event_type: event.eventType,
    endpoints: event.endpointIds,
    headers: event.headers,
    url_query_params: event.urlQueryParams,
    idempotency_key: event.idempotencyKey ?? '',
    is_duplicate_event: event.isDuplicateEvent,
    created_at: event.createdAt,
    updated_at: event.updatedAt,
    deleted_at: event.deletedAt,
  };
}
