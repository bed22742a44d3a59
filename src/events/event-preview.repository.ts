// What a preview counts of an event applied in its throwaway transaction: customers and notices by kind, tier,
// destination country and product.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface PreviewCounts {
  customers: number;
  notices: number;
  byKind: Record<string, { customers: number; notices: number }>;
  byTier: Record<string, number>;
  byCountry: Record<string, number>;
  byProduct: Record<string, number>;
}

function toRecord(rows: { k: string; n: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

@Injectable()
export class EventPreviewRepository {
  /** Read through `m`, the transaction the event was applied in (its rows are visible nowhere else). */
  async counts(m: EntityManager, eventPk: string): Promise<PreviewCounts> {
    const q = (sql: string) => m.query(sql, [eventPk]);
    const [totals] = await q(
      `SELECT (SELECT count(*)::int FROM event_customers WHERE event_pk = $1) AS customers,
              (SELECT count(*)::int FROM notices WHERE event_pk = $1) AS notices`,
    );
    const kinds: { kind: string; customers: number; notices: number }[] = await q(
      `SELECT k.kind, coalesce(ec.n, 0)::int AS customers, coalesce(nn.n, 0)::int AS notices
         FROM (SELECT DISTINCT kind FROM notices WHERE event_pk = $1
               UNION SELECT DISTINCT kind FROM event_customers WHERE event_pk = $1) k
         LEFT JOIN (SELECT kind, count(*) n FROM event_customers WHERE event_pk = $1 GROUP BY 1) ec USING (kind)
         LEFT JOIN (SELECT kind, count(*) n FROM notices WHERE event_pk = $1 GROUP BY 1) nn USING (kind)`,
    );
    const byTier = await q(
      `SELECT c.tier AS k, count(*)::int AS n FROM event_customers ec JOIN customers c ON c.id = ec.customer_id
        WHERE ec.event_pk = $1 GROUP BY 1`,
    );
    const subs = `(SELECT ec.customer_id, s->>'product' AS product, s->>'country' AS country
                     FROM event_customers ec, jsonb_array_elements(ec.affected || ec.removed) s WHERE ec.event_pk = $1)`;
    const byCountry = await q(
      `SELECT country AS k, count(DISTINCT customer_id)::int AS n FROM ${subs} x GROUP BY 1 ORDER BY 2 DESC`,
    );
    const byProduct = await q(
      `SELECT product AS k, count(DISTINCT customer_id)::int AS n FROM ${subs} x GROUP BY 1 ORDER BY 2 DESC`,
    );
    return {
      customers: totals.customers,
      notices: totals.notices,
      byKind: Object.fromEntries(kinds.map((k) => [k.kind, { customers: k.customers, notices: k.notices }])),
      byTier: toRecord(byTier),
      byCountry: toRecord(byCountry),
      byProduct: toRecord(byProduct),
    };
  }
}
