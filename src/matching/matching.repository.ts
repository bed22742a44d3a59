// Set-based matching (SPEC §3): scopes resolved against the registry, and M(scope) built as the match table, in the
// caller's transaction. SuspendedSetRepository derives the case's suspended set and who is told what from that table.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { EventScope } from '../domain/event.types';

export interface ResolvedScope {
  products: string[];
  countries: string[];
  tiers: string[];
}

/**
 * The match table: M(scope), the in-scope subscriptions of active customers, as the temporary table
 * `m (customer_id, product, country, ref)` of one transaction (indexed on customer_id, product, country; dropped at
 * commit). Only `createMatchTable` makes it; the methods that read or trim it, here and in SuspendedSetRepository,
 * take the handle it returns and run in the handle's transaction, so none of them can run where there is none.
 */
export const MATCH_TABLE = 'm';

export interface MatchTable {
  readonly table: typeof MATCH_TABLE;
  /** The transaction the table lives in. */
  readonly tx: EntityManager;
}

function split(list: string[], prefix: string): { plain: string[]; prefixed: string[]; all: boolean } {
  return {
    all: list.includes('*'),
    plain: list.filter((v) => v !== '*' && !v.startsWith(prefix)),
    prefixed: list.filter((v) => v.startsWith(prefix)).map((v) => v.slice(prefix.length)),
  };
}

@Injectable()
export class MatchingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Codes, countries and groups of a scope that the registry does not know (only the tables a scope names are read). */
  async unknownScopeCodes(scope: EventScope, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const p = split([...scope.products, ...scope.excludeProducts], 'category:');
    const r = split([...scope.regions, ...scope.excludeRegions], 'group:');
    const missing = async (table: string, codes: string[], label: string) => {
      if (!codes.length) return [];
      const rows: { x: string }[] = await m.query(
        `SELECT x FROM unnest($1::text[]) x WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.code = x) ORDER BY x`,
        [codes],
      );
      return rows.map(({ x }) => `scope: unknown ${label} "${x}"`);
    };
    return [
      ...(await missing('products', p.plain, 'product')),
      ...(await missing('countries', r.plain, 'country')),
      ...(await missing('region_groups', r.prefixed, 'region group')),
    ];
  }

  /** Resolves `*`, `category:` and `group:` selectors and exclusions to plain product and country lists. */
  private async resolveScope(m: EntityManager, scope: EventScope): Promise<ResolvedScope> {
    const p = split(scope.products, 'category:');
    const xp = split(scope.excludeProducts, 'category:');
    const r = split(scope.regions, 'group:');
    const xr = split(scope.excludeRegions, 'group:');
    const [row] = await m.query(
      `SELECT
         ARRAY(SELECT code FROM products
                WHERE ($1 OR code = ANY($2::text[]) OR category = ANY($3::text[]))
                  AND NOT (code = ANY($4::text[]) OR category = ANY($5::text[])) ORDER BY code) AS products,
         ARRAY(SELECT code::text FROM countries
                WHERE ($6 OR code = ANY($7::text[])
                          OR code = ANY(ARRAY(SELECT unnest(countries) FROM region_groups WHERE code = ANY($8::text[]))))
                  AND NOT (code = ANY($9::text[])
                          OR code = ANY(ARRAY(SELECT unnest(countries) FROM region_groups WHERE code = ANY($10::text[]))))
                ORDER BY code) AS countries`,
      [p.all, p.plain, p.prefixed, xp.plain, xp.prefixed, r.all, r.plain, r.prefixed, xr.plain, xr.prefixed],
    );
    return { products: row.products, countries: row.countries, tiers: scope.tiers };
  }

  /**
   * Checked one row at a time, the foreign keys of the lifecycle's writes (case_suspensions, event_customers and
   * notices all reference customers, the event and the case) cost more than the writes themselves: at 1M customers
   * they were about 60 % of the time of a 615k-notice event. When the role may (a superuser, like the registry
   * import's bulk mode), this transaction instead takes, before reading the registry, a SHARE lock on customers
   * (no customer can be deleted or changed until commit; readers are not blocked) and KEY SHARE locks on the
   * event and case rows, which is what the triggers' row locks guarantee, and skips the per-row triggers until
   * `endBulkWrites`. Other roles keep the per-row checks: slower, equally correct.
   */
  async beginBulkWrites(m: EntityManager, caseId: string, eventPk: string): Promise<boolean> {
    // Hash joins and the affected customers' aggregation stay in memory (4 MB spilled the 1M-customer hash to disk).
    await m.query(`SET LOCAL work_mem = '64MB'`);
    const [{ su }] = await m.query(`SELECT current_setting('is_superuser') = 'on' AS su`);
    if (!su) return false;
    await m.query(`LOCK TABLE customers IN SHARE MODE`);
    await m.query(`SELECT 1 FROM events WHERE id = $1 FOR KEY SHARE`, [eventPk]);
    await m.query(`SELECT 1 FROM cases WHERE case_id = $1 FOR KEY SHARE`, [caseId]);
    await m.query(`SET LOCAL session_replication_role = replica`);
    return true;
  }

  /** Turns the per-row checks back on for the rest of the transaction. */
  async endBulkWrites(m: EntityManager, bulk: boolean): Promise<void> {
    if (bulk) await m.query(`SET LOCAL session_replication_role = origin`);
  }

  /** Makes the transaction's match table (MATCH_TABLE) for an event's scope, replacing one made before in it. */
  async createMatchTable(m: EntityManager, eventScope: EventScope): Promise<MatchTable> {
    const scope = await this.resolveScope(m, eventScope);
    await m.query(`DROP TABLE IF EXISTS m`);
    // CREATE TABLE … AS, not INSERT … SELECT: its scan of the subscriptions may run with parallel workers.
    await m.query(
      `CREATE TEMPORARY TABLE m ON COMMIT DROP AS
       SELECT s.customer_id::bigint, s.product::text, s.country::char(2), c.ref::text
         FROM subscriptions s JOIN customers c ON c.id = s.customer_id
        WHERE c.active AND c.tier = ANY($1::text[]) AND s.product = ANY($2::text[]) AND s.country = ANY($3::text[])`,
      [scope.tiers, scope.products, scope.countries],
    );
    await m.query(`CREATE INDEX ON m (customer_id, product, country)`);
    await m.query(`ANALYZE m`);
    return { table: MATCH_TABLE, tx: m };
  }

  /** Drops from the match table the subscriptions a licence of the case released after event `afterEventPk`. */
  async dropLicensedSince({ tx }: MatchTable, caseId: string, afterEventPk: string): Promise<void> {
    await tx.query(
      `DELETE FROM m USING (
         SELECT ec.customer_id, s->>'product' AS product, s->>'country' AS country
           FROM events e JOIN event_customers ec ON ec.event_pk = e.id, jsonb_array_elements(ec.removed) s
          WHERE e.case_id = $1 AND e.id > $2 AND e.type = 'license.granted' AND e.applied_at IS NOT NULL) r
        WHERE m.customer_id = r.customer_id AND m.product = r.product AND m.country = r.country`,
      [caseId, afterEventPk],
    );
  }

  /** Drops from the match table every customer that some event of the case told (an affected-customer row). */
  async dropToldInCase({ tx }: MatchTable, caseId: string): Promise<void> {
    await tx.query(
      `DELETE FROM m WHERE EXISTS (SELECT 1 FROM event_customers ec JOIN events e ON e.id = ec.event_pk
                                   WHERE e.case_id = $1 AND ec.customer_id = m.customer_id)`,
      [caseId],
    );
  }

  /** Customers with a subscription in the match table now. */
  async countCustomers({ tx }: MatchTable): Promise<number> {
    const [{ n }] = await tx.query(`SELECT count(DISTINCT customer_id)::int AS n FROM m`);
    return n;
  }
}
