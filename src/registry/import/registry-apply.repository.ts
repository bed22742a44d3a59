// The apply step of an import: one transaction that replaces the staged customers' rows in the registry.
import { Injectable, Logger } from '@nestjs/common';
import type { ImportMode } from './import.types';
import {
  dropRegistryIndexes,
  IMPORT_LOCK,
  isSuperuser,
  lockCatalogRefs,
  lockEmptyRegistry,
  nextCustomerId,
  rebuildRegistryIndexes,
  type RegistryQuery as Query,
} from './registry-bulk';
import type { ImportSession } from './registry-import.repository';

/**
 * A customer's stored digest describes its stored contacts and subscriptions: the file's digest matches, and the
 * customer row was not rewritten since the digest was (rows_digest_at, migration 1000). NULL when either is missing.
 */
const DIGEST_HOLDS = `(c.rows_digest = s.rows_digest AND c.rows_digest_at = c.updated_at)`;

@Injectable()
export class RegistryApplyRepository {
  private readonly logger = new Logger(RegistryApplyRepository.name);

  /** Opens the apply transaction and waits for any other import to finish. */
  async begin(s: ImportSession): Promise<void> {
    await s.runner.startTransaction();
    await s.client.query(`SELECT ${IMPORT_LOCK}`);
  }

  /** What applying would do to customers (contacts and subscriptions are counted when written). */
  async plannedCounts(
    s: ImportSession,
    mode: ImportMode,
  ): Promise<{ created: number; updated: number; deactivated: number }> {
    const r = await s.client.query(
      `WITH f AS (SELECT DISTINCT ref FROM import_customers)
       SELECT (SELECT count(*) FROM f)::int AS total,
              (SELECT count(*) FROM f JOIN customers c ON c.ref = f.ref)::int AS existing,
              CASE WHEN $1 THEN (SELECT count(*) FROM customers c WHERE c.active
                AND NOT EXISTS (SELECT 1 FROM import_customers s WHERE s.ref = c.ref)) ELSE 0 END::int AS deactivated`,
      [mode === 'sync'],
    );
    const { total, existing, deactivated } = r.rows[0];
    return { created: total - existing, updated: existing, deactivated };
  }

  /**
   * Replaces the file's customers with their contacts and subscriptions; in sync mode deactivates the rest.
   * `refs` are the product and country codes the file uses, already checked to exist.
   */
  async apply(
    s: ImportSession,
    mode: ImportMode,
    refs: { products: string[]; countries: string[] },
  ): Promise<{ contacts: number; subscriptions: number }> {
    const q = async (sql: string, params: unknown[] = []) => {
      const t0 = Date.now();
      const r = await s.client.query(sql, params);
      this.logger.debug(`${Date.now() - t0} ms: ${sql.trim().slice(0, 40)}`);
      return r;
    };
    const bulk = await this.enterBulkMode(s, refs);
    if (!s.repeats && (await lockEmptyRegistry(s.client))) {
      const counts = await this.loadFresh(s, q);
      if (bulk) await q(`SET LOCAL session_replication_role = origin`);
      return counts;
    }
    if (!s.repeats) {
      const counts = await this.upsertChanged(q);
      if (mode === 'sync') await this.deactivateAbsent(q);
      if (bulk) await q(`SET LOCAL session_replication_role = origin`);
      return counts;
    }
    // A file that repeats refs replaces every customer it names: stored totals by tier or account manager count again.
    await q(`UPDATE registry_state SET generation = generation + 1`);
    await q(
      `DELETE FROM contacts t USING customers c, import_customers s WHERE s.ref = c.ref AND t.customer_id = c.id`,
    );
    await q(
      `DELETE FROM subscriptions t USING customers c, import_customers s WHERE s.ref = c.ref AND t.customer_id = c.id`,
    );
    // A customer's rows here are the union of its lines: no line's digest describes them.
    await q(`
      INSERT INTO customers (ref, name, tier, country, am_email, am_name, active, rows_digest)
      SELECT DISTINCT ON (ref) ref, name, tier, country, am_email, am_name, true, NULL::bytea
      FROM import_customers ORDER BY ref, line
      ON CONFLICT (ref) DO UPDATE SET name = excluded.name, tier = excluded.tier, country = excluded.country,
        am_email = excluded.am_email, am_name = excluded.am_name, active = true, rows_digest = NULL, updated_at = now()`);
    const contacts = await q(`
      INSERT INTO contacts (customer_id, email, name, locale, role, notices)
      SELECT c.id, x.email, x.name, x.locale, x.role, x.notices
      FROM import_customers s JOIN customers c ON c.ref = s.ref
      CROSS JOIN LATERAL unnest(s.c_email, s.c_name, s.c_locale, s.c_role, s.c_notices) AS x(email, name, locale, role, notices)`);
    const subscriptions = await q(`
      INSERT INTO subscriptions (customer_id, product, country)
      SELECT c.id, x.product, x.country
      FROM import_customers s JOIN customers c ON c.ref = s.ref
      CROSS JOIN LATERAL unnest(s.s_product, s.s_country) AS x(product, country)
      ${s.repeats ? 'ON CONFLICT DO NOTHING' : ''}`);
    if (mode === 'sync') await this.deactivateAbsent(q);
    if (bulk) await q(`SET LOCAL session_replication_role = origin`);
    return { contacts: contacts.rowCount ?? 0, subscriptions: subscriptions.rowCount ?? 0 };
  }

  private async deactivateAbsent(q: Query): Promise<void> {
    await q(`UPDATE customers c SET active = false, updated_at = now()
             WHERE c.active AND NOT EXISTS (SELECT 1 FROM import_customers s WHERE s.ref = c.ref)`);
  }

  /**
   * Upsert of a file with one staged row per ref: only what differs is written. Each existing
   * customer's row, its contacts (in order) and its subscriptions are compared with the file; the
   * contacts or subscriptions that differ are replaced as a whole, a changed customer row is updated
   * (and `updated_at` set when any of the three changed), new customers are inserted. The result is
   * the same registry as replacing everything; unchanged rows keep their ids and are not rewritten,
   * so re-importing a mostly unchanged registry costs a comparison instead of millions of writes.
   * The stored contacts and subscriptions are read only for customers whose `rows_digest` differs from
   * the file's line (or is NULL): aggregating them for every customer was 7 of 9.4 s at 1M.
   */
  private async upsertChanged(q: Query): Promise<{ contacts: number; subscriptions: number }> {
    await q(`DROP TABLE IF EXISTS import_plan`);
    await q(`
      CREATE TEMP TABLE import_plan ON COMMIT DROP AS
      SELECT s.seq, c.id,
        c.id IS NOT NULL AND (c.name, c.tier, c.country, c.am_email, c.am_name, c.active)
          IS DISTINCT FROM (s.name, s.tier, s.country::char(2), s.am_email, s.am_name, true) AS customer_changed,
        CASE WHEN c.id IS NULL OR ${DIGEST_HOLDS} THEN false ELSE (
          SELECT (coalesce(array_agg(t.email ORDER BY t.id), '{}'), coalesce(array_agg(t.name ORDER BY t.id), '{}'),
                  coalesce(array_agg(t.locale ORDER BY t.id), '{}'), coalesce(array_agg(t.role ORDER BY t.id), '{}'),
                  coalesce(array_agg(t.notices ORDER BY t.id), '{}'))
          FROM contacts t WHERE t.customer_id = c.id
        ) IS DISTINCT FROM (s.c_email, s.c_name, s.c_locale, s.c_role, s.c_notices) END AS contacts_changed,
        CASE WHEN c.id IS NULL OR ${DIGEST_HOLDS} THEN false ELSE (
          SELECT (coalesce(array_agg(u.product ORDER BY u.product, u.country), '{}'),
                  coalesce(array_agg(u.country::text ORDER BY u.product, u.country), '{}'))
          FROM subscriptions u WHERE u.customer_id = c.id
        ) IS DISTINCT FROM (s.s_product, s.s_country) END AS subscriptions_changed,
        c.id IS NOT NULL AND NOT coalesce(${DIGEST_HOLDS}, false) AS digest_changed
      FROM import_customers s LEFT JOIN customers c ON c.ref = s.ref`);
    await q(`ANALYZE import_plan`);
    // Stored affected-list totals by tier or account manager (event_facet_totals) hold while no customer's tier or
    // account manager changes; an import that changes one makes them count again.
    await q(`UPDATE registry_state SET generation = generation + 1
              WHERE EXISTS (SELECT 1 FROM import_plan p JOIN import_customers s ON s.seq = p.seq JOIN customers c ON c.id = p.id
                             WHERE p.customer_changed AND (c.tier, c.am_email) IS DISTINCT FROM (s.tier, s.am_email))`);
    await q(`DELETE FROM contacts t USING import_plan p WHERE p.contacts_changed AND t.customer_id = p.id`);
    await q(`DELETE FROM subscriptions t USING import_plan p WHERE p.subscriptions_changed AND t.customer_id = p.id`);
    await q(`
      UPDATE customers c SET name = s.name, tier = s.tier, country = s.country, am_email = s.am_email, am_name = s.am_name,
        active = true, rows_digest = s.rows_digest, updated_at = now(), rows_digest_at = now()
      FROM import_plan p JOIN import_customers s ON s.seq = p.seq
      WHERE c.id = p.id AND (p.customer_changed OR p.contacts_changed OR p.subscriptions_changed)`);
    // Unchanged customers whose digest was missing (or stale) get the file's, without counting as updated.
    await q(`
      UPDATE customers c SET rows_digest = s.rows_digest, rows_digest_at = c.updated_at
      FROM import_plan p JOIN import_customers s ON s.seq = p.seq
      WHERE c.id = p.id AND p.digest_changed AND NOT (p.customer_changed OR p.contacts_changed OR p.subscriptions_changed)`);
    await q(`
      INSERT INTO customers (ref, name, tier, country, am_email, am_name, active, rows_digest)
      SELECT s.ref, s.name, s.tier, s.country, s.am_email, s.am_name, true, s.rows_digest
      FROM import_plan p JOIN import_customers s ON s.seq = p.seq WHERE p.id IS NULL ORDER BY s.seq`);
    await q(`
      INSERT INTO contacts (customer_id, email, name, locale, role, notices)
      SELECT c.id, unnest(s.c_email), unnest(s.c_name), unnest(s.c_locale), unnest(s.c_role), unnest(s.c_notices)
      FROM import_plan p JOIN import_customers s ON s.seq = p.seq JOIN customers c ON c.ref = s.ref
      WHERE p.id IS NULL OR p.contacts_changed`);
    await q(`
      INSERT INTO subscriptions (customer_id, product, country)
      SELECT c.id, unnest(s.s_product), unnest(s.s_country)
      FROM import_plan p JOIN import_customers s ON s.seq = p.seq JOIN customers c ON c.ref = s.ref
      WHERE p.id IS NULL OR p.subscriptions_changed`);
    // The report counts the file's rows, as when every customer's rows are replaced.
    const n = await q(
      `SELECT coalesce(sum(cardinality(c_email)), 0)::int AS contacts, coalesce(sum(cardinality(s_product)), 0)::int AS subscriptions
       FROM import_customers`,
    );
    return n.rows[0];
  }

  /**
   * An empty registry (the first import, or a new installation) that the direct load did not take (a CSV file, a
   * dry run's plan, a role that owns the tables but may not skip the foreign-key triggers) is filled without per-row
   * index maintenance: the indexes of the three tables are dropped inside this transaction, the rows are
   * written in index order with ids derived from the staging `seq`, and the same indexes and
   * constraints are built again from their catalogue definitions before commit. Dropping an index
   * takes an ACCESS EXCLUSIVE lock, so readers of the (empty) registry wait for the commit instead of
   * seeing it empty; they never see a partial one. Only the tables' owner may do this; others, and a
   * registry that already has customers, take the row-by-row path. The customer primary key stays:
   * foreign keys of other tables depend on it.
   */
  private async loadFresh(s: ImportSession, q: Query): Promise<{ contacts: number; subscriptions: number }> {
    const indexes = await dropRegistryIndexes(q);
    // Reserve one id per staged customer: id = base + seq - 1.
    const n = (await q(`SELECT count(*)::bigint AS n FROM import_customers`)).rows[0].n as string;
    let base = '1';
    if (Number(n) > 0) {
      const next = await nextCustomerId(q);
      base = next.id;
      await q(`SELECT setval($1::regclass, $2::bigint + $3::bigint - 1)`, [next.sequence, base, n]);
    }
    await q(
      `INSERT INTO customers (id, ref, name, tier, country, am_email, am_name, active, rows_digest)
       SELECT $1::bigint + seq - 1, ref, name, tier, country, am_email, am_name, true, rows_digest FROM import_customers`,
      [base],
    );
    // Set-returning functions in the select list advance in step, like a multi-argument unnest, but cheaper.
    const contacts = await q(
      `INSERT INTO contacts (customer_id, email, name, locale, role, notices)
       SELECT $1::bigint + seq - 1, unnest(c_email), unnest(c_name), unnest(c_locale), unnest(c_role), unnest(c_notices)
       FROM import_customers`,
      [base],
    );
    const subscriptions = await q(
      `INSERT INTO subscriptions (customer_id, product, country)
       SELECT $1::bigint + seq - 1, unnest(s_product), unnest(s_country) FROM import_customers`,
      [base],
    );
    await rebuildRegistryIndexes(q, indexes);
    // The planner's statistics for matching right after the first import (autovacuum would come later).
    await q(`ANALYZE customers, contacts, subscriptions`);
    return { contacts: contacts.rowCount ?? 0, subscriptions: subscriptions.rowCount ?? 0 };
  }

  /**
   * Foreign-key triggers check each inserted row on its own (millions of lookups for a large file).
   * Every reference of this apply is already known valid: customer ids come from the join, and the
   * product and country codes were checked. So, when the role may, this transaction takes the same
   * KEY SHARE locks the triggers would (once per referenced code, keeping them from being deleted
   * until commit) and skips the per-row triggers. Other writers still get every constraint.
   */
  private async enterBulkMode(s: ImportSession, refs: { products: string[]; countries: string[] }): Promise<boolean> {
    if (!(await isSuperuser(s.client))) return false;
    await lockCatalogRefs(s.client, refs);
    await s.client.query(`SET LOCAL session_replication_role = replica`);
    return true;
  }
}
