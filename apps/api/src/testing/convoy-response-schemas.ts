/** Convoy's response schemas (OpenAPI 26.3.5, components.schemas): each field with its JSON type. */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

/** models.ProjectResponse */
export const PROJECT: Record<string, JsonType> = {
  config: 'object',
  created_at: 'string',
  deleted_at: 'string',
  logo_url: 'string',
  name: 'string',
  organisation_id: 'string',
  retained_events: 'integer',
  statistics: 'object',
  type: 'string',
  uid: 'string',
  updated_at: 'string',
};

/** datastore.APIKeyResponse */
export const API_KEY: Record<string, JsonType> = {
  created_at: 'string',
  expires_at: 'string',
  key: 'string',
  key_type: 'string',
  name: 'string',
  role: 'object',
  uid: 'string',
  user_id: 'string',
};

/** models.EndpointResponse */
export const ENDPOINT: Record<string, JsonType> = {
  advanced_signatures: 'boolean',
  authentication: 'object',
  cb_state: 'string',
  content_type: 'string',
  created_at: 'string',
  deleted_at: 'string',
  description: 'string',
  events: 'integer',
  failure_count: 'integer',
  failure_rate: 'number',
  http_timeout: 'integer',
  mtls_client_cert: 'object',
  name: 'string',
  owner_id: 'string',
  period_failure_rate: 'number',
  project_id: 'string',
  rate_limit: 'integer',
  rate_limit_duration: 'integer',
  retry_count: 'integer',
  secrets: 'array',
  slack_webhook_url: 'string',
  status: 'string',
  success_count: 'integer',
  support_email: 'string',
  teams_webhook_url: 'string',
  uid: 'string',
  updated_at: 'string',
  url: 'string',
};

/** models.SubscriptionResponse */
export const SUBSCRIPTION: Record<string, JsonType> = {
  alert_config: 'object',
  created_at: 'string',
  deleted_at: 'string',
  delivery_mode: 'string',
  device_metadata: 'object',
  endpoint_metadata: 'object',
  filter_config: 'object',
  function: 'string',
  name: 'string',
  project_id: 'string',
  rate_limit_config: 'object',
  retry_config: 'object',
  source_metadata: 'object',
  type: 'string',
  uid: 'string',
  updated_at: 'string',
};

/** models.SourceResponse */
export const SOURCE: Record<string, JsonType> = {
  body_function: 'string',
  created_at: 'string',
  custom_response: 'object',
  deleted_at: 'string',
  event_type_location: 'string',
  forward_headers: 'array',
  header_function: 'string',
  idempotency_keys: 'array',
  is_disabled: 'boolean',
  mask_id: 'string',
  name: 'string',
  project_id: 'string',
  provider: 'string',
  provider_config: 'object',
  pub_sub: 'object',
  type: 'string',
  uid: 'string',
  updated_at: 'string',
  url: 'string',
  verifier: 'object',
};

/** models.EventResponse */
export const EVENT: Record<string, JsonType> = {
  acknowledged_at: 'string',
  app_id: 'string',
  created_at: 'string',
  data: 'object',
  deleted_at: 'string',
  endpoint_metadata: 'array',
  endpoints: 'array',
  event_type: 'string',
  failure_reason: 'string',
  headers: 'object',
  idempotency_key: 'string',
  is_duplicate_event: 'boolean',
  project_id: 'string',
  raw: 'string',
  source_id: 'string',
  source_metadata: 'object',
  status: 'string',
  uid: 'string',
  updated_at: 'string',
  url_path: 'string',
  url_query_params: 'string',
};

/** models.EventDeliveryResponse */
export const EVENT_DELIVERY: Record<string, JsonType> = {
  acknowledged_at: 'string',
  cli_metadata: 'object',
  created_at: 'string',
  deleted_at: 'string',
  delivery_mode: 'string',
  description: 'string',
  device_id: 'string',
  device_metadata: 'object',
  endpoint_id: 'string',
  endpoint_metadata: 'object',
  event_id: 'string',
  event_metadata: 'object',
  event_type: 'string',
  headers: 'object',
  idempotency_key: 'string',
  latency: 'string',
  latency_seconds: 'number',
  metadata: 'object',
  project_id: 'string',
  source_metadata: 'object',
  status: 'string',
  subscription_id: 'string',
  target_url: 'string',
  uid: 'string',
  updated_at: 'string',
  url_query_params: 'string',
};

/** datastore.DeliveryAttempt */
export const DELIVERY_ATTEMPT: Record<string, JsonType> = {
  api_version: 'string',
  created_at: 'string',
  deleted_at: 'string',
  endpoint_id: 'string',
  error: 'string',
  http_status: 'string',
  ip_address: 'string',
  method: 'string',
  msg_id: 'string',
  project_id: 'string',
  request_http_header: 'object',
  requested_at: 'string',
  responded_at: 'string',
  response_data: 'string',
  response_http_header: 'object',
  status: 'boolean',
  uid: 'string',
  updated_at: 'string',
  url: 'string',
};

/** models.MetaEventResponse */
export const META_EVENT: Record<string, JsonType> = {
  attempt: 'object',
  created_at: 'string',
  deleted_at: 'string',
  event_type: 'string',
  metadata: 'object',
  project_id: 'string',
  status: 'string',
  uid: 'string',
  updated_at: 'string',
};

/** datastore.PaginationData */
export const PAGINATION: Record<string, JsonType> = {
  has_next_page: 'boolean',
  has_prev_page: 'boolean',
  next_page_cursor: 'string',
  per_page: 'integer',
  prev_page_cursor: 'string',
  total: 'integer',
};

/** models.CountResponse */
export const COUNT: Record<string, JsonType> = {
  num: 'integer',
};

/** models.EventTypeResponse */
export const EVENT_TYPE: Record<string, JsonType> = {
  category: 'string',
  deprecated_at: 'string',
  description: 'string',
  json_schema: 'object',
  name: 'string',
  uid: 'string',
};

/** models.FilterResponse (datastore.M fields are objects) */
export const FILTER: Record<string, JsonType> = {
  body: 'object',
  enabled_at: 'string',
  event_type: 'string',
  headers: 'object',
  path: 'object',
  query: 'object',
  raw_body: 'object',
  raw_headers: 'object',
  raw_path: 'object',
  raw_query: 'object',
  subscription_id: 'string',
  uid: 'string',
};

/** models.TestFilterResponse */
export const TEST_FILTER: Record<string, JsonType> = { is_match: 'boolean' };

/** models.FunctionResponse (`payload` is untyped: whatever the function returns) */
export const FUNCTION: Record<string, JsonType> = { log: 'array' };

/** datastore.PortalLinkResponse (auth_type is datastore.PortalAuthType, a string enum) */
export const PORTAL_LINK: Record<string, JsonType> = {
  auth_key: 'string',
  auth_type: 'string',
  can_manage_endpoint: 'boolean',
  created_at: 'string',
  deleted_at: 'string',
  endpoint_count: 'integer',
  endpoints: 'array',
  endpoints_metadata: 'array',
  name: 'string',
  owner_id: 'string',
  project_id: 'string',
  token: 'string',
  uid: 'string',
  updated_at: 'string',
  url: 'string',
};

/** models.BulkOnboardDryRunResponse */
export const ONBOARD_DRY_RUN: Record<string, JsonType> = {
  errors: 'array',
  total_rows: 'integer',
  valid_count: 'integer',
};

/** models.BulkOnboardAcceptedResponse */
export const ONBOARD_ACCEPTED: Record<string, JsonType> = {
  batch_count: 'integer',
  message: 'string',
  total_items: 'integer',
};

/** models.EndpointPeriodFailureRate */
export const PERIOD_FAILURE_RATE: Record<string, JsonType> = {
  failure_count: 'integer',
  period_failure_rate: 'number',
  retry_count: 'integer',
  success_count: 'integer',
  uid: 'string',
};
