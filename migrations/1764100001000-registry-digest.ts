import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `customers.rows_digest`: 128 bits of SHA-256 over the contacts and subscriptions an import wrote for the customer
 * (staging-row.ts). An upsert reads a customer's stored contacts and subscriptions only when the file's digest for
 * it differs, so re-importing a mostly unchanged registry no longer aggregates every customer's rows. NULL (every
 * customer before this migration, and those a CSV file with repeated refs merged) means "compare the rows"; the next
 * upsert fills it in. `rows_digest_at` is the `updated_at` the digest was written with: an import that rewrites a
 * customer's rows also sets `updated_at`, so rows rewritten by code that does not know the digest (an older
 * version running against this schema) no longer match it and are compared. Only imports write contacts and
 * subscriptions; anything else that does must set the digest to NULL.
 */
export class RegistryDigest1764100001000 implements MigrationInterface {
  name = 'RegistryDigest1764100001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE customers ADD COLUMN rows_digest bytea, ADD COLUMN rows_digest_at timestamptz NOT NULL DEFAULT now()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN rows_digest, DROP COLUMN rows_digest_at`);
  }
}
