// The delivery machine's SQL, one implementation for both channels' tables: claim under a lease with SKIP LOCKED,
// record outcomes fenced by the claim count, give back untouched claims, and complete an event once both are done.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CustomerNoticeKind, DeliveryStatus } from '../../domain/notice.types';
import type { DeliveryChannelName } from '../../domain/queue.types';
import type { SubscriptionRef } from '../../domain/registry.types';
import { ADDED_SQL } from '../../matching/suspended-set.repository';
import type { ClaimedNotice } from '../notice.repository';

/** What every claimed row has, whatever its channel. */
export interface WorkItem {
  id: string;
  event_pk: string;
  kind: string;
  /** Counted by each claim: the fencing token of the claim that holds it. */
  attempts: number;
}

/** A claimed webhook delivery with the customer's endpoint as it is now (null when it was removed since). */
export interface ClaimedWebhookDelivery extends WorkItem {
  kind: CustomerNoticeKind;
  customer_id: string;
  ref: string;
  /** Where it was planned to go; `endpoint_url` is where it goes now. */
  url: string;
  endpoint_url: string | null;
  secret: string | null;
  /** The customer's suspended set in the case after this event, taken at planning. */
  suspended: SubscriptionRef[];
  added: SubscriptionRef[] | null;
  removed: SubscriptionRef[] | null;
}

/**
 * One channel's table, as constant SQL (never user input): which rows a dispatch takes, what a claim returns and
 * loads beside it (`u` holds the claimed rows), and the column that keeps the route that took it.
 */
export interface WorkTable<T extends WorkItem = WorkItem> {
  readonly name: 'notices' | 'webhook_deliveries';
  readonly dispatched: string;
  readonly claimed: string;
  readonly load: string;
  readonly route: 'provider' | 'url';
  /** Whether some of an event's rows may be written after its first ones are sent (events.planning). */
  readonly writtenLater: boolean;
  /** Only carries the row type. */
  readonly row?: T;
}

export const NOTICE_WORK: WorkTable<ClaimedNotice & WorkItem> = {
  name: 'notices',
  // Test copies go out through sendNow only (their ids), never in an event's dispatch.
  dispatched: 'NOT n.is_test',
  claimed:
    'n.id, n.event_pk, n.kind, n.tier, n.email, n.name, n.locale, n.is_test, n.attempts, n.customer_id, n.digest_for',
  load: `SELECT u.*, cu.ref, cu.name AS customer_name, cu.country, cu.am_email, cu.am_name,
                ec.affected, ec.added, ec.removed
           FROM u
           LEFT JOIN customers cu ON cu.id = u.customer_id
           LEFT JOIN event_customers ec ON ec.event_pk = u.event_pk AND ec.customer_id = u.customer_id
          ORDER BY u.id`,
  route: 'provider',
  writtenLater: true,
};

export const WEBHOOK_WORK: WorkTable<ClaimedWebhookDelivery> = {
  name: 'webhook_deliveries',
  dispatched: 'TRUE',
  claimed: 'n.id, n.event_pk, n.kind, n.attempts, n.customer_id, n.url, n.suspended',
  load: `SELECT u.*, cu.ref, w.url AS endpoint_url, w.secret,
                ${ADDED_SQL} AS added, ec.removed
           FROM u
           JOIN customers cu ON cu.id = u.customer_id
           LEFT JOIN customer_webhooks w ON w.customer_id = u.customer_id
           LEFT JOIN event_customers ec ON ec.event_pk = u.event_pk AND ec.customer_id = u.customer_id
          ORDER BY u.id`,
  route: 'url',
  // Every webhook delivery is written with the event's first notices.
  writtenLater: false,
};

export interface Outcome {
  id: string;
  /** The row's attempts as claimed: the claim's fencing token (each claim adds one). */
  attempt: number;
  status: DeliveryStatus;
  /** The SMTP reply code, or the HTTP status a webhook receiver answered. */
  code: number | null;
  reply: string | null;
  /** For retrying: when to try again. */
  retryAt?: Date;
  /** What took it (the table's route column): the SMTP provider of a mail, the URL a webhook was posted to. */
  route?: string | null;
}

export interface ClaimOptions {
  eventPk: string;
  limit: number;
  leaseSeconds: number;
  /** Exactly these rows (test sends, `is_test` notices included); `afterId` does not apply then. */
  ids?: string[];
  /**
   * Only rows after this id, so a sender goes on from where its last claim ended: rows already sent leave dead
   * entries in the work index until a vacuum, and scanning them from the start on every claim slows a large
   * dispatch to a crawl.
   */
  afterId?: string;
}

/** Each channel's table: what its pumps claim and send. */
export const WORK_TABLES: Readonly<Record<DeliveryChannelName, WorkTable>> = {
  email: NOTICE_WORK,
  webhook: WEBHOOK_WORK,
};

/** Work a sender may take: pending, retrying whose time has come, and sending whose lease ran out. */
const CLAIMABLE = `(n.status = 'pending'
   OR (n.status = 'retrying' AND n.next_attempt_at <= now())
   OR (n.status = 'sending' AND n.lease_until < now()))`;
/**
 * Not sent yet and not given up (pending, sending or retrying): `is_open` is derived from the status in the table, so
 * that the partial work index can name it without making every claim write index entries (migration 800).
 */
export const OPEN = `n.is_open`;

/**
 * True when no row of any table can still be sent for the event aliased `e`, and none is still to be written (an
 * event stays `planning` while the rest of its notices are written after its first ones went out).
 */
const NOTHING_OPEN = [
  'NOT e.planning',
  ...Object.values(WORK_TABLES).map(
    (t) => `NOT EXISTS (SELECT 1 FROM ${t.name} n WHERE n.event_pk = e.id AND ${t.dispatched} AND ${OPEN})`,
  ),
].join(' AND ');

/** When a work table's statistics count as stale: changed rows beyond this many plus this fraction of its rows. */
const STALE_MIN_ROWS = 1000;
const STALE_FRACTION = 0.05;

@Injectable()
export class DeliveryWorkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims up to `limit` rows of one event for this sender, joined with what its channel needs to send them. */
  async claim<T extends WorkItem>(
    t: WorkTable<T>,
    { eventPk, limit, leaseSeconds, ids, afterId = '0' }: ClaimOptions,
  ): Promise<T[]> {
    return this.dataSource.query(
      `WITH c AS (
         SELECT n.id FROM ${t.name} n
          WHERE n.event_pk = $1 AND ${OPEN} AND ${CLAIMABLE}
            AND ${ids ? 'n.id = ANY($4::bigint[])' : `${t.dispatched} AND n.id > $4`}
          ORDER BY n.id LIMIT $2 FOR UPDATE SKIP LOCKED),
       u AS (
         UPDATE ${t.name} n SET status = 'sending', attempts = n.attempts + 1, updated_at = now(),
                lease_until = now() + make_interval(secs => $3)
           FROM c WHERE n.id = c.id
         RETURNING ${t.claimed})
       ${t.load}`,
      [eventPk, limit, leaseSeconds, ids ?? afterId],
    );
  }

  /**
   * Gives claimed rows back untouched (paused, shutting down, or the lease nearly over before they were sent).
   * Like `record`, it only touches a row this claim still holds: same attempts as claimed, still sending.
   */
  async release(t: WorkTable, claims: Pick<WorkItem, 'id' | 'attempts'>[]): Promise<void> {
    if (!claims.length) return;
    await this.dataSource.query(
      `UPDATE ${t.name} n SET status = CASE WHEN e.status = 'cancelled' THEN 'cancelled'
                                          WHEN n.attempts > 1 THEN 'retrying' ELSE 'pending' END,
              next_attempt_at = CASE WHEN n.attempts > 1 THEN now() END,
              attempts = n.attempts - 1, lease_until = NULL, updated_at = now()
         FROM events e, unnest($1::bigint[], $2::int[]) AS c(id, attempts)
        WHERE e.id = n.event_pk AND n.id = c.id AND n.attempts = c.attempts AND n.status = 'sending'`,
      [claims.map((c) => c.id), claims.map((c) => c.attempts)],
    );
  }

  /** Stores outcomes; a row claimed again by another sender since (its lease ran out) is left to that sender. */
  async record(t: WorkTable, outcomes: Outcome[]): Promise<void> {
    if (!outcomes.length) return;
    await this.dataSource.query(
      `UPDATE ${t.name} n SET status = o.status, last_code = o.code, last_reply = o.reply, lease_until = NULL,
              next_attempt_at = o.retry_at, updated_at = now(), ${t.route} = coalesce(o.route, n.${t.route}),
              sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE n.sent_at END
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::text[])
              AS o(id, status, code, reply, retry_at, attempt, route)
        WHERE n.id = o.id AND n.attempts = o.attempt AND n.status = 'sending'`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.code),
        outcomes.map((o) => (o.reply ? o.reply.slice(0, 2000) : null)),
        outcomes.map((o) => o.retryAt ?? null),
        outcomes.map((o) => o.attempt),
        outcomes.map((o) => o.route ?? null),
      ],
    );
  }

  /** The event's status: pumps stop sending once it is no longer `dispatching`. */
  async eventStatus(eventPk: string): Promise<string | null> {
    return (await this.eventState(eventPk)).status;
  }

  /**
   * The event's status, and whether the rest of its notices are still being written (they come after every row
   * there is now).
   */
  async eventState(eventPk: string): Promise<{ status: string | null; planning: boolean }> {
    const rows = await this.dataSource.query(`SELECT status, planning FROM events WHERE id = $1`, [eventPk]);
    return { status: rows[0]?.status ?? null, planning: rows[0]?.planning === true };
  }

  /**
   * Cancels every row of `t` (notices or webhook deliveries) of the event not sent and not being sent (a lapsed lease
   * counts as not being sent), in `m`'s transaction; returns how many. What support's cancel does, and what the
   * writing of an event's last notices does when a cancel came meanwhile.
   */
  async cancelUnsent(m: EntityManager, t: WorkTable, eventPk: string): Promise<number> {
    const rows = await m.query(
      `WITH x AS (
         UPDATE ${t.name} n SET status = 'cancelled', lease_until = NULL, updated_at = now()
          WHERE n.event_pk = $1 AND ${t.dispatched} AND ${OPEN}
            AND (n.status IN ('pending', 'retrying') OR (n.status = 'sending' AND n.lease_until < now()))
         RETURNING 1)
       SELECT count(*)::int AS n FROM x`,
      [eventPk],
    );
    return rows[0].n;
  }

  /** Marks a dispatching event completed once none of its notices and none of its webhook deliveries can still go. */
  async completeIfDone(eventPk: string): Promise<boolean> {
    // Through a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], which always looked non-empty.
    const rows = await this.dataSource.query(
      `WITH u AS (UPDATE events e SET status = 'completed', finished_at = now()
                   WHERE e.id = $1 AND e.status = 'dispatching' AND ${NOTHING_OPEN}
                  RETURNING e.id)
       SELECT id FROM u`,
      [eventPk],
    );
    return rows.length > 0;
  }

  /**
   * Dispatching events with rows of `t` that a sender could take now: for each, the first claimable id, in the
   * claim's own shape. With fresh statistics that is a walk of the work index, where an `EXISTS` semi-join chose a
   * scan of the whole table, most of it rows long sent.
   */
  async eventsWithDueWork(t: WorkTable): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT e.id FROM events e
        CROSS JOIN LATERAL (
          SELECT n.id FROM ${t.name} n
           WHERE n.event_pk = e.id AND ${OPEN} AND ${t.dispatched} AND ${CLAIMABLE}
           ORDER BY n.id LIMIT 1) first_due
        WHERE e.status = 'dispatching'
        ORDER BY e.id`,
    );
    return rows.map((r: { id: string }) => String(r.id));
  }

  /** Dispatching events with a row of `t` whose lease ran out more than `graceSeconds` ago and nobody claimed again. */
  async eventsWithOrphanedLeases(t: WorkTable, graceSeconds: number): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT DISTINCT n.event_pk AS id FROM ${t.name} n JOIN events e ON e.id = n.event_pk AND e.status = 'dispatching'
        WHERE n.status = 'sending' AND n.lease_until < now() - make_interval(secs => $1)`,
      [graceSeconds],
    );
    return rows.map((r: { id: string }) => String(r.id));
  }

  /** Dispatching events with nothing left to send on any channel (completion missed, e.g. after a crash). */
  async finishedDispatchingEvents(): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT e.id FROM events e WHERE e.status = 'dispatching' AND ${NOTHING_OPEN}`,
    );
    return rows.map((r: { id: string }) => String(r.id));
  }

  /**
   * Analyzes the work tables whose statistics are stale: more than a twentieth of their rows changed since the last
   * analyze (autovacuum's own rule with this table's scale factor, for servers where autovacuum is off or behind).
   * Every sent row changes twice, and statistics taken when an event's rows were all open make the planner walk the
   * primary key from the first id through every row sent since, a third of a second per claim at 600k notices,
   * where the work index finds the first open row in milliseconds. One process analyzes a table at a time (an
   * advisory lock per schema and table); the others skip it. Returns the tables analyzed.
   */
  async refreshStaleStatistics(): Promise<string[]> {
    const names = Object.values(WORK_TABLES).map((t) => t.name);
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT t.name FROM unnest($1::text[]) AS t(name)
         JOIN pg_stat_user_tables s ON s.relid = to_regclass(t.name)
         JOIN pg_class c ON c.oid = s.relid
        WHERE s.n_mod_since_analyze > $2 + $3 * greatest(c.reltuples, 0)`,
      [names, STALE_MIN_ROWS, STALE_FRACTION],
    );
    const stale = new Set(rows.map((r) => r.name));
    const analyzed: string[] = [];
    // The names analyzed are the constants above, never what the query returned.
    for (const name of names.filter((n) => stale.has(n))) {
      const done = await this.dataSource.transaction(async (m) => {
        const [lock] = await m.query(
          `SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || '.analyze.' || $1, 0)) AS ok`,
          [name],
        );
        if (!lock.ok) return false;
        await m.query(`ANALYZE ${name}`);
        return true;
      });
      if (done) analyzed.push(name);
    }
    return analyzed;
  }
}
