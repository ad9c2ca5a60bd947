import { convoyEventMetadata } from '@caravan/meta-events';
import { STATUS_CODES } from 'node:http';
import type { DeliveryAttemptEntity, EndpointEntity, EventDeliveryEntity, EventEntity } from '@caravan/persistence';
import { presentEndpointMetadata } from '../endpoints/endpoint.presenter';
import { eventData } from '../events/event.presenter';

export interface DeliveryContext {
  endpoint?: EndpointEntity;
  event?: EventEntity;
  /** Include the event body in `metadata` (single reads, not lists). */
  withBody?: boolean;
}

/** An event delivery as Convoy shows it. */
export function presentEventDelivery(delivery: EventDeliveryEntity, context: DeliveryContext = {}) {
  const { endpoint, event, withBody } = context;
  return {
    uid: delivery.id,
    project_id: delivery.projectId,
    event_id: delivery.eventId,
    endpoint_id: delivery.endpointId,
    subscription_id: delivery.subscriptionId,
    source_id: delivery.sourceId ?? '',
    event_type: delivery.eventType,
    idempotency_key: delivery.idempotencyKey ?? '',
    headers: delivery.headers,
    url_query_params: delivery.urlQueryParams,
    status: delivery.status,
    description: delivery.description,
    latency_seconds: delivery.latencyMs === null ? null : delivery.latencyMs / 1000,
    target_url: endpoint?.url ?? '',
    // Convoy stamps a delivery acknowledged when it is created.
    acknowledged_at: delivery.createdAt,
    endpoint_metadata: presentEndpointMetadata(endpoint),
    event_metadata: event ? convoyEventMetadata(event) : null,
    metadata: {
      ...(withBody && event ? { data: eventData(event.raw), raw: event.raw.toString('utf8') } : {}),
      strategy: delivery.strategy,
      num_trials: delivery.attempts,
      retry_limit: delivery.retryLimit,
      interval_seconds: delivery.intervalSeconds,
      next_send_time: delivery.nextSendTime,
    },
    generation: delivery.generation,
    created_at: delivery.createdAt,
    updated_at: delivery.updatedAt,
    deleted_at: delivery.deletedAt,
  };
}

/** Convoy's headers on attempts are name → one string. */
function flattenHeaders(headers: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, values]) => [
      name,
      Array.isArray(values) ? values.join(', ') : String(values),
    ]),
  );
}

/** A delivery attempt in Convoy's shape (`http_status` like "200 OK"), plus the `trace_id` it was sent in. */
export function presentDeliveryAttempt(attempt: DeliveryAttemptEntity) {
  return {
    uid: attempt.id,
    project_id: attempt.projectId,
    msg_id: attempt.eventDeliveryId,
    url: attempt.url,
    method: attempt.method,
    endpoint_id: attempt.endpointId,
    api_version: '',
    ip_address: attempt.ipAddress,
    request_http_header: flattenHeaders(attempt.requestHttpHeader),
    response_http_header: flattenHeaders(attempt.responseHttpHeader),
    http_status:
      attempt.httpStatus === null ? '' : `${attempt.httpStatus} ${STATUS_CODES[attempt.httpStatus] ?? ''}`.trim(),
    response_data: attempt.responseData,
    error: attempt.error ?? '',
    status: attempt.success,
    latency_ms: attempt.latencyMs,
    // Caravan's addition (Convoy clients ignore it): the attempt's trace, "" when tracing was off.
    trace_id: attempt.traceId ?? '',
    created_at: attempt.createdAt,
    updated_at: attempt.createdAt,
    deleted_at: null,
  };
}
