import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trace context kept with the rows (docs/operations.md#tracing): Kafka is only a doorbell and a
 * row may be claimed later by another process, so an event's and a delivery's W3C `traceparent`
 * live with them, and each attempt keeps the trace id it was sent in. Null when tracing is off.
 */
export class TraceContext1796400000000 implements MigrationInterface {
  name = 'TraceContext1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE events ADD COLUMN traceparent text`);
    await queryRunner.query(`ALTER TABLE event_deliveries ADD COLUMN traceparent text`);
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD COLUMN trace_id text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE delivery_attempts DROP COLUMN trace_id`);
    await queryRunner.query(`ALTER TABLE event_deliveries DROP COLUMN traceparent`);
    await queryRunner.query(`ALTER TABLE events DROP COLUMN traceparent`);
  }
}
