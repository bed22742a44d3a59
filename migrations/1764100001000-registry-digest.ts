import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `customers.rows_digest`: 128 bits of SHA-256 over the contacts and subscriptions an import wrote for the customer
 * (staging-row.ts). An upsert reads a customer's stored contacts and subscriptions only when the file's digest for
 * it differs, so re-importing a mostly unchanged registry no longer aggregates every customer's rows. NULL (every
 * customer before this migration, and those a CSV file with repeated refs merged) means "compare the rows"; the next
 * upsert fills it in. Only imports write contacts and subscriptions; anything else that does must set it to NULL.
 */
export class RegistryDigest1764100001000 implements MigrationInterface {
  name = 'RegistryDigest1764100001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers ADD COLUMN rows_digest bytea`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN rows_digest`);
  }
}
