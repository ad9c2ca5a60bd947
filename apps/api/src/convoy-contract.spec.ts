import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryStatus, MetaEventStatus, SourceProvider, VerifierType } from '@caravan/domain';
import { ADMIN_KEY, ApiHarness, startApiHarness } from './testing/api-harness';
import { servedRoutes } from './testing/served-routes';
import { EventFixtures } from './testing/event-fixtures.helper';
import * as convoy from './testing/convoy-response-schemas';
import type { JsonType } from './testing/convoy-response-schemas';

type Schema = Record<string, JsonType>;

/**
 * Fields of Convoy's response schemas that Caravan does not serve (features it does not have:
 * organisations, circuit-breaker statistics on the endpoint itself, devices, the CLI, mTLS client
 * certificates and per-subscription configs). Everything else in each
 * schema must be present with Convoy's type.
 */
const NOT_SERVED: Record<string, string[]> = {
  PROJECT: ['logo_url', 'organisation_id', 'retained_events', 'statistics'],
  API_KEY: ['key_type', 'role', 'user_id'],
  ENDPOINT: [
    'cb_state',
    'events',
    'failure_count',
    'failure_rate',
    'period_failure_rate',
    'retry_count',
    'success_count',
    'teams_webhook_url',
  ],
  SUBSCRIPTION: ['alert_config', 'device_metadata', 'rate_limit_config', 'retry_config', 'source_metadata'],
  SOURCE: ['provider_config'],
  EVENT: ['app_id', 'failure_reason', 'url_path'],
  EVENT_DELIVERY: [
    'cli_metadata',
    'delivery_mode',
    'device_id',
    'device_metadata',
    'latency',
    'latency_seconds',
    'source_metadata',
  ],
  DELIVERY_ATTEMPT: ['requested_at', 'responded_at'],
  META_EVENT: [],
  PAGINATION: ['total'],
  COUNT: [],
  EVENT_TYPE: [],
  FILTER: [],
  PORTAL_LINK: [],
  PERIOD_FAILURE_RATE: [],
};

const SCHEMAS: Record<string, Schema> = {
  PROJECT: convoy.PROJECT,
  API_KEY: convoy.API_KEY,
  ENDPOINT: convoy.ENDPOINT,
  SUBSCRIPTION: convoy.SUBSCRIPTION,
  SOURCE: convoy.SOURCE,
  EVENT: convoy.EVENT,
  EVENT_DELIVERY: convoy.EVENT_DELIVERY,
  DELIVERY_ATTEMPT: convoy.DELIVERY_ATTEMPT,
  META_EVENT: convoy.META_EVENT,
  PAGINATION: convoy.PAGINATION,
  COUNT: convoy.COUNT,
  EVENT_TYPE: convoy.EVENT_TYPE,
  FILTER: convoy.FILTER,
  PORTAL_LINK: convoy.PORTAL_LINK,
  PERIOD_FAILURE_RATE: convoy.PERIOD_FAILURE_RATE,
};

/** What `data` must be: one object of a schema, a page of them, an array of them, or Convoy's untyped stub. */
type Expected =
  { one: string } | { page: string } | { array: string } | { type: JsonType | 'null' } | { fields: Schema } | 'stub';

interface Context {
  projectId: string;
  key: string;
  [name: string]: string;
}

interface Operation {
  route: string;
  /** Path parameters and the request; `query` is appended to the path. */
  request(ctx: Context): {
    path: string;
    query?: string;
    body?: unknown;
    admin?: boolean;
    raw?: boolean;
    /** Sent with the portal link's token instead of the project's key. */
    portal?: boolean;
  };
  status: number;
  data: Expected;
  /** Remembers ids for later operations. */
  keep?(ctx: Context, data: any): void;
}

const UNKNOWN = { made_up_field: 'x', another_unknown: { nested: 1 } };

/** The request models of Convoy's SDKs, every optional field present, "" where unset. */
const ENDPOINT_BODY = (url: string, owner = '') => ({
  url,
  name: `endpoint ${url}`,
  secret: '',
  owner_id: owner,
  description: '',
  advanced_signatures: true,
  http_timeout: 0,
  rate_limit: 0,
  rate_limit_duration: 0,
  support_email: '',
  slack_webhook_url: '',
  teams_webhook_url: '',
  content_type: '',
  is_disabled: false,
  appID: '',
  authentication: { type: '', api_key: { header_name: '', header_value: '' } },
  ...UNKNOWN,
});

const EVENT_FIELDS = { custom_headers: { 'X-Tenant': 'acme' }, idempotency_key: '', app_id: '', ...UNKNOWN };

const LIST_QUERY = 'perPage=20&direction=next&next_page_cursor=&prev_page_cursor=&sort=DESC&unknown_param=1';

const PROJECT_BODY = {
  name: 'contract',
  type: 'outgoing',
  logo_url: '',
  config: {
    strategy: { type: 'linear', duration: 10, retry_count: 3 },
    signature: {
      header: 'X-Convoy-Signature',
      versions: [{ uid: '', hash: 'SHA256', encoding: 'hex', created_at: '' }],
    },
    ratelimit: { count: 0, duration: 0 },
    ssl: { enforce_secure_endpoints: false },
    disable_endpoint: false,
    max_payload_read_size: 0,
    meta_event: { is_enabled: false, type: 'http', url: '', secret: '', event_type: [] },
    search_policy: '',
    multiple_endpoint_subscriptions: false,
    add_event_id_trace_headers: false,
    replay_attacks_prevention_enabled: false,
    request_id_header: '',
    circuit_breaker: { sample_rate: 0 },
    ...UNKNOWN,
  },
  ...UNKNOWN,
};

const P = '/api/v1/projects/{projectID}';

/** Convoy's models.OnboardItem, every field present. */
const ONBOARD_ITEM = { name: 'onboarded', event_type: '', auth_username: '', auth_password: '', ...UNKNOWN };

/** Every operation Caravan serves, in an order where each finds what it needs. */
const OPERATIONS: Operation[] = [
  {
    route: 'POST /api/v1/projects',
    request: () => ({ path: '/api/v1/projects', body: PROJECT_BODY, admin: true }),
    status: 201,
    data: { fields: { project: 'object', api_key: 'object' } },
    keep: (ctx, data) => {
      ctx.projectId = data.project.uid;
      ctx.projectID = data.project.uid;
      ctx.key = data.api_key.key;
    },
  },
  {
    route: 'GET /api/v1/projects',
    request: () => ({ path: '/api/v1/projects' }),
    status: 200,
    data: { array: 'PROJECT' },
  },
  { route: `GET ${P}`, request: () => ({ path: P }), status: 200, data: { one: 'PROJECT' } },
  {
    route: `PUT ${P}`,
    request: () => ({ path: P, body: { ...PROJECT_BODY, name: 'contract renamed' } }),
    status: 202,
    data: { one: 'PROJECT' },
  },
  {
    route: `POST ${P}/keys`,
    request: () => ({ path: `${P}/keys`, body: { name: 'second', expiration: 0, ...UNKNOWN } }),
    status: 201,
    data: { one: 'API_KEY' },
    keep: (ctx, data) => (ctx.keyID = data.uid),
  },
  { route: `GET ${P}/keys`, request: () => ({ path: `${P}/keys` }), status: 200, data: { array: 'API_KEY' } },
  {
    route: `POST ${P}/endpoints`,
    request: () => ({ path: `${P}/endpoints`, body: ENDPOINT_BODY('https://example.com/contract', 'owner-1') }),
    status: 201,
    data: { one: 'ENDPOINT' },
    keep: (ctx, data) => (ctx.endpointID = data.uid),
  },
  {
    route: `GET ${P}/endpoints`,
    request: () => ({ path: `${P}/endpoints`, query: `${LIST_QUERY}&q=&ownerId=` }),
    status: 200,
    data: { page: 'ENDPOINT' },
  },
  {
    route: `GET ${P}/endpoints/{endpointID}`,
    request: () => ({ path: `${P}/endpoints/{endpointID}` }),
    status: 200,
    data: { one: 'ENDPOINT' },
  },
  {
    route: `PUT ${P}/endpoints/{endpointID}`,
    request: () => ({
      path: `${P}/endpoints/{endpointID}`,
      body: ENDPOINT_BODY('https://example.com/contract', 'owner-1'),
    }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: `PUT ${P}/endpoints/{endpointID}/expire_secret`,
    request: () => ({
      path: `${P}/endpoints/{endpointID}/expire_secret`,
      body: { secret: '', expiration: 0, ...UNKNOWN },
    }),
    status: 200,
    data: { one: 'ENDPOINT' },
  },
  {
    route: `PUT ${P}/endpoints/{endpointID}/pause`,
    request: () => ({ path: `${P}/endpoints/{endpointID}/pause` }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: `POST ${P}/endpoints/{endpointID}/activate`,
    request: () => ({ path: `${P}/endpoints/{endpointID}/activate` }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: `POST ${P}/endpoints/oauth2/test`,
    request: () => {
      // A real token server of this test's own, bound synchronously (no host: all interfaces,
      // reached on 127.0.0.1, which this file's api allows) and unref'd: it lives with the process.
      const server = createServer((request, response) => {
        request.resume().on('end', () => {
          response.setHeader('Content-Type', 'application/json');
          response.end(JSON.stringify({ access_token: 'contract-token', token_type: 'Bearer', expires_in: 600 }));
        });
      });
      server.listen(0).unref();
      const { port } = server.address() as AddressInfo;
      return {
        path: `${P}/endpoints/oauth2/test`,
        body: {
          oauth2: {
            url: `http://127.0.0.1:${port}/token`,
            client_id: 'contract',
            client_secret: 'contract-secret',
            grant_type: 'client_credentials',
            authentication_type: 'shared_secret',
            scope: '',
            audience: '',
            expiry_time_unit: '',
            field_mapping: { access_token: '', token_type: '', expires_in: '' },
            issuer: '',
            subject: '',
            signing_algorithm: '',
            signing_key: null,
            ...UNKNOWN,
          },
          ...UNKNOWN,
        },
      };
    },
    status: 200,
    data: {
      fields: {
        success: 'boolean',
        access_token: 'string',
        token_type: 'string',
        expires_at: 'string',
        message: 'string',
      },
    },
  },
  {
    route: `POST ${P}/sources`,
    request: () => ({
      path: `${P}/sources`,
      body: {
        name: 'contract source',
        type: 'http',
        provider: '',
        verifier: {
          type: 'noop',
          hmac: { header: '', hash: '', secret: '', encoding: '' },
          basic_auth: { username: '', password: '' },
          api_key: { header_name: '', header_value: '' },
        },
        custom_response: { body: '', content_type: '' },
        idempotency_keys: [],
        event_type_location: '',
        body_function: '',
        header_function: '',
        pub_sub: null,
        ...UNKNOWN,
      },
    }),
    status: 201,
    data: { one: 'SOURCE' },
    keep: (ctx, data) => {
      ctx.sourceID = data.uid;
      ctx.maskId = data.mask_id;
    },
  },
  {
    route: `GET ${P}/sources`,
    request: () => ({ path: `${P}/sources`, query: `${LIST_QUERY}&type=&provider=` }),
    status: 200,
    data: { page: 'SOURCE' },
  },
  {
    route: `GET ${P}/sources/{sourceID}`,
    request: () => ({ path: `${P}/sources/{sourceID}` }),
    status: 200,
    data: { one: 'SOURCE' },
  },
  {
    route: `PUT ${P}/sources/{sourceID}`,
    request: () => ({
      path: `${P}/sources/{sourceID}`,
      body: { name: 'renamed source', type: '', provider: '', custom_response: null, body_function: '', ...UNKNOWN },
    }),
    status: 202,
    data: { one: 'SOURCE' },
  },
  {
    route: `POST ${P}/subscriptions`,
    request: () => ({
      path: `${P}/subscriptions`,
      body: {
        name: 'contract subscription',
        endpoint_id: '{endpointID}',
        source_id: '',
        app_id: '',
        function: '',
        delivery_mode: '',
        filter_config: {
          event_types: ['*'],
          filter: { headers: {}, body: {}, is_flattened: false, raw_headers: {}, raw_body: {} },
        },
        alert_config: { count: 0, threshold: '' },
        rate_limit_config: { count: 0, duration: 0 },
        ...UNKNOWN,
      },
    }),
    status: 201,
    data: { one: 'SUBSCRIPTION' },
    keep: (ctx, data) => (ctx.subscriptionID = data.uid),
  },
  {
    route: `POST ${P}/subscriptions/test_filter`,
    request: () => ({
      path: `${P}/subscriptions/test_filter`,
      body: { request: { body: { a: 1 }, header: {} }, schema: { body: { a: 1 }, header: {} }, ...UNKNOWN },
    }),
    status: 200,
    data: { type: 'boolean' },
  },
  {
    route: `GET ${P}/subscriptions`,
    request: () => ({ path: `${P}/subscriptions`, query: `${LIST_QUERY}&endpointId=&name=` }),
    status: 200,
    data: { page: 'SUBSCRIPTION' },
  },
  {
    route: `GET ${P}/subscriptions/{subscriptionID}`,
    request: () => ({ path: `${P}/subscriptions/{subscriptionID}` }),
    status: 200,
    data: { one: 'SUBSCRIPTION' },
  },
  {
    route: `PUT ${P}/subscriptions/{subscriptionID}`,
    request: () => ({
      path: `${P}/subscriptions/{subscriptionID}`,
      body: { name: 'renamed', endpoint_id: '', source_id: '', filter_config: { event_types: ['*'] }, ...UNKNOWN },
    }),
    status: 202,
    data: { one: 'SUBSCRIPTION' },
  },
  {
    route: `POST ${P}/events`,
    request: () => ({
      path: `${P}/events`,
      body: { endpoint_id: '{endpointID}', event_type: 'invoice.paid', data: { amount: 1 }, ...EVENT_FIELDS },
    }),
    status: 201,
    data: 'stub',
    keep: (ctx, data) => (ctx.eventID = data.uid),
  },
  {
    route: `POST ${P}/events/fanout`,
    request: () => ({
      path: `${P}/events/fanout`,
      body: { owner_id: 'owner-1', event_type: 'invoice.paid', data: {}, ...EVENT_FIELDS },
    }),
    status: 201,
    data: 'stub',
  },
  {
    route: `POST ${P}/events/broadcast`,
    request: () => ({
      path: `${P}/events/broadcast`,
      body: { event_type: 'invoice.paid', data: {}, acknowledged_at: '', ...EVENT_FIELDS },
    }),
    status: 201,
    data: { one: 'EVENT' },
  },
  {
    route: `POST ${P}/events/dynamic`,
    request: () => ({
      path: `${P}/events/dynamic`,
      body: {
        url: 'https://example.com/dynamic',
        secret: '',
        event_types: [],
        event_type: 'invoice.paid',
        data: {},
        ...EVENT_FIELDS,
      },
    }),
    status: 201,
    data: 'stub',
  },
  {
    route: `GET ${P}/events`,
    request: () => ({
      path: `${P}/events`,
      query: `${LIST_QUERY}&endpointId=&sourceId=&idempotencyKey=&query=&startDate=&endDate=&body=`,
    }),
    status: 200,
    data: { page: 'EVENT' },
  },
  {
    route: `GET ${P}/events/countbatchreplayevents`,
    request: () => ({ path: `${P}/events/countbatchreplayevents`, query: `${LIST_QUERY}&endpointId=&sourceId=` }),
    status: 200,
    data: { one: 'COUNT' },
  },
  {
    route: `GET ${P}/events/{eventID}`,
    request: () => ({ path: `${P}/events/{eventID}` }),
    status: 200,
    data: { one: 'EVENT' },
  },
  {
    route: `PUT ${P}/events/{eventID}/replay`,
    request: () => ({ path: `${P}/events/{eventID}/replay` }),
    status: 200,
    data: { one: 'EVENT' },
  },
  {
    route: `POST ${P}/events/batchreplay`,
    request: () => ({
      path: `${P}/events/batchreplay`,
      query: `${LIST_QUERY}&endpointId=&sourceId=&startDate=&endDate=`,
    }),
    status: 200,
    // Convoy's document types this `data` as a string and sends the counts in `message`;
    // Caravan sends the same message and the counts as an object, which no client reads as a string.
    data: { fields: { num_success: 'integer', num_failure: 'integer' } },
  },
  {
    route: `PUT ${P}/endpoints/{endpointID}/toggle_status`,
    request: () => ({ path: `${P}/endpoints/{endpointID}/toggle_status` }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: `GET ${P}/endpoints/period-failure-rates`,
    request: () => ({
      path: `${P}/endpoints/period-failure-rates`,
      query: 'endpointId={preparedEndpointID}&startDate=&endDate=&unknown_param=1',
    }),
    status: 200,
    data: { array: 'PERIOD_FAILURE_RATE' },
  },
  {
    // Caravan's own route (Convoy has no delivery statistics endpoint): Caravan's envelope and fields.
    route: `GET ${P}/statistics/deliveries`,
    request: () => ({ path: `${P}/statistics/deliveries`, query: 'period=hour&startDate=&endDate=&unknown_param=1' }),
    status: 200,
    data: {
      fields: { period: 'string', start_date: 'string', end_date: 'string', totals: 'object', buckets: 'array' },
    },
  },
  {
    route: `POST ${P}/event-types`,
    request: () => ({
      path: `${P}/event-types`,
      body: {
        name: 'invoice.paid',
        description: '',
        category: '',
        json_schema: { type: 'object', properties: { amount: { type: 'number' } } },
        ...UNKNOWN,
      },
    }),
    status: 201,
    data: { one: 'EVENT_TYPE' },
    keep: (ctx, data) => (ctx.eventTypeId = data.uid),
  },
  {
    route: `POST ${P}/event-types/import`,
    request: () => ({
      path: `${P}/event-types/import`,
      body: {
        spec: JSON.stringify({
          openapi: '3.1.0',
          info: { title: 'contract', version: '1' },
          webhooks: { 'invoice.voided': { post: { summary: 'An invoice was voided', requestBody: { content: {} } } } },
        }),
        ...UNKNOWN,
      },
    }),
    status: 200,
    data: { array: 'EVENT_TYPE' },
  },
  {
    route: `GET ${P}/event-types`,
    request: () => ({ path: `${P}/event-types` }),
    status: 200,
    data: { array: 'EVENT_TYPE' },
  },
  {
    route: `PUT ${P}/event-types/{eventTypeId}`,
    request: () => ({
      path: `${P}/event-types/{eventTypeId}`,
      body: { description: 'paid', category: '', json_schema: { type: 'object' }, ...UNKNOWN },
    }),
    status: 201,
    data: { one: 'EVENT_TYPE' },
  },
  {
    route: `POST ${P}/event-types/{eventTypeId}/deprecate`,
    request: () => ({ path: `${P}/event-types/{eventTypeId}/deprecate` }),
    status: 201,
    data: { one: 'EVENT_TYPE' },
  },
  {
    route: `POST ${P}/subscriptions/{subscriptionID}/filters`,
    request: () => ({
      path: `${P}/subscriptions/{subscriptionID}/filters`,
      body: { event_type: 'invoice.paid', body: { amount: 1 }, headers: {}, path: {}, query: {}, ...UNKNOWN },
    }),
    status: 201,
    data: { one: 'FILTER' },
    keep: (ctx, data) => (ctx.filterID = data.uid),
  },
  {
    route: `POST ${P}/subscriptions/{subscriptionID}/filters/bulk`,
    request: () => ({
      path: `${P}/subscriptions/{subscriptionID}/filters/bulk`,
      body: [{ event_type: 'invoice.voided', body: {}, headers: {}, path: {}, query: {}, ...UNKNOWN }],
    }),
    status: 201,
    data: { array: 'FILTER' },
    keep: (ctx, data) => (ctx.bulkFilterID = data[0]?.uid),
  },
  {
    route: `GET ${P}/subscriptions/{subscriptionID}/filters`,
    request: () => ({ path: `${P}/subscriptions/{subscriptionID}/filters` }),
    status: 200,
    data: { array: 'FILTER' },
  },
  {
    route: `GET ${P}/subscriptions/{subscriptionID}/filters/{filterID}`,
    request: () => ({ path: `${P}/subscriptions/{subscriptionID}/filters/{filterID}` }),
    status: 200,
    data: { one: 'FILTER' },
  },
  {
    route: `PUT ${P}/subscriptions/{subscriptionID}/filters/{filterID}`,
    request: () => ({
      path: `${P}/subscriptions/{subscriptionID}/filters/{filterID}`,
      body: { event_type: '', body: { amount: 2 }, headers: {}, path: {}, query: {}, is_flattened: false, ...UNKNOWN },
    }),
    status: 200,
    data: { one: 'FILTER' },
  },
  {
    route: `PUT ${P}/subscriptions/{subscriptionID}/filters/bulk_update`,
    request: () => ({
      path: `${P}/subscriptions/{subscriptionID}/filters/bulk_update`,
      body: [{ uid: '{bulkFilterID}', event_type: '', body: { voided: true }, headers: {}, path: {}, query: {} }],
    }),
    status: 200,
    data: { array: 'FILTER' },
  },
  {
    route: `POST ${P}/subscriptions/{subscriptionID}/filters/test/{eventType}`,
    request: () => ({
      path: `${P}/subscriptions/{subscriptionID}/filters/test/invoice.paid`,
      body: { payload: { amount: 2 }, request: { body: { amount: 2 }, headers: {}, path: {}, query: {} }, ...UNKNOWN },
    }),
    status: 200,
    data: { fields: convoy.TEST_FILTER },
  },
  {
    route: `DELETE ${P}/subscriptions/{subscriptionID}/filters/{filterID}`,
    request: () => ({ path: `${P}/subscriptions/{subscriptionID}/filters/{filterID}` }),
    status: 200,
    data: { type: 'null' },
  },
  {
    route: `POST ${P}/sources/test_function`,
    request: () => ({
      path: `${P}/sources/test_function`,
      body: { function: 'function transform(payload) { return payload; }', payload: { a: 1 }, type: '', ...UNKNOWN },
    }),
    status: 200,
    data: { fields: convoy.FUNCTION },
  },
  {
    route: `POST ${P}/subscriptions/test_function`,
    request: () => ({
      path: `${P}/subscriptions/test_function`,
      body: { function: 'function transform(payload) { return payload; }', payload: { a: 1 }, type: '', ...UNKNOWN },
    }),
    status: 200,
    data: { fields: convoy.FUNCTION },
  },
  {
    route: `POST ${P}/onboard`,
    request: () => ({
      path: `${P}/onboard`,
      query: 'dry_run=true',
      body: { items: [{ ...ONBOARD_ITEM, url: 'https://example.com/onboard-dry' }], ...UNKNOWN },
    }),
    status: 200,
    data: { fields: convoy.ONBOARD_DRY_RUN },
  },
  {
    route: `POST ${P}/onboard`,
    request: () => ({
      path: `${P}/onboard`,
      query: 'dry_run=',
      body: { items: [{ ...ONBOARD_ITEM, url: 'https://example.com/onboard' }], ...UNKNOWN },
    }),
    status: 202,
    data: { fields: convoy.ONBOARD_ACCEPTED },
  },
  {
    route: `POST ${P}/portal-links`,
    request: () => ({
      path: `${P}/portal-links`,
      body: {
        name: 'contract portal',
        owner_id: '',
        endpoints: ['{preparedEndpointID}'],
        can_manage_endpoint: true,
        auth_type: 'static_token',
        ...UNKNOWN,
      },
    }),
    status: 201,
    data: { one: 'PORTAL_LINK' },
    keep: (ctx, data) => {
      ctx.portalLinkID = data.uid;
      ctx.portalToken = data.token;
    },
  },
  {
    route: `GET ${P}/portal-links`,
    request: () => ({ path: `${P}/portal-links`, query: `${LIST_QUERY}&ownerId=&q=` }),
    status: 200,
    data: { page: 'PORTAL_LINK' },
  },
  {
    route: `GET ${P}/portal-links/{portalLinkID}`,
    request: () => ({ path: `${P}/portal-links/{portalLinkID}` }),
    status: 200,
    data: { one: 'PORTAL_LINK' },
  },
  {
    route: `PUT ${P}/portal-links/{portalLinkID}`,
    request: () => ({
      path: `${P}/portal-links/{portalLinkID}`,
      body: {
        name: 'contract portal renamed',
        owner_id: '',
        endpoints: ['{preparedEndpointID}'],
        can_manage_endpoint: true,
        auth_type: 'static_token',
        ...UNKNOWN,
      },
    }),
    status: 202,
    data: { one: 'PORTAL_LINK' },
  },
  // The portal's routes are Caravan's own (Convoy's portal API is internal to its dashboard):
  // Caravan's envelope, its endpoint and delivery shapes (Convoy's schemas), and its link summary.
  {
    route: 'GET /api/v1/portal',
    request: () => ({ path: '/api/v1/portal', portal: true }),
    status: 200,
    data: { fields: { uid: 'string', name: 'string', owner_id: 'string', can_manage_endpoint: 'boolean' } },
  },
  {
    route: 'POST /api/v1/portal/endpoints',
    request: () => ({
      path: '/api/v1/portal/endpoints',
      body: { url: 'https://example.com/portal', name: 'portal endpoint', secret: '', description: '', ...UNKNOWN },
      portal: true,
    }),
    status: 201,
    data: { one: 'ENDPOINT' },
    keep: (ctx, data) => (ctx.portalEndpointID = data.uid),
  },
  {
    route: 'GET /api/v1/portal/endpoints',
    request: () => ({ path: '/api/v1/portal/endpoints', query: LIST_QUERY, portal: true }),
    status: 200,
    data: { page: 'ENDPOINT' },
  },
  {
    route: 'GET /api/v1/portal/endpoints/{endpointID}',
    request: () => ({ path: '/api/v1/portal/endpoints/{portalEndpointID}', portal: true }),
    status: 200,
    data: { one: 'ENDPOINT' },
  },
  {
    route: 'PUT /api/v1/portal/endpoints/{endpointID}',
    request: () => ({
      path: '/api/v1/portal/endpoints/{portalEndpointID}',
      body: { url: 'https://example.com/portal', name: 'portal renamed', description: '', ...UNKNOWN },
      portal: true,
    }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: 'PUT /api/v1/portal/endpoints/{endpointID}/expire_secret',
    request: () => ({
      path: '/api/v1/portal/endpoints/{portalEndpointID}/expire_secret',
      body: { secret: '', expiration: 0, ...UNKNOWN },
      portal: true,
    }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: 'PUT /api/v1/portal/endpoints/{endpointID}/pause',
    request: () => ({ path: '/api/v1/portal/endpoints/{portalEndpointID}/pause', portal: true }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: 'POST /api/v1/portal/endpoints/{endpointID}/activate',
    request: () => ({ path: '/api/v1/portal/endpoints/{portalEndpointID}/activate', portal: true }),
    status: 202,
    data: { one: 'ENDPOINT' },
  },
  {
    route: 'GET /api/v1/portal/events',
    request: () => ({
      path: '/api/v1/portal/events',
      query: `${LIST_QUERY}&endpointId=&idempotencyKey=&query=&startDate=&endDate=`,
      portal: true,
    }),
    status: 200,
    data: { page: 'EVENT' },
    keep: (ctx, data) => (ctx.portalEventID = data.content[0].uid),
  },
  {
    route: 'GET /api/v1/portal/events/{eventID}',
    request: () => ({ path: '/api/v1/portal/events/{portalEventID}', portal: true }),
    status: 200,
    data: { one: 'EVENT' },
  },
  {
    route: 'GET /api/v1/portal/eventdeliveries',
    request: () => ({
      path: '/api/v1/portal/eventdeliveries',
      query: `${LIST_QUERY}&endpointId=&eventId=&status=&eventType=`,
      portal: true,
    }),
    status: 200,
    data: { page: 'EVENT_DELIVERY' },
  },
  {
    route: 'GET /api/v1/portal/eventdeliveries/{eventDeliveryID}',
    request: () => ({ path: '/api/v1/portal/eventdeliveries/{eventDeliveryID}', portal: true }),
    status: 200,
    data: { one: 'EVENT_DELIVERY' },
  },
  {
    route: 'GET /api/v1/portal/eventdeliveries/{eventDeliveryID}/deliveryattempts',
    request: () => ({ path: '/api/v1/portal/eventdeliveries/{eventDeliveryID}/deliveryattempts', portal: true }),
    status: 200,
    data: { array: 'DELIVERY_ATTEMPT' },
  },
  {
    route: 'POST /api/v1/portal/eventdeliveries/forceresend',
    request: () => ({
      path: '/api/v1/portal/eventdeliveries/forceresend',
      body: { ids: ['{portalSuccessDeliveryID}'], ...UNKNOWN },
      portal: true,
    }),
    status: 200,
    data: { fields: { num_success: 'integer', num_failure: 'integer' } },
  },
  {
    route: 'PUT /api/v1/portal/eventdeliveries/{eventDeliveryID}/resend',
    request: () => ({ path: '/api/v1/portal/eventdeliveries/{portalFailedDeliveryID}/resend', portal: true }),
    status: 200,
    data: { one: 'EVENT_DELIVERY' },
  },
  {
    route: `GET ${P}/portal-links/{portalLinkID}/refresh_token`,
    request: () => ({ path: `${P}/portal-links/{portalLinkID}/refresh_token` }),
    status: 200,
    data: { type: 'string' },
  },
  {
    route: `PUT ${P}/portal-links/{portalLinkID}/revoke`,
    request: () => ({ path: `${P}/portal-links/{portalLinkID}/revoke` }),
    status: 200,
    data: { type: 'null' },
  },
  {
    route: `GET ${P}/eventdeliveries`,
    request: () => ({
      path: `${P}/eventdeliveries`,
      query: `${LIST_QUERY}&endpointId=&eventId=&event_type=&subscriptionId=&idempotencyKey=&status=&startDate=&endDate=`,
    }),
    status: 200,
    data: { page: 'EVENT_DELIVERY' },
  },
  {
    route: `POST ${P}/eventdeliveries/forceresend`,
    request: () => ({ path: `${P}/eventdeliveries/forceresend`, body: { ids: ['{successDeliveryID}'], ...UNKNOWN } }),
    status: 200,
    data: { fields: { num_success: 'integer', num_failure: 'integer' } },
  },
  {
    route: `PUT ${P}/eventdeliveries/{eventDeliveryID}/resend`,
    request: () => ({ path: `${P}/eventdeliveries/{failedDeliveryID}/resend` }),
    status: 200,
    data: { one: 'EVENT_DELIVERY' },
  },
  {
    route: `POST ${P}/eventdeliveries/batchretry`,
    request: () => ({ path: `${P}/eventdeliveries/batchretry`, query: `${LIST_QUERY}&status=&event_type=` }),
    status: 200,
    data: { fields: { num_success: 'integer', num_failure: 'integer' } },
  },
  {
    route: `GET ${P}/eventdeliveries/{eventDeliveryID}`,
    request: () => ({ path: `${P}/eventdeliveries/{eventDeliveryID}` }),
    status: 200,
    data: { one: 'EVENT_DELIVERY' },
  },
  {
    route: `GET ${P}/eventdeliveries/{eventDeliveryID}/deliveryattempts`,
    request: () => ({ path: `${P}/eventdeliveries/{eventDeliveryID}/deliveryattempts` }),
    status: 200,
    data: { array: 'DELIVERY_ATTEMPT' },
  },
  {
    route: `GET ${P}/eventdeliveries/{eventDeliveryID}/deliveryattempts/{attemptID}`,
    request: () => ({ path: `${P}/eventdeliveries/{eventDeliveryID}/deliveryattempts/{attemptID}` }),
    status: 200,
    data: { one: 'DELIVERY_ATTEMPT' },
  },
  {
    route: `GET ${P}/meta-events`,
    request: () => ({ path: `${P}/meta-events`, query: `${LIST_QUERY}&startDate=&endDate=` }),
    status: 200,
    data: { page: 'META_EVENT' },
  },
  {
    route: `GET ${P}/meta-events/{metaEventID}`,
    request: () => ({ path: `${P}/meta-events/{metaEventID}` }),
    status: 200,
    data: { one: 'META_EVENT' },
  },
  {
    route: `PUT ${P}/meta-events/{metaEventID}/resend`,
    request: () => ({ path: `${P}/meta-events/{metaEventID}/resend` }),
    status: 200,
    data: { one: 'META_EVENT' },
  },
  {
    route: 'POST /ingest/{maskId}',
    request: () => ({ path: '/ingest/{maskId}', body: { any: 'payload' }, raw: true }),
    status: 200,
    data: { fields: { uid: 'string', event_type: 'string' } },
  },
  {
    route: 'GET /ingest/{maskId}',
    request: () => ({ path: '/ingest/{twitterMaskId}', query: 'crc_token=abc', raw: true }),
    status: 200,
    data: { type: 'null' },
  },
  {
    route: `DELETE ${P}/subscriptions/{subscriptionID}`,
    request: () => ({ path: `${P}/subscriptions/{subscriptionID}` }),
    status: 200,
    data: { type: 'null' },
  },
  {
    route: `DELETE ${P}/sources/{sourceID}`,
    request: () => ({ path: `${P}/sources/{sourceID}` }),
    status: 200,
    data: { type: 'null' },
  },
  {
    route: `DELETE ${P}/endpoints/{endpointID}`,
    request: () => ({ path: `${P}/endpoints/{endpointID}` }),
    status: 200,
    data: { type: 'null' },
  },
  {
    route: `DELETE ${P}/keys/{keyID}`,
    request: () => ({ path: `${P}/keys/{keyID}` }),
    status: 200,
    data: { type: 'null' },
  },
  { route: `DELETE ${P}`, request: () => ({ path: P }), status: 200, data: { type: 'null' } },
];

function typeOf(value: unknown): JsonType | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** Problems of `value` against a schema: a missing field, or one of another type. */
function problemsOf(value: unknown, schema: Schema, skip: readonly string[] = [], where = 'data'): string[] {
  if (typeOf(value) !== 'object') return [`${where} is ${typeOf(value)}, not an object`];
  const record = value as Record<string, unknown>;
  return Object.entries(schema)
    .filter(([field]) => !skip.includes(field))
    .flatMap(([field, type]) => {
      if (!(field in record)) return [`${where}.${field} is missing`];
      const actual = typeOf(record[field]);
      // Convoy sends null for its unset objects and timestamps (pointers and null.Time), and
      // for a subscription's unset function (a null.String).
      const nullable = type === 'object' || field.endsWith('_at') || field === 'function';
      const matches = actual === type || (type === 'number' && actual === 'integer') || (nullable && actual === 'null');
      return matches ? [] : [`${where}.${field} is ${actual}, Convoy's type is ${type}`];
    });
}

function check(expected: Expected, data: unknown): string[] {
  if (expected === 'stub') return [];
  if ('type' in expected)
    return typeOf(data) === expected.type ? [] : [`data is ${typeOf(data)}, not ${expected.type}`];
  if ('fields' in expected) return problemsOf(data, expected.fields);
  if ('one' in expected) return problemsOf(data, SCHEMAS[expected.one], NOT_SERVED[expected.one]);
  const name = 'page' in expected ? expected.page : expected.array;
  const page = data as { content?: unknown[]; pagination?: unknown };
  const items = 'page' in expected ? page?.content : data;
  if (!Array.isArray(items) || items.length === 0) return [`no ${name} items to check`];
  return [
    ...('page' in expected
      ? problemsOf(page.pagination, convoy.PAGINATION, NOT_SERVED['PAGINATION'], 'pagination')
      : []),
    ...items.flatMap((item, index) => problemsOf(item, SCHEMAS[name], NOT_SERVED[name], `data[${index}]`)),
  ];
}

describe("Convoy's contract: every served operation takes an SDK-shaped request and answers Convoy's shape", () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;
  let fixtures: EventFixtures;

  beforeAll(async () => {
    // Loopback allowed: the OAuth2 connection test's token server runs in this process.
    api = await startApiHarness({ CARAVAN_SSRF_ALLOW_CIDRS: '127.0.0.0/8' });
    fixtures = new EventFixtures(api.app);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('has a fixture for every route the app serves (a new route needs one)', () => {
    const convoyRoutes = servedRoutes(api.app).filter((route) => /^\w+ \/(api\/v1|ingest)\//.test(route));
    expect([...new Set(OPERATIONS.map((operation) => operation.route))].sort()).toEqual(convoyRoutes);
  });

  /** Deliveries, attempts and meta events come from the dispatcher, which is not running: rows stand in. */
  async function prepare(ctx: Context): Promise<void> {
    const projectId = ctx.projectId;
    const endpoint = await fixtures.endpoint(projectId);
    const event = await api.request('POST', `/api/v1/projects/${projectId}/events`, {
      key: ctx.key,
      body: { endpoint_id: endpoint.id, event_type: 'invoice.paid', data: {} },
    });
    const deliver = (status: DeliveryStatus) => fixtures.delivery(projectId, event.body.data.uid, endpoint.id, status);
    ctx.eventDeliveryID = await deliver(DeliveryStatus.Success);
    ctx.successDeliveryID = await deliver(DeliveryStatus.Success);
    ctx.failedDeliveryID = await deliver(DeliveryStatus.Failure);
    ctx.portalSuccessDeliveryID = await deliver(DeliveryStatus.Success);
    ctx.portalFailedDeliveryID = await deliver(DeliveryStatus.Failure);
    ctx.preparedEndpointID = endpoint.id;
    ctx.attemptID = await fixtures.attempt(projectId, ctx.eventDeliveryID, endpoint.id, 200);
    ctx.metaEventID = (await fixtures.metaEvent(projectId, MetaEventStatus.Failure)).id;
    const twitter = await fixtures.source(
      projectId,
      {
        type: VerifierType.Hmac,
        hmac: { header: 'X-Twitter-Webhooks-Signature', hash: 'SHA256', encoding: 'base64', secret: 's' },
      },
      { provider: SourceProvider.Twitter },
    );
    ctx.twitterMaskId = twitter.maskId;
  }

  it("accepts each request and answers every served field of Convoy's response schema with its type", async () => {
    const ctx = { projectId: '', key: '' } as Context;
    const fill = (text: string) =>
      text.replace(/\{(\w+)\}/g, (_match, name: string) => {
        if (!(name in ctx)) throw new Error(`no ${name} yet`);
        return ctx[name];
      });
    const failures: string[] = [];
    for (const operation of OPERATIONS) {
      const request = operation.request(ctx);
      let path: string;
      let body: unknown;
      try {
        path = fill(request.path) + (request.query ? `?${request.query}` : '');
        body = request.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(request.body)));
      } catch (error) {
        failures.push(`${operation.route}: ${(error as Error).message} (an earlier operation failed)`);
        continue;
      }
      const method = operation.route.split(' ')[0];
      const key = request.admin ? ADMIN_KEY : request.portal ? ctx.portalToken : ctx.key;
      const response = await api.request(method, path, { key, body });
      if (response.status !== operation.status) {
        failures.push(`${operation.route}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        continue;
      }
      const payload = response.body as {
        status?: unknown;
        message?: unknown;
        data?: unknown;
        response_token?: unknown;
      };
      if (request.raw && operation.route.startsWith('GET /ingest')) {
        if (typeof payload.response_token !== 'string') failures.push(`${operation.route}: no response_token`);
      } else {
        if (payload.status !== true || typeof payload.message !== 'string') {
          failures.push(`${operation.route}: not Convoy's envelope`);
        }
        failures.push(...check(operation.data, payload.data).map((problem) => `${operation.route}: ${problem}`));
      }
      operation.keep?.(ctx, payload.data);
      if (operation.route === 'POST /api/v1/projects') await prepare(ctx);
    }
    expect(failures).toEqual([]);
  });
});

/** What Convoy's Go SDK sends for a struct left at its zero values: "" strings, 0 numbers, false, null slices. */
describe('Go clients: every string "" and every number 0 is accepted where Convoy accepts it', () => {
  jest.setTimeout(120_000);
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  const ZERO_CONFIG = {
    strategy: { type: '', duration: 0, retry_count: 0 },
    signature: { header: '', versions: null },
    ratelimit: { count: 0, duration: 0 },
    ssl: { enforce_secure_endpoints: false },
    disable_endpoint: false,
    max_payload_read_size: 0,
    meta_event: { is_enabled: false, type: '', url: '', secret: '', event_type: null },
    search_policy: '',
    multiple_endpoint_subscriptions: false,
  };
  const ZERO_ENDPOINT = {
    secret: '',
    owner_id: '',
    description: '',
    advanced_signatures: false,
    http_timeout: 0,
    rate_limit: 0,
    rate_limit_duration: 0,
    support_email: '',
    slack_webhook_url: '',
    is_disabled: false,
    authentication: { type: '', api_key: { header_name: '', header_value: '' } },
  };
  const ZERO_EVENT = { custom_headers: null, idempotency_key: '' };

  it('accepts zero-valued bodies and queries on every route that takes them, keeping the defaults', async () => {
    const created = await api.request('POST', '/api/v1/projects', {
      body: { name: 'go', type: 'outgoing', logo_url: '', config: ZERO_CONFIG },
    });
    expect(created.status).toBe(201);
    const { uid: projectId } = created.body.data.project;
    const key = created.body.data.api_key.key as string;
    // Zero values left Convoy's defaults in place.
    expect(created.body.data.project.config).toMatchObject({
      strategy: { type: 'linear', duration: expect.any(Number), retry_count: expect.any(Number) },
      signature: { header: 'X-Convoy-Signature', versions: [expect.objectContaining({ hash: 'SHA256' })] },
    });
    const call = (method: string, path: string, body?: unknown) =>
      api.request(method, `/api/v1/projects/${projectId}${path}`, { key, body });
    const accepted = async (method: string, path: string, body?: unknown) => {
      const response = await call(method, path, body);
      expect({ method, path, status: response.status, body: response.status < 300 ? 'ok' : response.body }).toEqual({
        method,
        path,
        status: expect.any(Number),
        body: 'ok',
      });
      return response.body.data;
    };

    await accepted('PUT', '', { name: 'go', logo_url: '', config: ZERO_CONFIG });
    const keyBody = await accepted('POST', '/keys', { name: 'k', expiration: 0 });
    expect(keyBody.expires_at).toBeNull();
    const endpoint = await accepted('POST', '/endpoints', {
      ...ZERO_ENDPOINT,
      url: 'https://example.com/go',
      name: 'go',
    });
    expect(endpoint).toMatchObject({ http_timeout: 30, rate_limit_duration: 60, owner_id: '', authentication: null });
    await accepted('POST', '/endpoints', {
      ...ZERO_ENDPOINT,
      url: 'https://example.com/go-owned',
      name: 'o',
      owner_id: 'o',
    });
    await accepted('PUT', `/endpoints/${endpoint.uid}`, { ...ZERO_ENDPOINT, url: '', name: '' });
    await accepted('PUT', `/endpoints/${endpoint.uid}/expire_secret`, { secret: '', expiration: 0 });
    const source = await accepted('POST', '/sources', {
      name: 'go',
      type: 'http',
      provider: '',
      verifier: {
        type: 'noop',
        hmac: { header: '', hash: '', secret: '', encoding: '' },
        basic_auth: { username: '', password: '' },
        api_key: { header_name: '', header_value: '' },
      },
      custom_response: { body: '', content_type: '' },
      idempotency_keys: null,
      body_function: '',
      header_function: '',
    });
    await accepted('PUT', `/sources/${source.uid}`, { name: '', type: '', provider: '', body_function: '' });
    const subscription = await accepted('POST', '/subscriptions', {
      name: 'go',
      endpoint_id: endpoint.uid,
      source_id: '',
      filter_config: { event_types: null, filter: { headers: null, body: null } },
    });
    await accepted('PUT', `/subscriptions/${subscription.uid}`, { name: '', endpoint_id: '', source_id: '' });
    await accepted('POST', '/events', { ...ZERO_EVENT, endpoint_id: endpoint.uid, event_type: 't', data: {} });
    await accepted('POST', '/events/fanout', { ...ZERO_EVENT, owner_id: 'o', event_type: 't', data: {} });
    await accepted('POST', '/events/broadcast', { ...ZERO_EVENT, acknowledged_at: '', event_type: 't', data: {} });
    await accepted('POST', '/events/dynamic', {
      ...ZERO_EVENT,
      url: 'https://example.com/go-dynamic',
      secret: '',
      event_types: null,
      event_type: 't',
      data: {},
    });
    const eventType = await accepted('POST', '/event-types', {
      name: 't',
      description: '',
      category: '',
      json_schema: null,
    });
    await accepted('PUT', `/event-types/${eventType.uid}`, { description: '', category: '', json_schema: null });
    const filters = `/subscriptions/${subscription.uid}/filters`;
    const ZERO_FILTER = { body: null, headers: null, path: null, query: null, enabled_at: null };
    const filter = await accepted('POST', filters, { ...ZERO_FILTER, event_type: 't' });
    await accepted('PUT', `${filters}/${filter.uid}`, { ...ZERO_FILTER, event_type: '', is_flattened: false });
    const [bulk] = await accepted('POST', `${filters}/bulk`, [{ ...ZERO_FILTER, event_type: 'u' }]);
    await accepted('PUT', `${filters}/bulk_update`, [{ ...ZERO_FILTER, uid: bulk.uid, event_type: '' }]);
    await accepted('POST', `${filters}/test/t`, {
      payload: null,
      request: { body: null, header: null, headers: null, path: null, query: null },
    });
    const identity = 'function transform(payload) { return payload; }';
    await accepted('POST', '/sources/test_function', { function: identity, payload: null, type: '' });
    await accepted('POST', '/subscriptions/test_function', { function: identity, payload: null, type: '' });
    const ZERO_ONBOARD = { event_type: '', auth_username: '', auth_password: '' };
    await accepted('POST', '/onboard?dry_run=true', {
      items: [{ ...ZERO_ONBOARD, name: 'dry', url: 'https://example.com/go-dry' }],
    });
    await accepted('POST', '/onboard', { items: [{ ...ZERO_ONBOARD, name: 'on', url: 'https://example.com/go-on' }] });
    const ZERO_LINK = { name: '', endpoints: null, can_manage_endpoint: false, auth_type: '' };
    const link = await accepted('POST', '/portal-links', { ...ZERO_LINK, owner_id: 'o' });
    await accepted('PUT', `/portal-links/${link.uid}`, { ...ZERO_LINK, owner_id: '' });
    const zeroPage = 'perPage=0&direction=&next_page_cursor=&prev_page_cursor=&sort=';
    for (const path of [
      `/endpoints?${zeroPage}&q=&ownerId=`,
      `/sources?${zeroPage}&type=&provider=`,
      `/subscriptions?${zeroPage}&endpointId=&name=`,
      `/events?${zeroPage}&endpointId=&sourceId=&idempotencyKey=&query=&startDate=&endDate=`,
      `/events/countbatchreplayevents?endpointId=&sourceId=&startDate=&endDate=`,
      `/eventdeliveries?${zeroPage}&endpointId=&eventId=&event_type=&subscriptionId=&status=&startDate=&endDate=`,
      `/meta-events?${zeroPage}&startDate=&endDate=`,
      `/portal-links?${zeroPage}&ownerId=&q=`,
      `/endpoints/period-failure-rates?startDate=&endDate=`,
      `/statistics/deliveries?startDate=&endDate=`,
    ]) {
      await accepted('GET', path);
    }
    await accepted('POST', `/events/batchreplay?endpointId=&sourceId=&startDate=&endDate=`);
    await accepted('POST', `/eventdeliveries/batchretry?endpointId=&status=&startDate=&endDate=`);
  });
});
