import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Convoy fields that change how events are received and delivered: a source's
 * `event_type_location`, an endpoint's `content_type` and `mtls_client_cert`, a subscription's
 * `delivery_mode`.
 */
export class DeliveryFeatures1796323456672 implements MigrationInterface {
  name = 'DeliveryFeatures1796323456672';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sources ADD COLUMN event_type_location text`);
    await queryRunner.query(
      `ALTER TABLE endpoints ADD COLUMN content_type text NOT NULL DEFAULT 'application/json'
         CHECK (content_type IN ('application/json','application/x-www-form-urlencoded')),
         ADD COLUMN mtls_client_cert jsonb`,
    );
    await queryRunner.query(
      `ALTER TABLE subscriptions ADD COLUMN delivery_mode text NOT NULL DEFAULT 'at_least_once'
         CHECK (delivery_mode IN ('at_least_once','at_most_once'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE subscriptions DROP COLUMN delivery_mode`);
    await queryRunner.query(`ALTER TABLE endpoints DROP COLUMN mtls_client_cert, DROP COLUMN content_type`);
    await queryRunner.query(`ALTER TABLE sources DROP COLUMN event_type_location`);
  }
}
