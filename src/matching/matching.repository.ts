// Set-based matching and the case lifecycle in SQL (SPEC §3): M(scope) is built in a temporary table and the
// case's suspended set and the affected customers are derived from it, all in the caller's transaction (the notice
// rows come from NoticePlanningRepository).
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventScope, EventType } from '../domain/event.types';

export interface ResolvedScope {
  products: string[];
  countries: string[];
  tiers: string[];
}

const SUB_JSON = `jsonb_agg(jsonb_build_object('product', x.product, 'country', x.country) ORDER BY x.product, x.country)`;

function split(list: string[], prefix: string): { plain: string[]; prefixed: string[]; all: boolean } {
  return {
    all: list.includes('*'),
    plain: list.filter((v) => v !== '*' && !v.startsWith(prefix)),
    prefixed: list.filter((v) => v.startsWith(prefix)).map((v) => v.slice(prefix.length)),
  };
}

@Injectable()
export class MatchingRepository {
  /** Codes, countries and groups of a scope that the registry does not know (only the tables a scope names are read). */
  async unknownScopeCodes(m: EntityManager, scope: EventScope): Promise<string[]> {
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
  async resolveScope(m: EntityManager, scope: EventScope): Promise<ResolvedScope> {
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

  /** Fills the temporary table `m` (dropped at commit) with the in-scope subscriptions of active customers. */
  async buildMatchSet(m: EntityManager, scope: ResolvedScope): Promise<number> {
    await m.query(`DROP TABLE IF EXISTS m`);
    await m.query(`CREATE TEMPORARY TABLE m (customer_id bigint, product text, country char(2), ref text) ON COMMIT DROP`);
    await m.query(
      `INSERT INTO m (customer_id, product, country, ref)
       SELECT s.customer_id, s.product, s.country, c.ref
         FROM subscriptions s JOIN customers c ON c.id = s.customer_id
        WHERE c.active AND c.tier = ANY($1::text[]) AND s.product = ANY($2::text[]) AND s.country = ANY($3::text[])`,
      [scope.tiers, scope.products, scope.countries],
    );
    await m.query(`CREATE INDEX ON m (customer_id, product, country)`);
    await m.query(`ANALYZE m`);
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM m`);
    return n;
  }

  /** Applies one event of `type` to the case's suspended set and records who is told what. Needs `m` unless lifted. */
  async applyLifecycle(m: EntityManager, type: EventType, caseId: string, eventPk: string): Promise<void> {
    switch (type) {
      case 'suspension.issued':
        await m.query(`DELETE FROM case_suspensions WHERE case_id = $1`, [caseId]);
        // Rows go in in customer order, here and below: each index on customer_id is then written page by page
        // instead of at random (a quarter less time at 1M customers).
        await m.query(
          `INSERT INTO case_suspensions (case_id, customer_id, product, country, since_event)
           SELECT $1, customer_id, product, country, $2 FROM m ORDER BY customer_id, product, country`,
          [caseId, eventPk],
        );
        await m.query(
          `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, added)
           SELECT $1, customer_id, ref, 'suspended', subs, subs
             FROM (SELECT x.customer_id, x.ref, ${SUB_JSON} AS subs FROM m x GROUP BY x.customer_id, x.ref) g
            ORDER BY customer_id`,
          [eventPk],
        );
        return;
      case 'suspension.updated':
        await this.snapshotOld(m, caseId);
        await m.query(
          `WITH n AS (SELECT x.customer_id, x.ref, ${SUB_JSON} AS subs FROM m x GROUP BY 1, 2),
                o AS (SELECT x.customer_id, c.ref, ${SUB_JSON} AS subs
                        FROM old_s x JOIN customers c ON c.id = x.customer_id GROUP BY 1, 2),
                a AS (SELECT x.customer_id, ${SUB_JSON} AS subs
                        FROM (SELECT customer_id, product, country FROM m EXCEPT SELECT * FROM old_s) x GROUP BY 1),
                r AS (SELECT x.customer_id, ${SUB_JSON} AS subs
                        FROM (SELECT * FROM old_s EXCEPT SELECT customer_id, product, country FROM m) x GROUP BY 1)
           INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, added, removed)
           SELECT $1, coalesce(n.customer_id, o.customer_id), coalesce(n.ref, o.ref),
                  CASE WHEN o.customer_id IS NULL THEN 'suspended' WHEN n.customer_id IS NULL THEN 'restored' ELSE 'updated' END,
                  coalesce(n.subs, '[]'), coalesce(a.subs, '[]'), coalesce(r.subs, '[]')
             FROM n FULL JOIN o ON o.customer_id = n.customer_id
             LEFT JOIN a ON a.customer_id = coalesce(n.customer_id, o.customer_id)
             LEFT JOIN r ON r.customer_id = coalesce(n.customer_id, o.customer_id)`,
          [eventPk],
        );
        await m.query(
          `DELETE FROM case_suspensions s WHERE s.case_id = $1
             AND NOT EXISTS (SELECT 1 FROM m WHERE m.customer_id = s.customer_id AND m.product = s.product AND m.country = s.country)`,
          [caseId],
        );
        await m.query(
          `INSERT INTO case_suspensions (case_id, customer_id, product, country, since_event)
           SELECT $1, customer_id, product, country, $2 FROM m ON CONFLICT DO NOTHING`,
          [caseId, eventPk],
        );
        return;
      case 'license.granted':
        await this.snapshotOld(m, caseId);
        await m.query(
          `WITH lost AS (SELECT o.*, m.ref FROM old_s o JOIN m USING (customer_id, product, country)),
                r AS (SELECT x.customer_id, x.ref, ${SUB_JSON} AS subs FROM lost x GROUP BY 1, 2),
                rest AS (SELECT x.customer_id, ${SUB_JSON} AS subs
                           FROM (SELECT * FROM old_s EXCEPT SELECT customer_id, product, country FROM lost) x
                          WHERE x.customer_id IN (SELECT customer_id FROM r) GROUP BY 1)
           INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, removed)
           SELECT $1, r.customer_id, r.ref, 'license-granted', coalesce(rest.subs, '[]'), r.subs
             FROM r LEFT JOIN rest ON rest.customer_id = r.customer_id`,
          [eventPk],
        );
        await m.query(
          `DELETE FROM case_suspensions s USING m
            WHERE s.case_id = $1 AND m.customer_id = s.customer_id AND m.product = s.product AND m.country = s.country`,
          [caseId],
        );
        return;
      case 'license.denied':
        await m.query(
          `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected)
           SELECT $1, x.customer_id, x.ref, 'license-denied', ${SUB_JSON}
             FROM (SELECT s.customer_id, s.product, s.country, m.ref FROM case_suspensions s
                     JOIN m USING (customer_id, product, country) WHERE s.case_id = $2) x
            GROUP BY x.customer_id, x.ref`,
          [eventPk, caseId],
        );
        return;
      case 'suspension.lifted':
        await m.query(
          `INSERT INTO event_customers (event_pk, customer_id, ref, kind, removed)
           SELECT $1, x.customer_id, c.ref, 'restored', ${SUB_JSON}
             FROM case_suspensions x JOIN customers c ON c.id = x.customer_id WHERE x.case_id = $2
            GROUP BY x.customer_id, c.ref`,
          [eventPk, caseId],
        );
        await m.query(`DELETE FROM case_suspensions WHERE case_id = $1`, [caseId]);
        return;
    }
  }

  private async snapshotOld(m: EntityManager, caseId: string): Promise<void> {
    await m.query(`DROP TABLE IF EXISTS old_s`);
    await m.query(
      `CREATE TEMPORARY TABLE old_s ON COMMIT DROP AS
       SELECT customer_id, product, country FROM case_suspensions WHERE case_id = $1`,
      [caseId],
    );
    await m.query(`CREATE INDEX ON old_s (customer_id, product, country)`);
    await m.query(`ANALYZE old_s`);
  }
}
