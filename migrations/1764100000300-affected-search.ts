import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the affected-customer lists at a million customers: `q` (a substring of ref or name) through
 * trigram indexes instead of a scan of every customer; `tier` joined by customer id from an index alone; and
 * the ref order of an event's rows with the customer id beside it, so deep pages skip rows in the index only.
 */
export class AffectedSearch1764100000300 implements MigrationInterface {
  name = 'AffectedSearch1764100000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX customers_ref_trgm_idx ON customers USING gin (ref gin_trgm_ops)`);
    await q.query(`CREATE INDEX customers_tier_idx ON customers (tier, id)`);
    await q.query(`DROP INDEX event_customers_ref_idx`);
    await q.query(
      `CREATE INDEX event_customers_ref_idx ON event_customers (event_pk, ref COLLATE "C") INCLUDE (customer_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX event_customers_ref_idx`);
    await q.query(`CREATE INDEX event_customers_ref_idx ON event_customers (event_pk, ref COLLATE "C")`);
    await q.query(`DROP INDEX customers_tier_idx`);
    await q.query(`DROP INDEX customers_ref_trgm_idx`);
    await q.query(`DROP INDEX customers_name_trgm_idx`);
  }
}
