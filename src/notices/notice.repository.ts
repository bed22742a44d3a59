// All SQL of the notices table used by sending: claim with SKIP LOCKED, load what to render, record outcomes.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SuspensionEvent } from '../domain/event.types';
import type { ProductCategory, SubscriptionRef, Tier } from '../domain/registry.types';
import type { CustomerNoticeKind, DeliveryStatus, NoticeKind } from '../domain/notice.types';

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

export interface Outcome {
  id: string;
  /** The notice's attempts as claimed: the claim's fencing token (each claim adds one). */
  attempt: number;
  status: DeliveryStatus;
  code: number | null;
  reply: string | null;
  /** For retrying: when to try again. */
  retryAt?: Date;
  /** The SMTP provider that accepted it or answered last (SMTP_URL entry name); null for the outbox or unsent. */
  provider?: string | null;
}

export interface ClaimOptions {
  eventPk: string;
  limit: number;
  leaseSeconds: number;
  /** Exactly these notices (test sends, `is_test` ones included); `afterId` does not apply then. */
  ids?: string[];
  /**
   * Only notices after this id, so a sender goes on from where its last claim ended: rows already sent leave dead
   * entries in the work index until a vacuum, and scanning them from the start on every claim slows a large
   * dispatch to a crawl.
   */
  afterId?: string;
}

/** Work a sender may take: pending, retrying whose time has come, and sending whose lease ran out. */
const CLAIMABLE = `(n.status = 'pending'
   OR (n.status = 'retrying' AND n.next_attempt_at <= now())
   OR (n.status = 'sending' AND n.lease_until < now()))`;

@Injectable()
export class NoticeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims up to `limit` notices of one event for this sender, joined with what rendering needs. */
  async claim({ eventPk, limit, leaseSeconds, ids, afterId = '0' }: ClaimOptions): Promise<ClaimedNotice[]> {
    return this.dataSource.query(
      `WITH c AS (
         SELECT n.id FROM notices n
          WHERE n.event_pk = $1 AND n.status IN ('pending', 'retrying', 'sending') AND ${CLAIMABLE}
            AND ${ids ? 'n.id = ANY($4::bigint[])' : 'NOT n.is_test AND n.id > $4'}
          ORDER BY n.id LIMIT $2 FOR UPDATE SKIP LOCKED),
       u AS (
         UPDATE notices n SET status = 'sending', attempts = n.attempts + 1, updated_at = now(),
                lease_until = now() + make_interval(secs => $3)
           FROM c WHERE n.id = c.id
         RETURNING n.id, n.event_pk, n.kind, n.tier, n.email, n.name, n.locale, n.is_test, n.attempts, n.customer_id, n.digest_for)
       SELECT u.*, cu.ref, cu.name AS customer_name, cu.country, cu.am_email, cu.am_name,
              ec.affected, ec.added, ec.removed
         FROM u
         LEFT JOIN customers cu ON cu.id = u.customer_id
         LEFT JOIN event_customers ec ON ec.event_pk = u.event_pk AND ec.customer_id = u.customer_id
        ORDER BY u.id`,
      [eventPk, limit, leaseSeconds, ids ?? afterId],
    );
  }

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

  /** One notice of each kind × tier × locale of the event (its first), at most `limit`: what a preview renders. */
  async sampleIds(eventPk: string, limit: number, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM (SELECT DISTINCT ON (kind, tier, locale) id, kind, tier, locale FROM notices
                        WHERE event_pk = $1 AND NOT is_test ORDER BY kind, tier, locale, id) s LIMIT $2`,
      [eventPk, limit],
    );
    return rows.map((r) => String(r.id));
  }

  /**
   * Gives claimed notices back untouched (paused, shutting down, or the lease nearly over before they were sent).
   * Like `record`, it only touches a notice this claim still holds: same attempts as claimed, still sending.
   */
  async release(claims: Pick<ClaimedNotice, 'id' | 'attempts'>[]): Promise<void> {
    if (!claims.length) return;
    await this.dataSource.query(
      `UPDATE notices n SET status = CASE WHEN e.status = 'cancelled' THEN 'cancelled'
                                          WHEN n.attempts > 1 THEN 'retrying' ELSE 'pending' END,
              next_attempt_at = CASE WHEN n.attempts > 1 THEN now() END,
              attempts = n.attempts - 1, lease_until = NULL, updated_at = now()
         FROM events e, unnest($1::bigint[], $2::int[]) AS c(id, attempts)
        WHERE e.id = n.event_pk AND n.id = c.id AND n.attempts = c.attempts AND n.status = 'sending'`,
      [claims.map((c) => c.id), claims.map((c) => c.attempts)],
    );
  }

  /** Stores outcomes; a notice claimed again by another sender since (its lease ran out) is left to that sender. */
  async record(outcomes: Outcome[]): Promise<void> {
    if (!outcomes.length) return;
    await this.dataSource.query(
      `UPDATE notices n SET status = o.status, last_code = o.code, last_reply = o.reply, lease_until = NULL,
              next_attempt_at = o.retry_at, updated_at = now(), provider = coalesce(o.provider, n.provider),
              sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE n.sent_at END
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::text[])
              AS o(id, status, code, reply, retry_at, attempt, provider)
        WHERE n.id = o.id AND n.attempts = o.attempt AND n.status = 'sending'`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.code),
        outcomes.map((o) => (o.reply ? o.reply.slice(0, 2000) : null)),
        outcomes.map((o) => o.retryAt ?? null),
        outcomes.map((o) => o.attempt),
        outcomes.map((o) => o.provider ?? null),
      ],
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

  async eventStatus(eventPk: string): Promise<string | null> {
    const rows = await this.dataSource.query(`SELECT status FROM events WHERE id = $1`, [eventPk]);
    return rows[0]?.status ?? null;
  }

  async products(
    m: EntityManager = this.dataSource.manager,
  ): Promise<Record<string, { name: string; category: ProductCategory }>> {
    const rows: { code: string; name: string; category: ProductCategory }[] = await m.query(
      `SELECT code, name, category FROM products`,
    );
    return Object.fromEntries(rows.map((r) => [r.code, { name: r.name, category: r.category }]));
  }

  /** Marks a dispatching event completed once none of its notices can still be sent. */
  async completeIfDone(eventPk: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `UPDATE events e SET status = 'completed', finished_at = now()
        WHERE e.id = $1 AND e.status = 'dispatching'
          AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_pk = e.id AND NOT n.is_test
                             AND n.status IN ('pending', 'sending', 'retrying'))
        RETURNING e.id`,
      [eventPk],
    );
    return rows.length > 0;
  }

  /** Dispatching events that have work a sender could take now. */
  async eventsWithDueWork(): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT e.id FROM events e
        WHERE e.status = 'dispatching'
          AND EXISTS (SELECT 1 FROM notices n WHERE n.event_pk = e.id AND n.status IN ('pending', 'retrying', 'sending')
                         AND NOT n.is_test AND ${CLAIMABLE})`,
    );
    return rows.map((r: { id: string }) => String(r.id));
  }

  /** Dispatching events with a notice whose lease ran out more than `graceSeconds` ago and nobody claimed again. */
  async eventsWithOrphanedLeases(graceSeconds: number): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT DISTINCT n.event_pk AS id FROM notices n JOIN events e ON e.id = n.event_pk AND e.status = 'dispatching'
        WHERE n.status = 'sending' AND n.lease_until < now() - make_interval(secs => $1)`,
      [graceSeconds],
    );
    return rows.map((r: { id: string }) => String(r.id));
  }

  /** Dispatching events with nothing left to send (completion missed, e.g. after a crash). */
  async finishedDispatchingEvents(): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT e.id FROM events e WHERE e.status = 'dispatching'
          AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_pk = e.id AND NOT n.is_test
                             AND n.status IN ('pending', 'sending', 'retrying'))`,
    );
    return rows.map((r: { id: string }) => String(r.id));
  }
}
