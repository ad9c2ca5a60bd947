import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request counters shared by every api replica, and storage settings for retention.
 *
 * `request_counters` is UNLOGGED: counters of the current window are worth nothing after a
 * crash, and skipping the WAL keeps a counted request to one cheap upsert.
 *
 * The retention job deletes old rows in small batches; autovacuum at its default 20 % scale
 * factor would let the dead rows of a big table pile up between runs, so these tables are
 * vacuumed after 2 % of their rows changed, and the freed space is reused by new rows.
 */
export class ApiLimitsAndRetention1733100000000 implements MigrationInterface {
  name = 'ApiLimitsAndRetention1733100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE request_counters (
         key text COLLATE "C" NOT NULL,
         window_start timestamptz NOT NULL,
         window_end timestamptz NOT NULL,
         hits integer NOT NULL CHECK (hits >= 0),
         PRIMARY KEY (key, window_start)
       )`,
    );
    await queryRunner.query(`CREATE INDEX request_counters_window_end_idx ON request_counters (window_end)`);
    for (const table of ['events', 'event_deliveries', 'delivery_attempts', 'meta_events']) {
      await queryRunner.query(
        `ALTER TABLE ${table} SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['events', 'event_deliveries', 'delivery_attempts', 'meta_events']) {
      await queryRunner.query(
        `ALTER TABLE ${table} RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)`,
      );
    }
    await queryRunner.query(`DROP TABLE request_counters`);
  }
}
