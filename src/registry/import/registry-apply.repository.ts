// The apply step of an import: one transaction that replaces the staged customers' rows in the registry.
import { Injectable, Logger } from '@nestjs/common';
import type { ImportMode } from './import.types';
import type { ImportSession } from './registry-import.repository';

/** Serializes imports, so a sync never races an upsert. */
const IMPORT_LOCK = `pg_advisory_xact_lock(hashtext('impact-notices:registry-import'))`;

export class CatalogChangedError extends Error {}

@Injectable()
export class RegistryApplyRepository {
  private readonly logger = new Logger(RegistryApplyRepository.name);

  /** Opens the apply transaction and waits for any other import to finish. */
  async begin(s: ImportSession): Promise<void> {
    await s.runner.startTransaction();
    await s.client.query(`SELECT ${IMPORT_LOCK}`);
  }

  /** What applying would do to customers (contacts and subscriptions are counted when written). */
  async plannedCounts(s: ImportSession, mode: ImportMode): Promise<{ created: number; updated: number; deactivated: number }> {
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
    await q(`DELETE FROM contacts t USING customers c, import_customers s WHERE s.ref = c.ref AND t.customer_id = c.id`);
    await q(`DELETE FROM subscriptions t USING customers c, import_customers s WHERE s.ref = c.ref AND t.customer_id = c.id`);
    await q(`
      INSERT INTO customers (ref, name, tier, country, am_email, am_name, active)
      SELECT ${s.repeats ? 'DISTINCT ON (ref)' : ''} ref, name, tier, country, am_email, am_name, true
      FROM import_customers ${s.repeats ? 'ORDER BY ref, line' : ''}
      ON CONFLICT (ref) DO UPDATE SET name = excluded.name, tier = excluded.tier, country = excluded.country,
        am_email = excluded.am_email, am_name = excluded.am_name, active = true, updated_at = now()`);
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
    if (mode === 'sync') {
      await q(`UPDATE customers c SET active = false, updated_at = now()
               WHERE c.active AND NOT EXISTS (SELECT 1 FROM import_customers s WHERE s.ref = c.ref)`);
    }
    if (bulk) await q(`SET LOCAL session_replication_role = origin`);
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
    const su = await s.client.query(`SELECT current_setting('is_superuser') = 'on' AS su`);
    if (!su.rows[0].su) return false;
    const products = await s.client.query(`SELECT code FROM products WHERE code = ANY($1::text[]) FOR KEY SHARE`, [refs.products]);
    const countries = await s.client.query(`SELECT code FROM countries WHERE code = ANY($1::text[]) FOR KEY SHARE`, [refs.countries]);
    if (products.rowCount !== refs.products.length || countries.rowCount !== refs.countries.length) {
      throw new CatalogChangedError('the product catalogue changed during the import; run it again');
    }
    await s.client.query(`SET LOCAL session_replication_role = replica`);
    return true;
  }
}
