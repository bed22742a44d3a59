import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook deliveries carry what stays suspended for their customer in the case after their event, taken when the
 * delivery is planned: the payload's `suspended` must not change between retries as later events change the case.
 */
export class WebhookDeliveries1764100000700 implements MigrationInterface {
  name = 'WebhookDeliveries1764100000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries ADD COLUMN suspended jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_deliveries DROP COLUMN suspended`);
  }
}
