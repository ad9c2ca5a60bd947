import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each step pairs a statement with its exact inverse; `up` runs them in order and `down` runs
 * the inverses in reverse, so the two can never drift apart.
 *
 * Ids are ULIDs generated in code, stored as `text COLLATE "C"`: byte order is ULID time
 * order on any server locale (so `id` is a valid cursor), and `text` (unlike `char(26)`)
 * compares with `text[]` parameters (`id = ANY($1)`) without a cast that would skip indexes.
 * Status columns are `text` with CHECK constraints rather than Postgres enums, which cannot
 * drop or rename a value inside a transaction.
 */
interface Step {
  up: string;
  down: string;
}

const DELIVERY_STATUSES = `'Scheduled','Processing','Success','Retry','Failure','Discarded'`;
const EVENT_STATUSES = `'Pending','Processing','Success','Failure','Retry'`;
const META_EVENT_STATUSES = `'Scheduled','Processing','Success','Retry','Failure'`;

const STEPS: Step[] = [
  // ---------------------------------------------------------------- tables
  {
    up: `CREATE TABLE projects (
      id text COLLATE "C" PRIMARY KEY,
      name text NOT NULL,
      type text NOT NULL CHECK (type IN ('outgoing','incoming')),
      config jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`,
    down: `DROP TABLE projects`,
  },
  {
    up: `CREATE TABLE api_keys (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      mask_id text COLLATE "C" NOT NULL CONSTRAINT api_keys_mask_id_key UNIQUE,
      key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
      role text NOT NULL DEFAULT 'admin',
      key_type text NOT NULL DEFAULT 'project',
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    down: `DROP TABLE api_keys`,
  },
  {
    up: `CREATE TABLE endpoints (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      owner_id text,
      name text NOT NULL,
      url text NOT NULL,
      description text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','pending','paused')),
      secrets jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(secrets) = 'array'),
      advanced_signatures boolean NOT NULL DEFAULT false,
      signature_format text NOT NULL DEFAULT 'convoy' CHECK (signature_format IN ('convoy','standard-webhooks')),
      http_timeout integer NOT NULL DEFAULT 30 CHECK (http_timeout > 0),
      rate_limit integer NOT NULL DEFAULT 0 CHECK (rate_limit >= 0),
      rate_limit_duration integer NOT NULL DEFAULT 60 CHECK (rate_limit_duration > 0),
      authentication jsonb,
      support_email text NOT NULL DEFAULT '',
      slack_webhook_url text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`,
    down: `DROP TABLE endpoints`,
  },
  {
    up: `CREATE TABLE sources (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      type text NOT NULL CHECK (type IN ('http','rest_api','pub_sub','db_change_stream')),
      provider text CHECK (provider IN ('github','twitter','shopify')),
      mask_id text COLLATE "C" NOT NULL CONSTRAINT sources_mask_id_key UNIQUE,
      verifier jsonb NOT NULL DEFAULT '{"type":"noop"}',
      custom_response jsonb,
      idempotency_keys text[] NOT NULL DEFAULT '{}',
      forward_headers text[] NOT NULL DEFAULT '{}',
      pub_sub jsonb,
      body_function text,
      header_function text,
      is_disabled boolean NOT NULL DEFAULT false,
      provider_config jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`,
    down: `DROP TABLE sources`,
  },
  {
    up: `CREATE TABLE subscriptions (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      type text NOT NULL DEFAULT 'api',
      endpoint_id text COLLATE "C" NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
      source_id text COLLATE "C" REFERENCES sources (id) ON DELETE SET NULL,
      event_types text[] NOT NULL DEFAULT '{*}',
      filter_body jsonb NOT NULL DEFAULT '{}',
      filter_headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`,
    down: `DROP TABLE subscriptions`,
  },
  {
    up: `CREATE TABLE events (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      event_type text NOT NULL,
      source_id text COLLATE "C" REFERENCES sources (id) ON DELETE SET NULL,
      routing text NOT NULL CHECK (routing IN ('direct','fanout','broadcast','dynamic','source')),
      endpoint_ids text[] NOT NULL DEFAULT '{}',
      owner_id text,
      raw bytea NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      url_query_params text NOT NULL DEFAULT '',
      idempotency_key text,
      is_duplicate_event boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'Pending' CHECK (status IN (${EVENT_STATUSES})),
      generation integer NOT NULL DEFAULT 0 CHECK (generation >= 0),
      acknowledged_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    )`,
    down: `DROP TABLE events`,
  },
  {
    // project_id has no FK of its own: the event FK already ties the row to its project,
    // and every FK is one more index probe per inserted row on the hottest table.
    // subscription_id has no FK so delivery history survives a subscription's purge.
    up: `CREATE TABLE event_deliveries (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL,
      event_id text COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      endpoint_id text COLLATE "C" NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
      subscription_id text COLLATE "C" NOT NULL,
      source_id text COLLATE "C",
      event_type text NOT NULL,
      idempotency_key text,
      generation integer NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'Scheduled' CHECK (status IN (${DELIVERY_STATUSES})),
      description text NOT NULL DEFAULT '',
      headers jsonb NOT NULL DEFAULT '{}',
      url_query_params text NOT NULL DEFAULT '',
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      retry_limit integer NOT NULL CHECK (retry_limit >= 1),
      strategy text NOT NULL CHECK (strategy IN ('linear','exponential')),
      interval_seconds integer NOT NULL CHECK (interval_seconds >= 0),
      next_send_time timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      latency_ms integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      -- re-routing the same event (a redelivered doorbell) must not create a second set;
      -- its leading event_id column also serves "deliveries of this event".
      CONSTRAINT event_deliveries_event_subscription_generation_key
        UNIQUE (event_id, subscription_id, generation)
    )`,
    down: `DROP TABLE event_deliveries`,
  },
  {
    up: `CREATE TABLE delivery_attempts (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL,
      event_delivery_id text COLLATE "C" NOT NULL REFERENCES event_deliveries (id) ON DELETE CASCADE,
      endpoint_id text COLLATE "C" NOT NULL,
      url text NOT NULL,
      method text NOT NULL DEFAULT 'POST',
      ip_address text NOT NULL DEFAULT '',
      request_http_header jsonb NOT NULL DEFAULT '{}',
      response_http_header jsonb NOT NULL DEFAULT '{}',
      http_status integer,
      response_data text NOT NULL DEFAULT '',
      error text,
      success boolean NOT NULL,
      latency_ms integer NOT NULL CHECK (latency_ms >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    down: `DROP TABLE delivery_attempts`,
  },
  {
    up: `CREATE TABLE meta_events (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      event_type text NOT NULL,
      payload bytea NOT NULL,
      status text NOT NULL DEFAULT 'Scheduled' CHECK (status IN (${META_EVENT_STATUSES})),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      retry_limit integer NOT NULL CHECK (retry_limit >= 1),
      next_send_time timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      last_response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    down: `DROP TABLE meta_events`,
  },

  // --------------------------------------------------------------- indexes
  // Keys of a project (listing, and the cascade when a project is purged).
  {
    up: `CREATE INDEX api_keys_project_id_idx ON api_keys (project_id)`,
    down: `DROP INDEX api_keys_project_id_idx`,
  },
  // Scheduler/sender: due rows, oldest first. The predicate already pins the status, so
  // next_send_time alone gives an ordered scan (a leading status column would not).
  {
    up: `CREATE INDEX event_deliveries_due_idx ON event_deliveries (next_send_time)
      WHERE status IN ('Scheduled','Retry')`,
    down: `DROP INDEX event_deliveries_due_idx`,
  },
  // Scheduler: Processing rows whose sender died (lease expired).
  {
    up: `CREATE INDEX event_deliveries_expired_lease_idx ON event_deliveries (lease_until)
      WHERE status = 'Processing'`,
    down: `DROP INDEX event_deliveries_expired_lease_idx`,
  },
  // Delivery list pages (id is the cursor; ULIDs sort by time).
  {
    up: `CREATE INDEX event_deliveries_project_id_id_idx ON event_deliveries (project_id, id)`,
    down: `DROP INDEX event_deliveries_project_id_id_idx`,
  },
  // Delivery list filtered by endpoint (endpointId[] filter, endpoint stats).
  {
    up: `CREATE INDEX event_deliveries_project_endpoint_id_idx
      ON event_deliveries (project_id, endpoint_id, id)`,
    down: `DROP INDEX event_deliveries_project_endpoint_id_idx`,
  },
  // Delivery list filtered by status (status[] filter, batch retry of failures).
  {
    up: `CREATE INDEX event_deliveries_project_status_id_idx
      ON event_deliveries (project_id, status, id)`,
    down: `DROP INDEX event_deliveries_project_status_id_idx`,
  },
  // Attempts of a delivery, in order.
  {
    up: `CREATE INDEX delivery_attempts_delivery_id_idx ON delivery_attempts (event_delivery_id, id)`,
    down: `DROP INDEX delivery_attempts_delivery_id_idx`,
  },
  // Event list pages.
  {
    up: `CREATE INDEX events_project_id_id_idx ON events (project_id, id)`,
    down: `DROP INDEX events_project_id_id_idx`,
  },
  // Event list with startDate/endDate filters.
  {
    up: `CREATE INDEX events_project_created_at_idx ON events (project_id, created_at)`,
    down: `DROP INDEX events_project_created_at_idx`,
  },
  // Idempotency: at most one original per key and project; duplicates are stored beside it.
  {
    up: `CREATE UNIQUE INDEX events_project_idempotency_key_idx ON events (project_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL AND NOT is_duplicate_event`,
    down: `DROP INDEX events_project_idempotency_key_idx`,
  },
  // Scheduler: accepted events whose doorbell was lost (never routed).
  {
    up: `CREATE INDEX events_pending_idx ON events (created_at) WHERE status = 'Pending'`,
    down: `DROP INDEX events_pending_idx`,
  },
  // Endpoint list pages.
  {
    up: `CREATE INDEX endpoints_project_id_id_idx ON endpoints (project_id, id)`,
    down: `DROP INDEX endpoints_project_id_id_idx`,
  },
  // Fan-out by owner_id.
  {
    up: `CREATE INDEX endpoints_project_owner_idx ON endpoints (project_id, owner_id)
      WHERE deleted_at IS NULL`,
    down: `DROP INDEX endpoints_project_owner_idx`,
  },
  // Router: subscriptions matching an event type (event_types && ARRAY[$type,'*']).
  {
    up: `CREATE INDEX subscriptions_event_types_idx ON subscriptions USING gin (event_types)`,
    down: `DROP INDEX subscriptions_event_types_idx`,
  },
  // Subscriptions of an endpoint (direct routing, catch-all check on POST /events).
  {
    up: `CREATE INDEX subscriptions_project_endpoint_idx ON subscriptions (project_id, endpoint_id)`,
    down: `DROP INDEX subscriptions_project_endpoint_idx`,
  },
  // Subscription list pages.
  {
    up: `CREATE INDEX subscriptions_project_id_id_idx ON subscriptions (project_id, id)`,
    down: `DROP INDEX subscriptions_project_id_id_idx`,
  },
  // Source list pages.
  {
    up: `CREATE INDEX sources_project_id_id_idx ON sources (project_id, id)`,
    down: `DROP INDEX sources_project_id_id_idx`,
  },
  // Meta-event sender: due rows, oldest first.
  {
    up: `CREATE INDEX meta_events_due_idx ON meta_events (next_send_time)
      WHERE status IN ('Scheduled','Retry')`,
    down: `DROP INDEX meta_events_due_idx`,
  },
  // Meta-event scheduler: expired leases.
  {
    up: `CREATE INDEX meta_events_expired_lease_idx ON meta_events (lease_until)
      WHERE status = 'Processing'`,
    down: `DROP INDEX meta_events_expired_lease_idx`,
  },
  // Meta-event list pages.
  {
    up: `CREATE INDEX meta_events_project_id_id_idx ON meta_events (project_id, id)`,
    down: `DROP INDEX meta_events_project_id_id_idx`,
  },
];

export class InitialSchema1732300000000 implements MigrationInterface {
  name = 'InitialSchema1732300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const step of STEPS) {
      await queryRunner.query(step.up);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const step of [...STEPS].reverse()) {
      await queryRunner.query(step.down);
    }
  }
}
