import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored totals of an applied event's affected list by one filter value (tier, account manager, country, product),
 * so the first page of such a filter does not count the list (100–170 ms at 1M customers). Country and product
 * come from the event's own rows, which never change; tier and account manager are the customers' and hold while they
 * do: an import that changes a customer's tier or account manager adds one to `registry_state.generation`, in its own
 * transaction, and a total counted under an older generation is not used. The `all` row marks an event whose totals
 * are written.
 */
export class AffectedFacets1764100000900 implements MigrationInterface {
  name = 'AffectedFacets1764100000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry_state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        generation bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`INSERT INTO registry_state DEFAULT VALUES`);
    await q.query(`
      CREATE TABLE event_facet_totals (
        event_pk bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        facet text NOT NULL CHECK (facet IN ('all', 'tier', 'accountManager', 'country', 'product')),
        value text NOT NULL,
        customers integer NOT NULL,
        registry_generation bigint NOT NULL,
        PRIMARY KEY (event_pk, facet, value)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_facet_totals`);
    await q.query(`DROP TABLE registry_state`);
  }
}
