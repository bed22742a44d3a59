// Affected-customer lists of an event (who was told what) and of a case (who is suspended now), with filters.
// Rows are chosen and ordered first (by the ref copied into event_customers, without touching customers when no
// filter needs them); names, account managers and delivery states are read for the chosen page only. The CSV export
// reads the whole list as one streamed query.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import type { Principal } from '../domain/roles';
import { releaseOrDiscard } from '../common/release-or-discard';
import { customerVisibility } from '../registry/customer-visibility';

export interface AffectedFilter {
  tier?: string;
  country?: string;
  product?: string;
  accountManager?: string;
  deliveryStatus?: string;
  q?: string;
  sort?: 'ref' | 'name' | 'country' | 'tier';
  page: number;
  pageSize: number;
}

export interface AffectedItem {
  ref: string;
  name: string;
  tier: string;
  country: string;
  accountManager: { email: string; name: string } | null;
  subscriptions: { product: string; country: string }[];
  kind?: string;
  deliveryStatus?: string;
}

/** One list, as SQL: the parts every use (count, page, CSV export) shares. */
export interface AffectedQuery {
  params: unknown[];
  /** `FROM … WHERE …` of the chosen rows, alias `r` for the row source and `c` for customers when a filter needs them. */
  from: string;
  /** The same rows with `c` always joined, and for an event `d`, its customers' delivery states (the CSV export). */
  joinedFrom: string;
  /** Columns of `r` a page chooses its rows by: as few as possible, so that skipping rows reads an index only. */
  keyColumns: string;
  /** `FROM …` of a page's outer select: from the chosen keys (`p`) back to the full row `r` and its customer `c`. */
  pageFrom: string;
  /** The select list over `r` and `c`. */
  select: string;
  /** ORDER BY over `r` and `c`. */
  order: string;
  /** The export's CSV columns over `r`, `c` and `d`, as a select list (COPY's CSV format quotes them). */
  csvColumns: string;
  /** True when a filter or the viewer's visibility narrows the list (otherwise it is every row of the event or case). */
  filtered: boolean;
}

const REF = 'COLLATE "C"';
const SORTS = {
  ref: `r.ref ${REF}`,
  name: `c.name, r.ref ${REF}`,
  country: `c.country, r.ref ${REF}`,
  tier: `c.tier, r.ref ${REF}`,
} as const;

/** The least advanced state among a group of notices `n` (an aggregate over the group). */
const LEAST_ADVANCED = `CASE
    WHEN bool_or(n.status = 'failed') THEN 'failed'
    WHEN bool_or(n.status = 'retrying') THEN 'retrying'
    WHEN bool_or(n.status = 'sending') THEN 'sending'
    WHEN bool_or(n.status = 'pending') THEN 'pending'
    WHEN bool_or(n.status = 'cancelled') THEN 'cancelled'
    WHEN bool_or(n.status = 'bounced') THEN 'bounced'
    WHEN bool_or(n.status = 'complained') THEN 'complained'
    WHEN bool_or(n.status = 'suppressed') THEN 'suppressed' ELSE 'sent' END`;

/** A customer's delivery state for an event: the least advanced of its contacts' notices ('none' without any). */
const delivery = (alias: string) => `(SELECT CASE WHEN count(*) = 0 THEN 'none' ELSE ${LEAST_ADVANCED} END
  FROM notices n WHERE n.event_pk = ${alias}.event_pk AND n.customer_id = ${alias}.customer_id AND NOT n.is_test)`;

/** `deliveryStatus=unreached` (SPEC §4): none of the customer's notices of the event ended `sent`. */
export const UNREACHED = 'unreached';
const UNREACHED_SQL = (alias: string) => `NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_pk = ${alias}.event_pk
  AND n.customer_id = ${alias}.customer_id AND n.status = 'sent' AND NOT n.is_test)`;

/** Filters whose totals are stored per applied event (event_facet_totals); the first two depend on the registry. */
const FACETS = ['tier', 'accountManager', 'country', 'product'] as const;
export type Facet = (typeof FACETS)[number];
const REGISTRY_FACETS: readonly Facet[] = FACETS.slice(0, 2);

/** The one stored-total filter of `f`, when it is the list's only filter (no search, no delivery state); else null. */
export function singleFacet(f: AffectedFilter): { facet: Facet; value: string } | null {
  if (f.q || f.deliveryStatus) return null;
  const set = FACETS.filter((k) => f[k]);
  return set.length === 1 ? { facet: set[0], value: f[set[0]]! } : null;
}

/** The same state for every customer of an event at once: one pass over its notices, for the CSV export. */
const deliveryByCustomer = (eventParam: string) => `(SELECT n.customer_id, ${LEAST_ADVANCED} AS state
  FROM notices n WHERE n.event_pk = ${eventParam} AND n.customer_id IS NOT NULL AND NOT n.is_test GROUP BY n.customer_id)`;

/** Parameterised WHERE clauses; values never enter the SQL text. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[];
  needsCustomer = false;
  constructor(initial: unknown[]) {
    this.params = [...initial];
  }
  add(sql: (p: string) => string, value: unknown, onCustomer = false): void {
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
    this.needsCustomer ||= onCustomer;
  }
  /** A condition with no value of its own. */
  addFixed(sql: string): void {
    this.parts.push(sql);
  }
  get sql(): string {
    return this.parts.length ? `AND ${this.parts.join(' AND ')}` : '';
  }
}

function filters(w: Where, f: AffectedFilter, viewer: Principal, subsExpr: string): void {
  const visible = customerVisibility(viewer, 'c', w.params.length + 1);
  if (visible.params.length) w.add(() => visible.sql, visible.params[0], true);
  if (f.tier) w.add((p) => `c.tier = ${p}`, f.tier, true);
  if (f.accountManager) w.add((p) => `c.am_email = lower(${p})`, f.accountManager, true);
  if (f.q) {
    w.add(
      (p) => `(c.ref ILIKE ${p} ESCAPE '\\' OR c.name ILIKE ${p} ESCAPE '\\')`,
      `%${f.q.replace(/[\\%_]/g, '\\$&')}%`,
      true,
    );
  }
  // Containment (`[{"country": "JP"}]`, a parameter) instead of unnesting every row's array: the same answer at a
  // fraction of the cost per row.
  if (f.country) w.add((p) => `${subsExpr} @> ${p}::jsonb`, JSON.stringify([{ country: f.country }]));
  if (f.product) w.add((p) => `${subsExpr} @> ${p}::jsonb`, JSON.stringify([{ product: f.product }]));
}

const CUSTOMER_COLUMNS = `c.ref, c.name, c.tier, c.country::text AS country, c.am_email, c.am_name`;

/**
 * The CSV fields of a customer and its subscriptions (`product@country;…`), as `toItem` and the export map them.
 * COPY's CSV format quotes exactly what csv-stringify quotes (a quote, a comma or a line break) but also writes an
 * empty string as `""`, which csv-stringify leaves empty: free text goes through `nullif(…, '')`.
 */
const csvCustomer = (subs: string) => [
  `nullif(c.ref, '')`,
  `nullif(c.name, '')`,
  'c.tier',
  'c.country::text',
  `nullif(c.am_email, '')`,
  `CASE WHEN c.am_email <> '' THEN nullif(c.am_name, '') END`,
  `(SELECT string_agg((e.v ->> 'product') || '@' || (e.v ->> 'country'), ';' ORDER BY e.n)
      FROM jsonb_array_elements(${subs}) WITH ORDINALITY AS e(v, n))`,
];

/** The totals stored per applied event (see storeFacetTotals), counted in one statement: one snapshot. */
const FACET_TOTALS_INSERT = `WITH g AS (SELECT generation FROM registry_state),
        r AS (SELECT r.customer_id, c.tier, c.am_email,
                     CASE WHEN jsonb_array_length(r.affected) > 0 THEN r.affected ELSE r.removed END AS subs
                FROM event_customers r JOIN customers c ON c.id = r.customer_id WHERE r.event_pk = $1),
        e AS (SELECT r.customer_id, x ->> 'country' AS country, x ->> 'product' AS product
                FROM r, jsonb_array_elements(r.subs) x),
        t AS (SELECT 'all' AS facet, '' AS value, count(*) AS n FROM r
              UNION ALL SELECT 'tier', tier, count(*) FROM r GROUP BY tier
              UNION ALL SELECT 'accountManager', am_email, count(*) FROM r WHERE am_email IS NOT NULL GROUP BY am_email
              UNION ALL SELECT 'country', country, count(DISTINCT customer_id) FROM e WHERE country IS NOT NULL GROUP BY country
              UNION ALL SELECT 'product', product, count(DISTINCT customer_id) FROM e WHERE product IS NOT NULL GROUP BY product)
   INSERT INTO event_facet_totals (event_pk, facet, value, customers, registry_generation)
   SELECT $1, t.facet, t.value, t.n, g.generation FROM t, g
   ON CONFLICT DO NOTHING`;

@Injectable()
export class AffectedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Customers told by one event, with the kind and the delivery state of their notices. */
  eventQuery(eventPk: string, f: AffectedFilter, viewer: Principal): AffectedQuery {
    const w = new Where([eventPk]);
    const subs = `(CASE WHEN jsonb_array_length(r.affected) > 0 THEN r.affected ELSE r.removed END)`;
    filters(w, f, viewer, subs);
    if (f.deliveryStatus === UNREACHED) w.addFixed(UNREACHED_SQL('r'));
    else if (f.deliveryStatus) w.add((p) => `${delivery('r')} = ${p}`, f.deliveryStatus);
    const customers = 'JOIN customers c ON c.id = r.customer_id';
    const join = w.needsCustomer || (f.sort && f.sort !== 'ref') ? customers : '';
    return {
      params: w.params,
      from: `FROM event_customers r ${join} WHERE r.event_pk = $1 ${w.sql}`,
      joinedFrom: `FROM event_customers r ${customers} LEFT JOIN ${deliveryByCustomer('$1')} d ON d.customer_id = r.customer_id
                   WHERE r.event_pk = $1 ${w.sql}`,
      keyColumns: 'r.customer_id, r.ref',
      pageFrom: `FROM p JOIN event_customers r ON r.event_pk = $1 AND r.customer_id = p.customer_id ${customers}`,
      select: `${CUSTOMER_COLUMNS}, ${subs} AS subscriptions, r.kind, ${delivery('r')} AS delivery_status`,
      order: SORTS[f.sort ?? 'ref'],
      csvColumns: [...csvCustomer(subs), 'r.kind', `coalesce(d.state, 'none')`].join(', '),
      filtered: w.parts.length > 0,
    };
  }

  /** Customers with subscriptions in the case's suspended set now. */
  caseQuery(caseId: string, f: AffectedFilter, viewer: Principal): AffectedQuery {
    const w = new Where([caseId]);
    filters(w, f, viewer, 'r.subs');
    const from = `FROM (SELECT s.customer_id, c0.ref,
                          jsonb_agg(jsonb_build_object('product', s.product, 'country', s.country) ORDER BY s.product, s.country) AS subs
                     FROM case_suspensions s JOIN customers c0 ON c0.id = s.customer_id
                    WHERE s.case_id = $1 GROUP BY s.customer_id, c0.ref) r
             JOIN customers c ON c.id = r.customer_id WHERE true ${w.sql}`;
    return {
      params: w.params,
      from,
      joinedFrom: from,
      keyColumns: 'r.customer_id, r.ref, r.subs',
      pageFrom: 'FROM p r JOIN customers c ON c.id = r.customer_id',
      select: `${CUSTOMER_COLUMNS}, r.subs AS subscriptions`,
      order: SORTS[f.sort ?? 'ref'],
      csvColumns: csvCustomer('r.subs').join(', '),
      filtered: w.parts.length > 0,
    };
  }

  /**
   * One page and the total; the two run side by side on two connections, so a page costs the slower of them. A
   * `knownTotal` (an unfiltered event list: its size is stored when the event is applied) saves the count.
   */
  async page(q: AffectedQuery, f: AffectedFilter, knownTotal?: number) {
    const n = q.params.length;
    const [[{ total }], rows] = await Promise.all([
      knownTotal !== undefined ? [{ total: knownTotal }] : this.count(q).then((total) => [{ total }]),
      this.query(
        `WITH p AS (SELECT ${q.keyColumns} ${q.from} ORDER BY ${q.order} LIMIT $${n + 1} OFFSET $${n + 2})
         SELECT ${q.select} ${q.pageFrom} ORDER BY ${q.order}`,
        [...q.params, f.pageSize, (f.page - 1) * f.pageSize],
      ),
    ]);
    return { items: rows.map(toItem), total, page: f.page, pageSize: f.pageSize };
  }

  async count(q: AffectedQuery): Promise<number> {
    const [{ total }] = await this.query(`SELECT count(*)::int AS total ${q.from}`, q.params);
    return total;
  }

  /**
   * A list query planned for data that is in memory or on SSD: with the default random_page_cost (4, for spinning
   * disks) a deep page of a 300k-row event was read by sorting every row (260 ms) instead of walking the ref index
   * (26 ms). Set for these queries only, in their own transaction.
   */
  private query(sql: string, params: unknown[]): Promise<any[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL random_page_cost = 1.1`);
      return m.query(sql, params);
    });
  }

  /**
   * Stores the applied event's totals by tier, account manager, country and product (one statement, so they and the
   * registry generation they were counted under are one snapshot), and an `all` row that marks them written. Counted
   * as the filters count: a customer is in a country's or a product's total when one of its listed subscriptions
   * names it (`@>`), in a tier's or an account manager's by its customer row. Run after the apply committed, and
   * again when the registry has changed since: totals counted under an older generation are replaced, in one
   * snapshot (a concurrent refresh that loses fails with a serialization error and changes nothing).
   */
  storeFacetTotals(eventPk: string): Promise<void> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      await m.query(
        `DELETE FROM event_facet_totals
          WHERE event_pk = $1 AND registry_generation < (SELECT generation FROM registry_state)`,
        [eventPk],
      );
      await m.query(FACET_TOTALS_INSERT, [eventPk]);
    });
  }

  /**
   * The stored total of an applied event's list filtered by `facet = value` alone, seen by a viewer who sees every
   * customer; undefined when none is stored, `stale` for a tier or an account manager counted before an import
   * changed a customer's. A value with no row has no customers. The account manager is matched as the filter is.
   */
  async facetTotal(eventPk: string, facet: Facet, value: string): Promise<number | 'stale' | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT a.registry_generation = g.generation AS current,
              coalesce((SELECT t.customers FROM event_facet_totals t
                         WHERE t.event_pk = $1 AND t.facet = $2
                           AND t.value = CASE WHEN $2 = 'accountManager' THEN lower($3) ELSE $3 END), 0) AS customers
         FROM event_facet_totals a, registry_state g
        WHERE a.event_pk = $1 AND a.facet = 'all'`,
      [eventPk, facet, value],
    );
    if (!row) return undefined;
    return REGISTRY_FACETS.includes(facet) && !row.current ? 'stale' : row.customers;
  }

  /**
   * The affected list pages through an event's rows by an index alone once they are marked all-visible: vacuum them
   * after an apply rather than when autovacuum gets to it (until then a deep page reads the table for every row it skips).
   * With the statistics of every column: a split apply took them only of the two its joins need.
   */
  async vacuum(): Promise<void> {
    await this.dataSource.query(`VACUUM (ANALYZE) event_customers`);
  }

  /**
   * Every row in ref order as CSV, after `header`, written to `out`; resolves with the number of rows. One
   * `COPY (query) TO STDOUT` in CSV format: PostgreSQL formats and quotes the fields and streams the bytes while Node
   * passes them on (a cursor's round trips left each side idle while the other worked, and formatting the lines in
   * SQL cost a third of the query; 81k rows/s at 1M). COPY takes no bind parameters, so the list's values are
   * written into the statement as literals by the driver's own quoting. Memory stays flat: the stream pauses the
   * connection while `out` is full. A connection left mid-COPY (the client went away) is discarded, not pooled.
   */
  async copyCsv(q: AffectedQuery, header: string, out: Writable): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    let failure: Error | undefined;
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction('REPEATABLE READ');
      // JIT would compile this long query for seconds and save nothing: the work is per row and cheap.
      await runner.query(`SET LOCAL jit = off`);
      // The ref-order sort of a whole list (35 MB at 300k rows) and the delivery states stay in memory.
      await runner.query(`SET LOCAL work_mem = '64MB'`);
      // The literals below and the SQL's own (`ESCAPE '\'`) are read the standard way whatever the server's default.
      await runner.query(`SET LOCAL standard_conforming_strings = on`);
      const select = withLiterals(`SELECT ${q.csvColumns} ${q.joinedFrom} ORDER BY r.ref ${REF}`, q.params, (v) =>
        client.escapeLiteral(v),
      );
      const copy = client.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`));
      // The header goes out with the first rows, so a query that fails before any row still leaves the response
      // untouched (an error answer, not a 200 cut short).
      async function* withHeader(rows: AsyncIterable<Buffer>) {
        let first = true;
        for await (const chunk of rows) {
          yield first ? Buffer.concat([Buffer.from(`${header}\n`), chunk]) : chunk;
          first = false;
        }
        if (first) yield Buffer.from(`${header}\n`);
      }
      try {
        await pipeline(copy, withHeader, out);
      } catch (e) {
        // The reader went away mid-COPY: the connection is paused with PostgreSQL blocked writing to it, so it can
        // neither end politely nor roll back. Closing the socket ends the COPY and the session on the server.
        (client as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
        throw e;
      }
      await runner.commitTransaction();
      return copy.rowCount;
    } catch (e) {
      failure = e as Error;
      throw e;
    } finally {
      await releaseOrDiscard(runner, failure);
    }
  }
}

/** `sql` with each `$n` replaced by the n-th value as a quoted literal (NULL for null or undefined). */
export function withLiterals(sql: string, params: unknown[], quote: (v: string) => string): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`withLiterals: no value for $${n}`);
    const v = params[i];
    if (v === null || v === undefined) return 'NULL';
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`withLiterals: $${n} is a ${typeof v}`);
    return quote(String(v));
  });
}

export function toItem(r: Record<string, any>): AffectedItem {
  return {
    ref: r.ref,
    name: r.name,
    tier: r.tier,
    country: r.country,
    accountManager: r.am_email ? { email: r.am_email, name: r.am_name ?? '' } : null,
    subscriptions: r.subscriptions,
    ...(r.kind !== undefined ? { kind: r.kind, deliveryStatus: r.delivery_status } : {}),
  };
}
