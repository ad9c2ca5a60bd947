import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event-type catalogue (optionally with a JSON Schema for events' `data`), per-event-type
 * subscription filters, and a subscription's delivery `function`. Filters keep what the client
 * sent (`raw_*`) and the flattened form the router evaluates, computed once when saved.
 */
const STEPS: Array<{ up: string; down: string }> = [
  {
    up: `CREATE TABLE event_types (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      category text NOT NULL DEFAULT '',
      json_schema jsonb CHECK (json_schema IS NULL OR jsonb_typeof(json_schema) = 'object'),
      deprecated_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    down: `DROP TABLE event_types`,
  },
  // One type per name in a project; also the intake's lookup by (project, name).
  {
    up: `CREATE UNIQUE INDEX event_types_project_name_key ON event_types (project_id, name)`,
    down: `DROP INDEX event_types_project_name_key`,
  },
  {
    up: `CREATE TABLE subscription_filters (
      id text COLLATE "C" PRIMARY KEY,
      project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      subscription_id text COLLATE "C" NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
      event_type text NOT NULL,
      body jsonb NOT NULL DEFAULT '{}',
      headers jsonb NOT NULL DEFAULT '{}',
      raw_body jsonb NOT NULL DEFAULT '{}',
      raw_headers jsonb NOT NULL DEFAULT '{}',
      enabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    down: `DROP TABLE subscription_filters`,
  },
  // One filter per event type of a subscription; the router's lookup by (project, subscription, type).
  {
    up: `CREATE UNIQUE INDEX subscription_filters_subscription_event_type_key
      ON subscription_filters (project_id, subscription_id, event_type)`,
    down: `DROP INDEX subscription_filters_subscription_event_type_key`,
  },
  {
    up: `ALTER TABLE subscriptions ADD COLUMN function text`,
    down: `ALTER TABLE subscriptions DROP COLUMN function`,
  },
];

export class Catalogue1732530000000 implements MigrationInterface {
  name = 'Catalogue1732530000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const step of STEPS) await queryRunner.query(step.up);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const step of [...STEPS].reverse()) await queryRunner.query(step.down);
  }
}
