// An empty registry filled from JSON Lines straight into its own tables, in one transaction held from the first
// line to the commit: no staging table, no INSERT … SELECT, the indexes built once at the end.
import { Injectable } from '@nestjs/common';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ImportError } from './import.types';
import {
  dropRegistryIndexes,
  IMPORT_TRY_LOCK,
  isSuperuser,
  lockCatalogRefs,
  lockEmptyRegistry,
  nextCustomerId,
  rebuildRegistryIndexes,
  type RegistryIndex,
} from './registry-bulk';
import { errorsOf, type ImportSession } from './registry-import.repository';
import { DIRECT_COLUMNS, emptyDirectRows, type DirectRows, type DirectTable } from './staging-row';

/** A direct load under way: customer ids are `idBase + line - 1`. */
export interface DirectLoad {
  idBase: number;
  sequence: string;
  indexes: RegistryIndex[];
}

type Errors = { total: number; errors: ImportError[] };

const TABLES = Object.keys(DIRECT_COLUMNS) as DirectTable[];

/** A megabyte of rows per COPY: a few hundred statements for a million customers, memory flat. */
const FLUSH_AT = 1024 * 1024;

/**
 * Gathers each registry table's rows and writes them with one `COPY … FROM STDIN` per megabyte. One connection runs
 * one COPY at a time, so the tables take turns; the parse threads go on with the next lines meanwhile.
 */
export class DirectCopy {
  private readonly pending = emptyDirectRows();
  readonly rows: Record<DirectTable, number> = { customers: 0, contacts: 0, subscriptions: 0, customer_webhooks: 0 };

  constructor(private readonly client: PoolClient) {}

  async add(batch: DirectRows): Promise<void> {
    for (const t of TABLES) {
      this.pending[t] += batch[t];
      if (this.pending[t].length >= FLUSH_AT) await this.flush(t);
    }
  }

  async end(): Promise<void> {
    for (const t of TABLES) if (this.pending[t]) await this.flush(t);
  }

  private async flush(t: DirectTable): Promise<void> {
    const text = this.pending[t];
    this.pending[t] = '';
    const stream = this.client.query(copyFrom(`COPY ${t} (${DIRECT_COLUMNS[t].join(', ')}) FROM STDIN`));
    stream.end(text);
    await finished(stream);
    this.rows[t] += stream.rowCount;
  }
}

@Injectable()
export class RegistryDirectLoadRepository {
  /**
   * Opens the load: when this role may skip the per-row foreign-key triggers (a superuser, as for the import's bulk
   * mode) and owns the registry tables, no other import is under way and the registry is empty, it takes the import
   * lock and the tables' ACCESS EXCLUSIVE lock (readers wait for the commit, as they do for any first import's
   * apply, but here from the first line on), drops their indexes and reserves the first customer id. Otherwise
   * returns null at once and holds nothing: the import is staged and waits for the lock only to apply.
   */
  async begin(s: ImportSession): Promise<DirectLoad | null> {
    if (!(await isSuperuser(s.client))) return null;
    await s.runner.startTransaction();
    try {
      const [{ locked }] = (await s.client.query(`SELECT ${IMPORT_TRY_LOCK} AS locked`)).rows;
      if (!locked || !(await lockEmptyRegistry(s.client))) {
        await s.runner.rollbackTransaction();
        return null;
      }
      // A reader that stops feeding the load (a hung pipe) gives the registry back instead of holding it locked.
      await s.client.query(`SET LOCAL idle_in_transaction_session_timeout = '60s'`);
      // Every code the rows name is checked (unknownCodeErrors) and locked (finish) before commit.
      await s.client.query(`SET LOCAL session_replication_role = replica`);
      const q = (sql: string, params?: unknown[]) => s.client.query(sql, params);
      const indexes = await dropRegistryIndexes(q);
      const first = await nextCustomerId(q);
      return { idBase: Number(first.id), sequence: first.sequence, indexes };
    } catch (e) {
      await s.runner.rollbackTransaction().catch(() => undefined);
      throw e;
    }
  }

  /** The loaded rows that name a product or country the catalogue does not know, as the staging checks word them. */
  async unknownCodeErrors(
    s: ImportSession,
    load: DirectLoad,
    unknown: { products: string[]; countries: string[] },
    cap: number,
  ): Promise<Errors[]> {
    const found: Errors[] = [];
    if (unknown.products.length) {
      found.push(
        await errorsOf(
          s.client,
          `SELECT (customer_id - $2 + 1)::int AS line, 'subscriptions' AS field, 'unknown product "' || product || '"' AS message
             FROM subscriptions WHERE product = ANY($1::text[])`,
          [unknown.products, load.idBase],
          cap,
        ),
      );
    }
    if (unknown.countries.length) {
      found.push(
        await errorsOf(
          s.client,
          `SELECT (id - $2 + 1)::int AS line, 'country' AS field, 'unknown country "' || country || '"' AS message
             FROM customers WHERE country = ANY($1::text[])
           UNION ALL
           SELECT DISTINCT (customer_id - $2 + 1)::int, 'subscriptions', 'unknown destination country "' || country || '"'
             FROM subscriptions WHERE country = ANY($1::text[])`,
          [unknown.countries, load.idBase],
          cap,
        ),
      );
    }
    return found;
  }

  /** A ref on several lines: each later line, naming the first (the staging check's wording). */
  repeatedRefErrors(s: ImportSession, load: DirectLoad, cap: number): Promise<Errors> {
    return errorsOf(
      s.client,
      `SELECT line, 'ref' AS field, 'ref ' || ref || ' already appears on line ' || first_line AS message
         FROM (SELECT (id - $1 + 1)::int AS line, ref, min(id - $1 + 1) OVER (PARTITION BY ref) AS first_line
                 FROM customers) x
        WHERE line > first_line`,
      [load.idBase],
      cap,
    );
  }

  /**
   * Sets the id sequence past the last customer, builds the indexes and constraints again, takes fresh planner
   * statistics and the catalogue locks, and turns the per-row triggers back on. A unique constraint that cannot be
   * built (a ref on two lines) leaves the transaction usable: the caller then lists the repeats and rolls back.
   */
  async finish(
    s: ImportSession,
    load: DirectLoad,
    lastLine: number,
    refs: { products: string[]; countries: string[] },
  ): Promise<'done' | 'repeated refs'> {
    const q = (sql: string, params?: unknown[]) => s.client.query(sql, params);
    if (lastLine > 1) await q(`SELECT setval($1::regclass, $2::bigint)`, [load.sequence, load.idBase + lastLine - 1]);
    await q(`SAVEPOINT registry_indexes`);
    try {
      await rebuildRegistryIndexes(q, load.indexes);
    } catch (e) {
      if ((e as { code?: string }).code !== '23505') throw e;
      await q(`ROLLBACK TO SAVEPOINT registry_indexes`);
      return 'repeated refs';
    }
    await q(`RELEASE SAVEPOINT registry_indexes`);
    await q(`ANALYZE customers, contacts, subscriptions`);
    await lockCatalogRefs(s.client, refs);
    await q(`SET LOCAL session_replication_role = origin`);
    return 'done';
  }
}
