import type { EndpointEntity, EventEntity, SourceEntity } from '@caravan/persistence';
import { presentEndpointMetadata } from '../endpoints/endpoint.presenter';
import { presentSource } from '../sources/source.presenter';

/** The event's `data`: its exact bytes parsed, or the bytes as text when they are not JSON. */
export function eventData(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What an event is shown with: its endpoints and source, when the caller loaded them. */
export interface EventContext {
  endpoints?: EndpointEntity[];
  source?: SourceEntity;
  ingestBaseUrl?: string;
}

/** Convoy's `source_metadata`: the source without its verifier or broker credentials. */
function presentSourceMetadata(source: SourceEntity | undefined, ingestBaseUrl: string) {
  if (!source) return null;
  return { ...presentSource(source, ingestBaseUrl), verifier: null, pub_sub: null };
}

/**
 * An event as Convoy shows it (docs/architecture.md#convoy-compatibility): `raw` is the exact stored bytes as a string,
 * `headers` a map of string arrays, and empty strings (not null) where Convoy has them;
 * `endpoint_metadata` and `source_metadata` (Convoy's shapes) from the context.
 */
export function presentEvent(event: EventEntity, context: EventContext = {}) {
  return {
    uid: event.id,
    event_type: event.eventType,
    project_id: event.projectId,
    source_id: event.sourceId ?? '',
    endpoints: event.endpointIds,
    endpoint_metadata: (context.endpoints ?? []).map(presentEndpointMetadata),
    source_metadata: presentSourceMetadata(context.source, context.ingestBaseUrl ?? ''),
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
