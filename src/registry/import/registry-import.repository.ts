// All SQL of a registry import: a session-private staging table filled by COPY, set-based checks, and the apply.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { releaseOrDiscard } from '../../common/release-or-discard';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, QueryRunner } from 'typeorm';
import type { ImportError, ImportFormat } from './import.types';
import { StagingCopy } from './staging-copy';
import { STAGING_COLUMNS } from './staging-row';

/** One import's connection: the staging table is a temporary table, private to it. */
export interface ImportSession {
  runner: QueryRunner;
  client: PoolClient;
  /** True once some ref has more than one staged row (CSV rows of one ref that are not adjacent). */
  repeats: boolean;
}

@Injectable()
export class RegistryImportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async openSession(): Promise<ImportSession> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      // Staging lives in backend-local buffers; these apply to this session only, which is discarded afterwards.
      await client.query(`SET temp_buffers = '256MB'`).catch(() => undefined);
      await client.query(`SET work_mem = '128MB'`);
      await client.query(`DROP TABLE IF EXISTS import_customers`);
      await client.query(`
        CREATE TEMP TABLE import_customers (
          seq integer NOT NULL, line integer NOT NULL, ref text NOT NULL, name text NOT NULL, tier text NOT NULL, country text NOT NULL,
          am_email text, am_name text,
          c_email text[] NOT NULL, c_name text[] NOT NULL, c_locale text[] NOT NULL, c_role text[] NOT NULL,
          c_notices boolean[] NOT NULL, s_product text[] NOT NULL, s_country text[] NOT NULL,
          w_url text, rows_digest bytea
        )`);
      return { runner, client, repeats: false };
    } catch (e) {
      await this.closeSession({ runner, client, repeats: false }, e as Error);
      throw e;
    }
  }

  /** Ends the session; the connection is discarded (not pooled) so its temp table and settings go with it. */
  async closeSession(s: ImportSession, error?: Error): Promise<void> {
    await releaseOrDiscard(s.runner, error ?? new Error('registry import finished'));
  }

  startCopy(s: ImportSession): StagingCopy {
    const stream = s.client.query(copyFrom(`COPY import_customers (${STAGING_COLUMNS.join(', ')}) FROM STDIN`));
    return new StagingCopy(stream);
  }

  /** Statistics for the planner (temporary tables are not auto-analyzed), and whether any ref repeats. */
  async analyze(s: ImportSession): Promise<void> {
    await s.client.query(`ANALYZE import_customers`);
    const r = await s.client.query(
      `SELECT EXISTS (SELECT 1 FROM import_customers GROUP BY ref HAVING count(*) > 1) AS repeats`,
    );
    s.repeats = r.rows[0].repeats;
  }

  /** JSON Lines: a ref on several lines. CSV: non-adjacent rows of one ref that disagree, or repeat a contact. */
  async repeatedRefErrors(
    s: ImportSession,
    format: ImportFormat,
    cap: number,
  ): Promise<{ total: number; errors: ImportError[] }> {
    if (!s.repeats) return { total: 0, errors: [] };
    const sql =
      format === 'jsonl'
        ? `SELECT line, 'ref' AS field, 'ref ' || ref || ' already appears on line ' || first_line AS message
           FROM (SELECT line, ref, min(line) OVER (PARTITION BY ref) AS first_line FROM import_customers) x
           WHERE line > first_line`
        : `WITH r AS (
             SELECT *, first_value(line) OVER w AS first_line,
                    first_value(ROW(name, tier, country, am_email, am_name)::text) OVER w AS first_fields,
                    first_value(ROW(s_product, s_country)::text) OVER w AS first_products
             FROM import_customers WINDOW w AS (PARTITION BY ref ORDER BY line))
           SELECT line, 'ref' AS field, 'fields of ref ' || ref || ' disagree with line ' || first_line AS message
             FROM r WHERE line > first_line AND ROW(name, tier, country, am_email, am_name)::text <> first_fields
           UNION ALL
           SELECT line, 'products', 'products of ref ' || ref || ' disagree with line ' || first_line
             FROM r WHERE line > first_line AND ROW(s_product, s_country)::text <> first_products
           UNION ALL
           SELECT line, 'contact_email', 'contact_email ' || email || ' appears twice for ref ' || ref
             FROM (SELECT s.line, s.ref, e.email, row_number() OVER (PARTITION BY s.ref, e.email ORDER BY s.line) AS n
                   FROM import_customers s CROSS JOIN LATERAL unnest(s.c_email) AS e(email)
                   WHERE s.ref IN (SELECT ref FROM import_customers GROUP BY ref HAVING count(*) > 1)) d
             WHERE n > 1`;
    return errorsOf(s.client, sql, [], cap);
  }

  /** Rows naming a product code in `unknown` (found by comparing the file's distinct codes with the catalog). */
  unknownProductErrors(s: ImportSession, unknown: string[], field: string, cap: number) {
    return errorsOf(
      s.client,
      `SELECT s.line, $2::text AS field, 'unknown product "' || x.product || '"' AS message
       FROM import_customers s CROSS JOIN LATERAL unnest(s.s_product) AS x(product)
       WHERE x.product = ANY($1::text[])`,
      [unknown, field],
      cap,
    );
  }

  unknownCountryErrors(
    s: ImportSession,
    unknown: string[],
    fields: { customer: string; subscription: string },
    cap: number,
  ) {
    return errorsOf(
      s.client,
      `SELECT line, $2::text AS field, 'unknown country "' || country || '"' AS message
         FROM import_customers WHERE country = ANY($1::text[])
       UNION ALL
       SELECT DISTINCT s.line, $3::text, 'unknown destination country "' || x.country || '"'
         FROM import_customers s CROSS JOIN LATERAL unnest(s.s_country) AS x(country)
         WHERE x.country = ANY($1::text[])`,
      [unknown, fields.customer, fields.subscription],
      cap,
    );
  }
}

/** Runs a query of (line, field, message) rows: how many there are, and the first `cap` of them by line. */
export async function errorsOf(
  client: PoolClient,
  sql: string,
  params: unknown[],
  cap: number,
): Promise<{ total: number; errors: ImportError[] }> {
  const r = await client.query(
    `WITH e AS (${sql}) SELECT (SELECT count(*)::int FROM e) AS total,
       COALESCE((SELECT json_agg(x) FROM (SELECT * FROM e ORDER BY line LIMIT $${params.length + 1}) x), '[]') AS errors`,
    [...params, cap],
  );
  return { total: r.rows[0].total as number, errors: r.rows[0].errors as ImportError[] };
}
