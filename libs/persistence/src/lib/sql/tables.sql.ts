import { TableMapper } from './table-mapper.helper';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { DeliveryAttemptEntity } from '../entities/delivery-attempt.entity';
import { EndpointEntity } from '../entities/endpoint.entity';
import { EventDeliveryEntity } from '../entities/event-delivery.entity';
import { EventTypeEntity } from '../entities/event-type.entity';
import { EventEntity } from '../entities/event.entity';
import { MetaEventEntity } from '../entities/meta-event.entity';
import { PortalLinkEntity } from '../entities/portal-link.entity';
import { ProjectEntity } from '../entities/project.entity';
import { SourceEntity } from '../entities/source.entity';
import { SubscriptionFilterEntity } from '../entities/subscription-filter.entity';
import { SubscriptionEntity } from '../entities/subscription.entity';

/*
 * Each table's row mapper, written out column by column (property → column, jsonb columns
 * listed): raw SQL results become entities and entities become INSERT values without reading
 * TypeORM's metadata. `tables.sql.spec.ts` checks every declaration against the entity's
 * decorators, so a column added to an entity and not here fails a test.
 */

/** `api_keys` (ApiKeyEntity). */
export const API_KEY_TABLE = new TableMapper<ApiKeyEntity>(
  'api_keys',
  () => new ApiKeyEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    name: 'name',
    maskId: 'mask_id',
    keyHash: 'key_hash',
    role: 'role',
    keyType: 'key_type',
    expiresAt: 'expires_at',
    revokedAt: 'revoked_at',
    lastUsedAt: 'last_used_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  },
  [],
);

/** `delivery_attempts` (DeliveryAttemptEntity). */
export const DELIVERY_ATTEMPT_TABLE = new TableMapper<DeliveryAttemptEntity>(
  'delivery_attempts',
  () => new DeliveryAttemptEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    eventDeliveryId: 'event_delivery_id',
    endpointId: 'endpoint_id',
    url: 'url',
    method: 'method',
    ipAddress: 'ip_address',
    requestHttpHeader: 'request_http_header',
    responseHttpHeader: 'response_http_header',
    httpStatus: 'http_status',
    responseData: 'response_data',
    error: 'error',
    success: 'success',
    latencyMs: 'latency_ms',
    createdAt: 'created_at',
  },
  ['requestHttpHeader', 'responseHttpHeader'],
);

/** `endpoints` (EndpointEntity). */
export const ENDPOINT_TABLE = new TableMapper<EndpointEntity>(
  'endpoints',
  () => new EndpointEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    ownerId: 'owner_id',
    name: 'name',
    url: 'url',
    description: 'description',
    status: 'status',
    secrets: 'secrets',
    advancedSignatures: 'advanced_signatures',
    signatureFormat: 'signature_format',
    httpTimeout: 'http_timeout',
    rateLimit: 'rate_limit',
    rateLimitDuration: 'rate_limit_duration',
    contentType: 'content_type',
    mtlsClientCert: 'mtls_client_cert',
    authentication: 'authentication',
    supportEmail: 'support_email',
    slackWebhookUrl: 'slack_webhook_url',
    cbState: 'cb_state',
    cbStateChangedAt: 'cb_state_changed_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  ['secrets', 'mtlsClientCert', 'authentication'],
);

/** `event_deliveries` (EventDeliveryEntity). */
export const EVENT_DELIVERY_TABLE = new TableMapper<EventDeliveryEntity>(
  'event_deliveries',
  () => new EventDeliveryEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    eventId: 'event_id',
    endpointId: 'endpoint_id',
    subscriptionId: 'subscription_id',
    sourceId: 'source_id',
    eventType: 'event_type',
    idempotencyKey: 'idempotency_key',
    generation: 'generation',
    status: 'status',
    description: 'description',
    headers: 'headers',
    urlQueryParams: 'url_query_params',
    attempts: 'attempts',
    retryLimit: 'retry_limit',
    strategy: 'strategy',
    intervalSeconds: 'interval_seconds',
    nextSendTime: 'next_send_time',
    leaseUntil: 'lease_until',
    latencyMs: 'latency_ms',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  ['headers'],
);

/** `event_types` (EventTypeEntity). */
export const EVENT_TYPE_TABLE = new TableMapper<EventTypeEntity>(
  'event_types',
  () => new EventTypeEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    name: 'name',
    description: 'description',
    category: 'category',
    jsonSchema: 'json_schema',
    deprecatedAt: 'deprecated_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  },
  ['jsonSchema'],
);

/** `events` (EventEntity). */
export const EVENT_TABLE = new TableMapper<EventEntity>(
  'events',
  () => new EventEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    eventType: 'event_type',
    sourceId: 'source_id',
    routing: 'routing',
    endpointIds: 'endpoint_ids',
    ownerId: 'owner_id',
    raw: 'raw',
    headers: 'headers',
    urlQueryParams: 'url_query_params',
    idempotencyKey: 'idempotency_key',
    isDuplicateEvent: 'is_duplicate_event',
    status: 'status',
    generation: 'generation',
    acknowledgedAt: 'acknowledged_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  ['headers'],
);

/** `meta_events` (MetaEventEntity). */
export const META_EVENT_TABLE = new TableMapper<MetaEventEntity>(
  'meta_events',
  () => new MetaEventEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    eventType: 'event_type',
    payload: 'payload',
    status: 'status',
    attempts: 'attempts',
    retryLimit: 'retry_limit',
    nextSendTime: 'next_send_time',
    leaseUntil: 'lease_until',
    lastResponse: 'last_response',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  },
  ['lastResponse'],
);

/** `portal_links` (PortalLinkEntity). */
export const PORTAL_LINK_TABLE = new TableMapper<PortalLinkEntity>(
  'portal_links',
  () => new PortalLinkEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    name: 'name',
    ownerId: 'owner_id',
    endpointIds: 'endpoint_ids',
    canManageEndpoint: 'can_manage_endpoint',
    authType: 'auth_type',
    tokenHash: 'token_hash',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  [],
);

/** `projects` (ProjectEntity). */
export const PROJECT_TABLE = new TableMapper<ProjectEntity>(
  'projects',
  () => new ProjectEntity(),
  {
    id: 'id',
    name: 'name',
    type: 'type',
    config: 'config',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  ['config'],
);

/** `sources` (SourceEntity). */
export const SOURCE_TABLE = new TableMapper<SourceEntity>(
  'sources',
  () => new SourceEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    name: 'name',
    type: 'type',
    provider: 'provider',
    maskId: 'mask_id',
    verifier: 'verifier',
    customResponse: 'custom_response',
    idempotencyKeys: 'idempotency_keys',
    eventTypeLocation: 'event_type_location',
    forwardHeaders: 'forward_headers',
    pubSub: 'pub_sub',
    bodyFunction: 'body_function',
    headerFunction: 'header_function',
    isDisabled: 'is_disabled',
    providerConfig: 'provider_config',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  ['verifier', 'customResponse', 'pubSub', 'providerConfig'],
);

/** `subscription_filters` (SubscriptionFilterEntity). */
export const SUBSCRIPTION_FILTER_TABLE = new TableMapper<SubscriptionFilterEntity>(
  'subscription_filters',
  () => new SubscriptionFilterEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    subscriptionId: 'subscription_id',
    eventType: 'event_type',
    body: 'body',
    headers: 'headers',
    rawBody: 'raw_body',
    rawHeaders: 'raw_headers',
    enabledAt: 'enabled_at',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
  },
  ['body', 'headers', 'rawBody', 'rawHeaders'],
);

/** `subscriptions` (SubscriptionEntity). */
export const SUBSCRIPTION_TABLE = new TableMapper<SubscriptionEntity>(
  'subscriptions',
  () => new SubscriptionEntity(),
  {
    id: 'id',
    projectId: 'project_id',
    name: 'name',
    type: 'type',
    endpointId: 'endpoint_id',
    sourceId: 'source_id',
    eventTypes: 'event_types',
    filterBody: 'filter_body',
    filterHeaders: 'filter_headers',
    deliveryMode: 'delivery_mode',
    function: 'function',
    createdAt: 'created_at',
    updatedAt: 'updated_at',
    deletedAt: 'deleted_at',
  },
  ['filterBody', 'filterHeaders'],
);
