import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal links (a customer's view of its own endpoints) and the indexes behind delivery
 * statistics. Both statistics indexes cover the columns the counts read, so the counts are
 * index-only scans over the requested time range instead of reads of the whole table.
 */
export class PortalLinksAndStatistics1732500000000 implements MigrationInterface {
  name = 'PortalLinksAndStatistics1732500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE portal_links (
         id text PRIMARY KEY,
         project_id text NOT NULL REFERENCES projects(id),
         name text NOT NULL,
         owner_id text,
         endpoint_ids text[] NOT NULL DEFAULT '{}',
         can_manage_endpoint boolean NOT NULL DEFAULT false,
         auth_type text NOT NULL DEFAULT 'static_token' CHECK (auth_type IN ('static_token','refresh_token')),
         token_hash text NOT NULL UNIQUE,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         deleted_at timestamptz
       )`,
    );
    await queryRunner.query(`CREATE INDEX portal_links_project_id_id_idx ON portal_links (project_id, id)`);
    await queryRunner.query(
      `CREATE INDEX event_deliveries_project_created_at_idx ON event_deliveries (project_id, created_at) INCLUDE (status, endpoint_id, attempts)`,
    );
    await queryRunner.query(
      `CREATE INDEX event_deliveries_project_endpoint_created_at_idx
         ON event_deliveries (project_id, endpoint_id, created_at) INCLUDE (status, attempts)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX event_deliveries_project_endpoint_created_at_idx`);
    await queryRunner.query(`DROP INDEX event_deliveries_project_created_at_idx`);
    await queryRunner.query(`DROP TABLE portal_links`);
  }
}
