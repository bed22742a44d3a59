// SQL of the notices table that rendering reads: the rows and event a notice is built from, digests, samples.
// Claiming and recording (shared with webhook deliveries) is DeliveryWorkRepository's.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SuspensionEvent } from '../domain/event.types';
import type { ProductCategory, SubscriptionRef, Tier } from '../domain/registry.types';
import type { CustomerNoticeKind, NoticeKind } from '../domain/notice.types';

export interface ClaimedNotice {
  id: string;
  event_pk: string;
  kind: NoticeKind;
  tier: Tier | null;
  email: string;
  name: string;
  locale: string;
  is_test: boolean;
  digest_for: string | null;
  attempts: number;
  customer_id: string | null;
  ref: string | null;
  customer_name: string | null;
  country: string | null;
  am_email: string | null;
  am_name: string | null;
  affected: SubscriptionRef[] | null;
  /** NULL on a `suspended` row: every affected subscription was added (renderInput reads `affected`). */
  added: SubscriptionRef[] | null;
  removed: SubscriptionRef[] | null;
}

export interface DigestRow {
  ref: string;
  name: string;
  tier: Tier;
  country: string;
  am_email: string | null;
  am_name: string | null;
  kind: CustomerNoticeKind;
  affected: SubscriptionRef[];
  removed: SubscriptionRef[];
}

/** The most affected accounts a digest lists; the rest are in its totals and on the account manager's page. */
export const DIGEST_TOP = 100;

export interface DigestData {
  total: number;
  byKind: { key: CustomerNoticeKind; n: number }[];
  byProduct: { key: string; n: number }[];
  byCountry: { key: string; n: number }[];
  /** The DIGEST_TOP most affected accounts, most subscriptions first. */
  accounts: DigestRow[];
}

@Injectable()
export class NoticeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Notice rows with what rendering needs, read through `m` (e.g. inside a preview's transaction). */
  async loadForRender(ids: string[], m: EntityManager = this.dataSource.manager): Promise<ClaimedNotice[]> {
    return m.query(
      `SELECT n.id, n.event_pk, n.kind, n.tier, n.email, n.name, n.locale, n.is_test, n.attempts, n.customer_id, n.digest_for,
              cu.ref, cu.name AS customer_name, cu.country, cu.am_email, cu.am_name, ec.affected, ec.added, ec.removed
         FROM notices n
         LEFT JOIN customers cu ON cu.id = n.customer_id
         LEFT JOIN event_customers ec ON ec.event_pk = n.event_pk AND ec.customer_id = n.customer_id
        WHERE n.id = ANY($1::bigint[]) ORDER BY n.kind, n.tier, n.locale`,
      [ids],
    );
  }

  /**
   * One notice of each kind × tier × locale of the event (its first), at most `limit`: what a preview renders. With
   * `byLocale` false, one per kind × tier (a preview rendered in one chosen language).
   */
  async sampleIds(
    eventPk: string,
    limit: number,
    m: EntityManager = this.dataSource.manager,
    byLocale = true,
  ): Promise<string[]> {
    const key = byLocale ? 'kind, tier, locale' : 'kind, tier';
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM (SELECT DISTINCT ON (${key}) id, kind, tier, locale FROM notices
                        WHERE event_pk = $1 AND NOT is_test ORDER BY ${key}, id) s LIMIT $2`,
      [eventPk, limit],
    );
    return rows.map((r) => String(r.id));
  }

  /** The contact locales of the event's customer notices, most used first: what a preview offers to render in. */
  async localeCounts(
    eventPk: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ locale: string; n: number }[]> {
    return m.query(
      `SELECT locale, count(*)::int AS n FROM notices WHERE event_pk = $1 AND NOT is_test AND kind <> 'am-digest'
        GROUP BY 1 ORDER BY 2 DESC, 1`,
      [eventPk],
    );
  }

  /**
   * What an account manager's digest shows (SPEC §4): totals by notice kind, product and destination country over
   * all their affected accounts, and the DIGEST_TOP most affected of them. Never the whole list: at a million
   * customers that ran to tens of MB a message, more than providers take.
   */
  async digestAccounts(
    eventPk: string,
    amEmail: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<DigestData> {
    const [row] = await m.query(
      `WITH a AS (
         SELECT c.ref, c.name, c.tier, c.country, c.am_email, c.am_name, ec.kind, ec.affected, ec.removed,
                CASE WHEN jsonb_array_length(ec.affected) > 0 THEN ec.affected ELSE ec.removed END AS subs
           FROM event_customers ec JOIN customers c ON c.id = ec.customer_id AND c.active
          WHERE ec.event_pk = $1 AND c.am_email = $2),
       s AS (SELECT a.ref, x->>'product' AS product, x->>'country' AS country FROM a CROSS JOIN LATERAL jsonb_array_elements(a.subs) x)
       SELECT (SELECT count(*)::int FROM a) AS total,
              (SELECT coalesce(jsonb_agg(k ORDER BY k.n DESC, k.key), '[]') FROM (SELECT kind AS key, count(*)::int AS n FROM a GROUP BY 1) k) AS by_kind,
              (SELECT coalesce(jsonb_agg(k ORDER BY k.n DESC, k.key), '[]') FROM (SELECT product AS key, count(DISTINCT ref)::int AS n FROM s GROUP BY 1) k) AS by_product,
              (SELECT coalesce(jsonb_agg(k ORDER BY k.n DESC, k.key), '[]') FROM (SELECT country AS key, count(DISTINCT ref)::int AS n FROM s GROUP BY 1) k) AS by_country,
              (SELECT coalesce(jsonb_agg(t), '[]') FROM (
                 SELECT ref, name, tier, country, am_email, am_name, kind, affected, removed FROM a
                  ORDER BY jsonb_array_length(subs) DESC, name, ref LIMIT $3) t) AS top`,
      [eventPk, amEmail, DIGEST_TOP],
    );
    return {
      total: row.total,
      byKind: row.by_kind,
      byProduct: row.by_product,
      byCountry: row.by_country,
      accounts: row.top,
    };
  }

  async eventPayload(eventPk: string): Promise<{ status: string; payload: SuspensionEvent } | null> {
    const rows = await this.dataSource.query(`SELECT status, payload FROM events WHERE id = $1`, [eventPk]);
    return rows[0] ?? null;
  }

  async products(
    m: EntityManager = this.dataSource.manager,
  ): Promise<Record<string, { name: string; category: ProductCategory }>> {
    const rows: { code: string; name: string; category: ProductCategory }[] = await m.query(
      `SELECT code, name, category FROM products`,
    );
    return Object.fromEntries(rows.map((r) => [r.code, { name: r.name, category: r.category }]));
  }
}
