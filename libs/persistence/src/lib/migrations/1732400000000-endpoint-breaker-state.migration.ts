import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The circuit breaker lives in the dispatcher's memory (one instance owns an endpoint); its
 * last transition is written here so the API can show `cb_state` to the endpoint's owner.
 */
export class EndpointBreakerState1732400000000 implements MigrationInterface {
  name = 'EndpointBreakerState1732400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE endpoints
         ADD COLUMN cb_state text NOT NULL DEFAULT 'closed' CHECK (cb_state IN ('closed','open')),
         ADD COLUMN cb_state_changed_at timestamptz`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE endpoints DROP COLUMN cb_state_changed_at, DROP COLUMN cb_state`);
  }
}
