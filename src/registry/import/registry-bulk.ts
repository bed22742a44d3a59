// What both ways of filling an empty registry share: the import lock, the registry's table locks, its indexes
// dropped and rebuilt in one transaction, and the catalogue locks that stand in for the skipped foreign-key triggers.
import type { PoolClient } from 'pg';

/** Serializes imports, so a sync never races an upsert. */
export const IMPORT_LOCK = `pg_advisory_xact_lock(hashtext('impact-notices:registry-import'))`;
/** The same lock if it is free now: true when taken. */
export const IMPORT_TRY_LOCK = `pg_try_advisory_xact_lock(hashtext('impact-notices:registry-import'))`;

export const REGISTRY_TABLES = ['customers', 'contacts', 'subscriptions'] as const;

export class CatalogChangedError extends Error {}

/** One index or index-backed constraint of a registry table, as the catalogue defines it. */
export interface RegistryIndex {
  index: string;
  table: string;
  conname: string | null;
  condef: string | null;
  indexdef: string;
}

export type RegistryQuery = (sql: string, params?: unknown[]) => Promise<{ rowCount: number | null; rows: any[] }>;

const quoteIdent = (name: string) => '"' + name.replace(/"/g, '""') + '"';

export async function isSuperuser(client: PoolClient): Promise<boolean> {
  const r = await client.query(`SELECT current_setting('is_superuser') = 'on' AS su`);
  return r.rows[0].su;
}

/**
 * True, with the three registry tables locked ACCESS EXCLUSIVE until commit, when the registry is empty and this
 * role owns its tables (only the owner may drop their indexes). Call inside the transaction, after IMPORT_LOCK.
 */
export async function lockEmptyRegistry(client: PoolClient): Promise<boolean> {
  const r = await client.query(
    `SELECT NOT EXISTS (SELECT 1 FROM customers) AS empty,
            bool_and(pg_has_role(relowner, 'USAGE')) AS owned
     FROM pg_class WHERE oid = ANY (ARRAY['customers', 'contacts', 'subscriptions']::regclass[])`,
  );
  if (!r.rows[0].empty || !r.rows[0].owned) return false;
  await client.query(`LOCK TABLE customers, contacts, subscriptions IN ACCESS EXCLUSIVE MODE`);
  // Only imports write these tables and they hold the import lock, but check again under the table lock.
  const again = await client.query(`SELECT NOT EXISTS (SELECT 1 FROM customers) AS empty`);
  return again.rows[0].empty;
}

/**
 * Drops the registry tables' indexes and index-backed constraints (the customer primary key stays: other tables'
 * foreign keys depend on it) and returns their definitions for `rebuildRegistryIndexes`, which this transaction's
 * larger `maintenance_work_mem` is for.
 */
export async function dropRegistryIndexes(q: RegistryQuery): Promise<RegistryIndex[]> {
  await q(`SET LOCAL maintenance_work_mem = '256MB'`);
  const indexes = (
    await q(
      `SELECT i.indexrelid::regclass::text AS index, i.indrelid::regclass::text AS table, con.conname,
              pg_get_constraintdef(con.oid) AS condef, pg_get_indexdef(i.indexrelid) AS indexdef
       FROM pg_index i
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
       WHERE i.indrelid = ANY (ARRAY['customers', 'contacts', 'subscriptions']::regclass[])
         AND NOT EXISTS (SELECT 1 FROM pg_constraint fk WHERE fk.contype = 'f' AND fk.conindid = i.indexrelid)
       ORDER BY i.indexrelid`,
    )
  ).rows as RegistryIndex[];
  for (const ix of indexes) {
    await q(
      ix.conname ? `ALTER TABLE ${ix.table} DROP CONSTRAINT ${quoteIdent(ix.conname)}` : `DROP INDEX ${ix.index}`,
    );
  }
  return indexes;
}

/** The customer id sequence and the next id taken from it (the first of the ids an empty registry's load assigns). */
export async function nextCustomerId(q: RegistryQuery): Promise<{ sequence: string; id: string }> {
  const [{ sequence }] = (await q(`SELECT pg_get_serial_sequence('customers', 'id') AS sequence`)).rows;
  const [{ id }] = (await q(`SELECT nextval($1::regclass)::text AS id`, [sequence])).rows;
  return { sequence, id };
}

/** Builds again, from their definitions, the indexes and constraints `dropRegistryIndexes` dropped. */
export async function rebuildRegistryIndexes(q: RegistryQuery, indexes: RegistryIndex[]): Promise<void> {
  for (const ix of indexes) {
    await q(ix.conname ? `ALTER TABLE ${ix.table} ADD CONSTRAINT ${quoteIdent(ix.conname)} ${ix.condef}` : ix.indexdef);
  }
}

/**
 * Takes the KEY SHARE locks the skipped foreign-key triggers would take on the catalogue rows the file names (so
 * none can be deleted until commit) and checks that every one still exists.
 */
export async function lockCatalogRefs(
  client: PoolClient,
  refs: { products: string[]; countries: string[] },
): Promise<void> {
  const products = await client.query(`SELECT code FROM products WHERE code = ANY($1::text[]) FOR KEY SHARE`, [
    refs.products,
  ]);
  const countries = await client.query(`SELECT code FROM countries WHERE code = ANY($1::text[]) FOR KEY SHARE`, [
    refs.countries,
  ]);
  if (products.rowCount !== refs.products.length || countries.rowCount !== refs.countries.length) {
    throw new CatalogChangedError('the product catalogue changed during the import; run it again');
  }
}
