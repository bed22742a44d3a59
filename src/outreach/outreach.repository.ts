// The notice and webhook-delivery changes behind support's controls (SPEC §5): what an approval releases, what a
// cancel stops, what a retry sends again, and the test copies of a test send. Each runs in the control's transaction.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DeliveryStatus, NoticeKind } from '../domain/notice.types';
import type { WorkTable } from '../notices/dispatch/delivery-work.repository';

export interface TestNoticeRow {
  id: string;
  kind: NoticeKind;
  tier: string | null;
  status: DeliveryStatus;
  last_reply: string | null;
}

@Injectable()
export class OutreachRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Notices an approval releases: the event's pending ones. */
  async countPending(m: EntityManager, eventPk: string): Promise<number> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM notices WHERE event_pk = $1 AND status = 'pending' AND NOT is_test`,
      [eventPk],
    );
    return n;
  }

  /** Makes the event's failed rows of `t` pending again, with fresh attempts; returns how many. */
  async resetFailed(m: EntityManager, t: WorkTable, eventPk: string): Promise<number> {
    return updated(
      m,
      `UPDATE ${t.name} n SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = now()
        WHERE n.event_pk = $1 AND n.status = 'failed' AND ${t.dispatched}`,
      eventPk,
    );
  }

  /** One test copy of a notice of each kind × tier of the event, addressed to `email`; returns their ids. */
  async insertTestCopies(m: EntityManager, eventPk: string, email: string): Promise<string[]> {
    const created: { id: string }[] = await m.query(
      `INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale, is_test, digest_for)
       SELECT event_pk, kind, customer_id, tier, $2, name, locale, true, digest_for FROM (
         SELECT DISTINCT ON (n.kind, n.tier) n.event_pk, n.kind, n.customer_id, n.tier, n.name, n.locale,
                CASE WHEN n.kind = 'am-digest' THEN n.email END AS digest_for
           FROM notices n WHERE n.event_pk = $1 AND NOT n.is_test ORDER BY n.kind, n.tier, n.id) s
       RETURNING id`,
      [eventPk, email],
    );
    return created.map((c) => String(c.id));
  }

  /** How the test copies fared. */
  async testResults(ids: string[]): Promise<TestNoticeRow[]> {
    return this.dataSource.query(
      `SELECT id, kind, tier, status, last_reply FROM notices WHERE id = ANY($1::bigint[]) ORDER BY kind, tier`,
      [ids],
    );
  }
}

/** Runs an UPDATE of one event's rows and returns how many it changed. */
async function updated(m: EntityManager, sql: string, eventPk: string): Promise<number> {
  const rows = await m.query(`WITH x AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM x`, [eventPk]);
  return rows[0].n;
}
