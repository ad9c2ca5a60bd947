import { createEmptyDatabase, EmptyTestDatabase } from '@caravan/testing';
import { Client } from 'pg';
import { CARAVAN_MIGRATIONS, revertAllMigrations, runMigrations } from '../data-source.factory';

const EXPECTED_TABLES = [
  'api_keys',
  'caravan_migrations',
  'delivery_attempts',
  'endpoints',
  'event_deliveries',
  'event_types',
  'events',
  'meta_events',
  'portal_links',
  'projects',
  'request_counters',
  'sources',
  'subscription_filters',
  'subscriptions',
];

/** Every index, constraint-backed ones included: the migration must create exactly these. */
const EXPECTED_INDEXES: Record<string, string[]> = {
  projects: ['projects_pkey'],
  api_keys: ['api_keys_pkey', 'api_keys_mask_id_key', 'api_keys_project_id_idx'],
  endpoints: ['endpoints_pkey', 'endpoints_project_id_id_idx', 'endpoints_project_owner_idx'],
  sources: ['sources_pkey', 'sources_mask_id_key', 'sources_project_id_id_idx'],
  subscriptions: [
    'subscriptions_pkey',
    'subscriptions_event_types_idx',
    'subscriptions_project_endpoint_idx',
    'subscriptions_project_id_id_idx',
  ],
  events: [
    'events_pkey',
    'events_project_id_id_idx',
    'events_project_created_at_idx',
    'events_project_idempotency_key_idx',
    'events_pending_idx',
  ],
  event_deliveries: [
    'event_deliveries_pkey',
    'event_deliveries_event_subscription_generation_key',
    'event_deliveries_due_idx',
    'event_deliveries_expired_lease_idx',
    'event_deliveries_project_id_id_idx',
    'event_deliveries_project_endpoint_id_idx',
    'event_deliveries_project_status_id_idx',
    'event_deliveries_project_created_at_idx',
    'event_deliveries_project_endpoint_created_at_idx',
  ],
  delivery_attempts: ['delivery_attempts_pkey', 'delivery_attempts_delivery_id_idx'],
  event_types: ['event_types_pkey', 'event_types_project_name_key'],
  subscription_filters: ['subscription_filters_pkey', 'subscription_filters_subscription_event_type_key'],
  meta_events: [
    'meta_events_pkey',
    'meta_events_due_idx',
    'meta_events_expired_lease_idx',
    'meta_events_project_id_id_idx',
  ],
  request_counters: ['request_counters_pkey', 'request_counters_window_end_idx'],
  portal_links: ['portal_links_pkey', 'portal_links_token_hash_key', 'portal_links_project_id_id_idx'],
};

describe('initial schema migration', () => {
  let db: EmptyTestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  async function tables(): Promise<string[]> {
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    return rows.map((row) => row.tablename);
  }

  async function indexes(): Promise<Map<string, string>> {
    const { rows } = await client.query<{ tablename: string; indexname: string; indexdef: string }>(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
    );
    return new Map(
      rows.filter((row) => row.tablename !== 'caravan_migrations').map((row) => [row.indexname, row.indexdef]),
    );
  }

  it('starts from an empty database', async () => {
    expect(await tables()).toEqual([]);
  });

  it('applies to an empty database, creating every table and exactly the expected indexes', async () => {
    expect(await runMigrations(db.url)).toEqual(CARAVAN_MIGRATIONS.map((migration) => migration.name));
    expect(await tables()).toEqual(EXPECTED_TABLES);

    const actual = await indexes();
    expect([...actual.keys()].sort()).toEqual(Object.values(EXPECTED_INDEXES).flat().sort());
    // The hot-path indexes have the shape the queries rely on.
    expect(actual.get('event_deliveries_due_idx')).toMatch(
      /\(next_send_time\) WHERE \(status = ANY \(ARRAY\['Scheduled'::text, 'Retry'::text\]\)\)/,
    );
    expect(actual.get('event_deliveries_expired_lease_idx')).toMatch(
      /\(lease_until\) WHERE \(status = 'Processing'::text\)/,
    );
    expect(actual.get('events_project_idempotency_key_idx')).toMatch(
      /^CREATE UNIQUE INDEX .* \(project_id, idempotency_key\) WHERE \(\(idempotency_key IS NOT NULL\) AND \(NOT is_duplicate_event\)\)$/,
    );
    expect(actual.get('subscriptions_event_types_idx')).toMatch(/USING gin \(event_types\)/);
    expect(actual.get('events_pending_idx')).toMatch(/\(created_at\) WHERE \(status = 'Pending'::text\)/);
    expect(actual.get('endpoints_project_owner_idx')).toMatch(/\(project_id, owner_id\) WHERE \(deleted_at IS NULL\)/);
    // Request counters skip the WAL; retention's tables are vacuumed after 2 % of changes.
    const { rows: storage } = await client.query<{
      relname: string;
      relpersistence: string;
      reloptions: string[] | null;
    }>(
      `SELECT relname, relpersistence, reloptions FROM pg_class
       WHERE relname IN ('request_counters','events','event_deliveries','delivery_attempts','meta_events')`,
    );
    const byName = new Map(storage.map((row) => [row.relname, row]));
    expect(byName.get('request_counters')?.relpersistence).toBe('u');
    for (const table of ['events', 'event_deliveries', 'delivery_attempts', 'meta_events']) {
      expect(byName.get(table)?.reloptions).toEqual(
        expect.arrayContaining(['autovacuum_vacuum_scale_factor=0.02', 'autovacuum_analyze_scale_factor=0.02']),
      );
    }
  });

  it('is a no-op when run again', async () => {
    expect(await runMigrations(db.url)).toEqual([]);
  });

  it('reverts completely, leaving no Caravan tables, and applies again afterwards', async () => {
    await revertAllMigrations(db.url);
    expect(await tables()).toEqual([]);
    expect((await indexes()).size).toBe(0);

    expect(await runMigrations(db.url)).toEqual(CARAVAN_MIGRATIONS.map((migration) => migration.name));
    expect(await tables()).toEqual(EXPECTED_TABLES);
  });
});
