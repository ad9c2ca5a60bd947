import { STATUS_CODES } from 'node:http';
import type { EndpointEntity, NewDeliveryAttempt, EventDeliveryEntity, EventEntity } from '@caravan/persistence';
import { presentableAuthentication } from '@caravan/domain';
import { goDuration } from './go-duration';

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

function parseData(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}

/** Go's zero time, which Convoy shows for dates it does not have. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Convoy has devices only for its CLI; its meta events carry this zero-valued block. */
const DEVICE_METADATA = Object.freeze({
  uid: '',
  last_seen_at: ZERO_TIME,
  created_at: ZERO_TIME,
  updated_at: ZERO_TIME,
  deleted_at: null,
});

/**
 * Convoy's source block: the event's source id (and project) when it came from a source,
 * the rest zero-valued as Convoy sends it; the source's settings stay out of
 * meta events.
 */
function sourceMetadata(event: EventEntity): Record<string, unknown> {
  return {
    uid: event.sourceId ?? '',
    project_id: event.sourceId ? event.projectId : '',
    mask_id: '',
    name: '',
    url: '',
    type: '',
    provider: '',
    is_disabled: false,
    verifier: null,
    custom_response: { body: '', content_type: '' },
    provider_config: null,
    forward_headers: null,
    pub_sub: null,
    idempotency_keys: [],
    created_at: ZERO_TIME,
    updated_at: ZERO_TIME,
    deleted_at: null,
  };
}

/** The finished delivery as a meta event's `data` needs it (its row after the outcome). */
export interface FinishedDelivery {
  delivery: EventDeliveryEntity;
  event: EventEntity;
  endpoint: EndpointEntity;
  /** The attempt that finished it; null when none was made. */
  attempt: (NewDeliveryAttempt & { createdAt: Date }) | null;
}

/** Convoy's secret object (secrets are never soft-deleted on their own, so deleted_at is null). */
export function convoySecrets(endpoint: EndpointEntity) {
  return endpoint.secrets.map((secret) => ({
    uid: secret.uid,
    value: secret.value,
    created_at: secret.created_at,
    updated_at: secret.created_at,
    expires_at: secret.expires_at,
    deleted_at: null,
  }));
}

/** Convoy's `event_metadata` on a delivery: the event without its body. */
export function convoyEventMetadata(event: EventEntity) {
  return {
    uid: event.id,
    event_type: event.eventType,
    endpoints: event.endpointIds,
    headers: event.headers,
    url_query_params: event.urlQueryParams,
    idempotency_key: event.idempotencyKey ?? '',
    is_duplicate_event: event.isDuplicateEvent,
    created_at: iso(event.createdAt),
    updated_at: iso(event.updatedAt),
    deleted_at: iso(event.deletedAt),
  };
}

/**
 * The endpoint block of a delivery's meta event: the endpoint event's shape (same key order)
 * without the owner, the secrets or the credentials.
 */
function endpointMetadata(endpoint: EndpointEntity): Record<string, unknown> {
  const { owner_id: _owner, ...shown } = MetaEventPayloads.endpoint(endpoint);
  return { ...shown, secrets: null, authentication: null };
}

/**
 * The `data` of meta events in Convoy's shapes (docs/architecture.md#convoy-compatibility). Pure; MetaEventPublisher wraps it
 * as `{event_type, data}`, serialises it ONCE and stores those bytes, which are then signed
 * and sent unchanged.
 */
export class MetaEventPayloads {
  /**
   * `endpoint.created|updated|deleted`: the endpoint as Convoy shows it (signing secrets
   * included, as Convoy does; an oauth2 client secret masked).
   */
  static endpoint(endpoint: EndpointEntity): Record<string, unknown> {
    return {
      uid: endpoint.id,
      project_id: endpoint.projectId,
      owner_id: endpoint.ownerId ?? '',
      target_url: endpoint.url,
      title: endpoint.name,
      secrets: convoySecrets(endpoint),
      advanced_signatures: endpoint.advancedSignatures,
      description: endpoint.description,
      http_timeout: goDuration(endpoint.httpTimeout),
      rate_limit: endpoint.rateLimit,
      status: endpoint.status,
      rate_limit_duration: goDuration(endpoint.rateLimitDuration),
      authentication: presentableAuthentication(endpoint.authentication),
      created_at: iso(endpoint.createdAt),
      updated_at: iso(endpoint.updatedAt),
      deleted_at: iso(endpoint.deletedAt),
    };
  }

  /** `eventdelivery.success|failed`: the delivery with its endpoint, event and last attempt. */
  static delivery(finished: FinishedDelivery): Record<string, unknown> {
    const { delivery, event, endpoint, attempt } = finished;
    return {
      uid: delivery.id,
      project_id: delivery.projectId,
      event_id: delivery.eventId,
      endpoint_id: delivery.endpointId,
      device_id: '',
      subscription_id: delivery.subscriptionId,
      headers: delivery.headers,
      url_query_params: delivery.urlQueryParams,
      idempotency_key: delivery.idempotencyKey ?? '',
      endpoint_metadata: endpointMetadata(endpoint),
      event_metadata: convoyEventMetadata(event),
      source_metadata: sourceMetadata(event),
      device_metadata: DEVICE_METADATA,
      attempt: attempt && {
        uid: attempt.id ?? '',
        msg_id: delivery.id,
        url: attempt.url,
        method: attempt.method ?? 'POST',
        endpoint_id: attempt.endpointId,
        api_version: '',
        ip_address: attempt.ipAddress ?? '',
        request_http_header: attempt.requestHttpHeader ?? {},
        response_http_header: attempt.responseHttpHeader ?? {},
        http_status: attempt.httpStatus ? `${attempt.httpStatus} ${STATUS_CODES[attempt.httpStatus] ?? ''}`.trim() : '',
        status: attempt.success,
        error: attempt.error ?? '',
        created_at: iso(attempt.createdAt),
        updated_at: iso(attempt.createdAt),
        deleted_at: null,
      },
      status: delivery.status,
      metadata: {
        data: parseData(event.raw),
        raw: event.raw.toString('utf8'),
        strategy: delivery.strategy,
        next_send_time: iso(delivery.nextSendTime),
        num_trials: delivery.attempts,
        interval_seconds: delivery.intervalSeconds,
        retry_limit: delivery.retryLimit,
      },
      cli_metadata: null,
      description: delivery.description,
      created_at: iso(delivery.createdAt),
      updated_at: iso(delivery.updatedAt),
      deleted_at: iso(delivery.deletedAt),
    };
  }
}
