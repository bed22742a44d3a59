// Affected-customer lists of an event (who was told what) and of a case (who is suspended now), with filters.
// Rows are chosen and ordered first (by the ref copied into event_customers, without touching customers when no
// filter needs them); names, account managers and delivery states are read for the chosen page only.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
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

/** One list, as SQL: the parts every use (count, page, CSV chunks) shares. */
export interface AffectedQuery {
  params: unknown[];
  /** `FROM … WHERE …` of the chosen rows, alias `r` for the row source and `c` for customers when joined. */
  from: string;
  /** Columns of `r` the outer select needs. */
  rowColumns: string;
  /** The outer select list over `p` (the chosen rows) and `c`. */
  select: string;
  /** ORDER BY over the chosen rows (`r`/`c`) and over the outer (`p`/`c`). */
  order: { inner: string; outer: string };
  /** CSV chunks page on ref. */
  refColumn: string;
}

const REF = 'COLLATE "C"';
const SORTS = {
  ref: { inner: `r.ref ${REF}`, outer: `p.ref ${REF}` },
  name: { inner: `c.name, r.ref ${REF}`, outer: `c.name, p.ref ${REF}` },
  country: { inner: `c.country, r.ref ${REF}`, outer: `c.country, p.ref ${REF}` },
  tier: { inner: `c.tier, r.ref ${REF}`, outer: `c.tier, p.ref ${REF}` },
} as const;

/** A customer's delivery state for an event: the least advanced of its contacts' notices. */
const delivery = (alias: string) => `(SELECT CASE WHEN count(*) = 0 THEN 'none'
    WHEN bool_or(n.status = 'failed') THEN 'failed'
    WHEN bool_or(n.status = 'retrying') THEN 'retrying'
    WHEN bool_or(n.status = 'sending') THEN 'sending'
    WHEN bool_or(n.status = 'pending') THEN 'pending'
    WHEN bool_or(n.status = 'cancelled') THEN 'cancelled' ELSE 'sent' END
  FROM notices n WHERE n.event_pk = ${alias}.event_pk AND n.customer_id = ${alias}.customer_id AND NOT n.is_test)`;

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
    w.add((p) => `(c.ref ILIKE ${p} ESCAPE '\\' OR c.name ILIKE ${p} ESCAPE '\\')`, `%${f.q.replace(/[\\%_]/g, '\\$&')}%`, true);
  }
  if (f.country) w.add((p) => `EXISTS (SELECT 1 FROM jsonb_array_elements(${subsExpr}) s WHERE s->>'country' = ${p})`, f.country);
  if (f.product) w.add((p) => `EXISTS (SELECT 1 FROM jsonb_array_elements(${subsExpr}) s WHERE s->>'product' = ${p})`, f.product);
}

const CUSTOMER_COLUMNS = `c.ref, c.name, c.tier, c.country::text AS country, c.am_email, c.am_name`;

@Injectable()
export class AffectedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Customers told by one event, with the kind and the delivery state of their notices. */
  eventQuery(eventPk: string, f: AffectedFilter, viewer: Principal): AffectedQuery {
    const w = new Where([eventPk]);
    const subs = `(CASE WHEN jsonb_array_length(r.affected) > 0 THEN r.affected ELSE r.removed END)`;
    filters(w, f, viewer, subs);
    if (f.deliveryStatus) w.add((p) => `${delivery('r')} = ${p}`, f.deliveryStatus);
    const sort = SORTS[f.sort ?? 'ref'];
    const join = w.needsCustomer || f.sort && f.sort !== 'ref' ? 'JOIN customers c ON c.id = r.customer_id' : '';
    return {
      params: w.params,
      from: `FROM event_customers r ${join} WHERE r.event_pk = $1 ${w.sql}`,
      rowColumns: 'r.event_pk, r.customer_id, r.ref, r.kind, r.affected, r.removed',
      select: `${CUSTOMER_COLUMNS}, (CASE WHEN jsonb_array_length(p.affected) > 0 THEN p.affected ELSE p.removed END) AS subscriptions,
               p.kind, ${delivery('p')} AS delivery_status`,
      order: sort,
      refColumn: 'r.ref',
    };
  }

  /** Customers with subscriptions in the case's suspended set now. */
  caseQuery(caseId: string, f: AffectedFilter, viewer: Principal): AffectedQuery {
    const w = new Where([caseId]);
    filters(w, f, viewer, 'r.subs');
    return {
      params: w.params,
      from: `FROM (SELECT s.customer_id, c0.ref,
                          jsonb_agg(jsonb_build_object('product', s.product, 'country', s.country) ORDER BY s.product, s.country) AS subs
                     FROM case_suspensions s JOIN customers c0 ON c0.id = s.customer_id
                    WHERE s.case_id = $1 GROUP BY s.customer_id, c0.ref) r
             JOIN customers c ON c.id = r.customer_id WHERE true ${w.sql}`,
      rowColumns: 'r.customer_id, r.ref, r.subs',
      select: `${CUSTOMER_COLUMNS}, p.subs AS subscriptions`,
      order: SORTS[f.sort ?? 'ref'],
      refColumn: 'r.ref',
    };
  }

  async page(q: AffectedQuery, f: AffectedFilter) {
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total ${q.from}`, q.params);
    const n = q.params.length;
    const rows = await this.dataSource.query(
      `WITH p AS (SELECT ${q.rowColumns} ${q.from} ORDER BY ${q.order.inner} LIMIT $${n + 1} OFFSET $${n + 2})
       SELECT ${q.select} FROM p JOIN customers c ON c.id = p.customer_id ORDER BY ${q.order.outer}`,
      [...q.params, f.pageSize, (f.page - 1) * f.pageSize],
    );
    return { items: rows.map(toItem), total, page: f.page, pageSize: f.pageSize };
  }

  /** Up to `size` rows in ref order after `afterRef` (CSV export pages on the unique ref). */
  async chunk(q: AffectedQuery, afterRef: string, size: number): Promise<Record<string, any>[]> {
    const n = q.params.length;
    return this.dataSource.query(
      `WITH p AS (SELECT ${q.rowColumns} ${q.from} AND ${q.refColumn} ${REF} > $${n + 1}
                   ORDER BY ${q.refColumn} ${REF} LIMIT ${Math.floor(size)})
       SELECT ${q.select} FROM p JOIN customers c ON c.id = p.customer_id ORDER BY p.ref ${REF}`,
      [...q.params, afterRef],
    );
  }
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
