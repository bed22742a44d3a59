// Affected-customer lists of an event (who was told what) and of a case (who is suspended now), with filters.
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

const SORTS = { ref: 'c.ref', name: 'c.name, c.ref', country: 'c.country, c.ref', tier: 'c.tier, c.ref' } as const;

/** Builds parameterised WHERE clauses; values never enter the SQL text. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[];
  constructor(initial: unknown[]) {
    this.params = [...initial];
  }
  add(sql: (p: string) => string, value: unknown): void {
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
  }
  get sql(): string {
    return this.parts.length ? `AND ${this.parts.join(' AND ')}` : '';
  }
}

function customerFilters(w: Where, f: AffectedFilter, viewer: Principal, subsExpr: string): void {
  const visible = customerVisibility(viewer, 'c', w.params.length + 1);
  w.params.push(...visible.params);
  w.parts.push(visible.sql);
  if (f.tier) w.add((p) => `c.tier = ${p}`, f.tier);
  if (f.accountManager) w.add((p) => `c.am_email = lower(${p})`, f.accountManager);
  if (f.q) w.add((p) => `(c.ref ILIKE ${p} ESCAPE '\\' OR c.name ILIKE ${p} ESCAPE '\\')`, `%${f.q.replace(/[\\%_]/g, '\\$&')}%`);
  if (f.country) w.add((p) => `EXISTS (SELECT 1 FROM jsonb_array_elements(${subsExpr}) s WHERE s->>'country' = ${p})`, f.country);
  if (f.product) w.add((p) => `EXISTS (SELECT 1 FROM jsonb_array_elements(${subsExpr}) s WHERE s->>'product' = ${p})`, f.product);
}

@Injectable()
export class AffectedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Customers told by one event, with the kind and the delivery state of their notices. */
  eventQuery(eventPk: string, f: AffectedFilter, viewer: Principal): { sql: string; countSql: string; params: unknown[] } {
    const w = new Where([eventPk]);
    const subs = `(CASE WHEN jsonb_array_length(ec.affected) > 0 THEN ec.affected ELSE ec.removed END)`;
    customerFilters(w, f, viewer, subs);
    // A customer's delivery state: the least advanced of its contacts' notices.
    const delivery = `(SELECT CASE WHEN count(*) = 0 THEN 'none'
                                   WHEN bool_or(n.status = 'failed') THEN 'failed'
                                   WHEN bool_or(n.status IN ('pending', 'sending', 'retrying')) THEN
                                        CASE WHEN bool_or(n.status = 'retrying') THEN 'retrying'
                                             WHEN bool_or(n.status = 'sending') THEN 'sending' ELSE 'pending' END
                                   WHEN bool_or(n.status = 'cancelled') THEN 'cancelled' ELSE 'sent' END
                         FROM notices n WHERE n.event_pk = ec.event_pk AND n.customer_id = ec.customer_id AND NOT n.is_test)`;
    if (f.deliveryStatus) w.add((p) => `${delivery} = ${p}`, f.deliveryStatus);
    const from = `FROM event_customers ec JOIN customers c ON c.id = ec.customer_id WHERE ec.event_pk = $1 ${w.sql}`;
    return {
      countSql: `SELECT count(*)::int AS total ${from}`,
      sql: `SELECT c.ref, c.name, c.tier, c.country::text AS country, c.am_email, c.am_name, ${subs} AS subscriptions,
                   ec.kind, ${delivery} AS delivery_status
              ${from} ORDER BY ${SORTS[f.sort ?? 'ref']}`,
      params: w.params,
    };
  }

  /** Customers with subscriptions in the case's suspended set now. */
  caseQuery(caseId: string, f: AffectedFilter, viewer: Principal): { sql: string; countSql: string; params: unknown[] } {
    const w = new Where([caseId]);
    customerFilters(w, f, viewer, 'x.subs');
    const from = `FROM (SELECT customer_id,
                               jsonb_agg(jsonb_build_object('product', product, 'country', country) ORDER BY product, country) AS subs
                          FROM case_suspensions WHERE case_id = $1 GROUP BY customer_id) x
                  JOIN customers c ON c.id = x.customer_id WHERE true ${w.sql}`;
    return {
      countSql: `SELECT count(*)::int AS total ${from}`,
      sql: `SELECT c.ref, c.name, c.tier, c.country::text AS country, c.am_email, c.am_name, x.subs AS subscriptions
              ${from} ORDER BY ${SORTS[f.sort ?? 'ref']}`,
      params: w.params,
    };
  }

  async page(query: { sql: string; countSql: string; params: unknown[] }, f: AffectedFilter) {
    const [{ total }] = await this.dataSource.query(query.countSql, query.params);
    const n = query.params.length;
    const rows = await this.dataSource.query(`${query.sql} LIMIT $${n + 1} OFFSET $${n + 2}`, [
      ...query.params,
      f.pageSize,
      (f.page - 1) * f.pageSize,
    ]);
    return { items: rows.map(toItem), total, page: f.page, pageSize: f.pageSize };
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
