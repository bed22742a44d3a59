// SQL of bounces, complaints and the suppression list: which notice a report means, what it changes, who is suppressed.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { BounceReport } from './feedback.types';

export type ReportOutcome = 'applied' | 'recorded' | 'unknown' | 'duplicate';

export interface Suppression {
  email: string;
  reason: string;
  source: string;
  noticeId: string | null;
  createdBy: string | null;
  createdAt: Date;
}

/** `notice-42@vendor.example` → `42`: our Message-IDs name the notice (SPEC §4). */
export function noticeIdOf(messageId: string | null, mailDomain: string): string | null {
  if (!messageId) return null;
  const m = /^<?notice-([1-9][0-9]{0,18})@([^>]+)>?$/.exec(messageId.trim());
  return m && m[2].toLowerCase() === mailDomain.toLowerCase() ? m[1] : null;
}

const SUPPRESSION_COLUMNS = `email, reason, source, notice_id::text AS "noticeId", created_by AS "createdBy", created_at AS "createdAt"`;

@Injectable()
export class FeedbackRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }

  /**
   * The notice a report means: ours by Message-ID when it names one sent to this address, else the latest notice
   * sent to the address (a contact's, found through contacts; or an account manager's digest of a recent event).
   */
  async findNotice(m: EntityManager, email: string, noticeId: string | null): Promise<string | null> {
    const address = email.toLowerCase();
    if (noticeId) {
      const [hit] = await m.query(`SELECT id::text FROM notices WHERE id = $1 AND email = $2 AND NOT is_test`, [
        noticeId,
        address,
      ]);
      if (hit) return hit.id;
    }
    const [latest] = await m.query(
      `SELECT id::text FROM (
         (SELECT n.id, n.sent_at FROM notices n
           WHERE n.customer_id IN (SELECT customer_id FROM contacts WHERE email = $1)
             AND n.email = $1 AND n.sent_at IS NOT NULL AND NOT n.is_test
           ORDER BY n.sent_at DESC LIMIT 1)
         UNION ALL
         (SELECT n.id, n.sent_at FROM notices n
           WHERE n.event_pk IN (SELECT id FROM events ORDER BY id DESC LIMIT 100)
             AND n.kind = 'am-digest' AND n.email = $1 AND n.sent_at IS NOT NULL AND NOT n.is_test
           ORDER BY n.sent_at DESC LIMIT 1)
       ) x ORDER BY sent_at DESC LIMIT 1`,
      [address],
    );
    return latest?.id ?? null;
  }

  /** Records the report once per (provider, provider event); false when it was recorded before. */
  async recordReport(
    m: EntityManager,
    r: BounceReport,
    eventKey: string,
    noticeId: string | null,
    outcome: ReportOutcome,
  ): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO feedback_reports (provider, provider_event_id, email, type, message_id, reason, occurred_at, notice_id, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id`,
      [r.provider, eventKey, r.email, r.type, r.messageId, r.reason, r.occurredAt, noticeId, outcome],
    );
    return rows.length > 0;
  }

  async markApplied(m: EntityManager, provider: string, eventKey: string): Promise<void> {
    await m.query(`UPDATE feedback_reports SET outcome = 'applied' WHERE provider = $1 AND provider_event_id = $2`, [
      provider,
      eventKey,
    ]);
  }

  /** A hard bounce or complaint ends a sent notice; a soft bounce is counted on it and changes nothing else. */
  async applyToNotice(m: EntityManager, noticeId: string, r: BounceReport): Promise<boolean> {
    if (r.type === 'soft') {
      await m.query(
        `UPDATE notices SET soft_bounces = soft_bounces + 1, feedback_reason = $2, feedback_at = now(), updated_at = now() WHERE id = $1`,
        [noticeId, r.reason],
      );
      return false;
    }
    // Through a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], a SELECT with the rows.
    const rows = await m.query(
      `WITH u AS (UPDATE notices SET status = $2, feedback_reason = $3, feedback_at = now(), updated_at = now()
                   WHERE id = $1 AND status = 'sent' RETURNING id) SELECT id FROM u`,
      [noticeId, r.type === 'hard' ? 'bounced' : 'complained', r.reason],
    );
    return rows.length > 0;
  }

  /** Adds the address to the suppression list; an address already on it keeps its first reason. */
  async suppress(
    m: EntityManager | null,
    email: string,
    reason: string,
    source: string,
    noticeId: string | null,
    createdBy: string | null,
  ): Promise<boolean> {
    const rows = await (m ?? this.dataSource).query(
      `INSERT INTO suppressions (email, reason, source, notice_id, created_by) VALUES (lower($1), $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING email`,
      [email, reason, source, noticeId, createdBy],
    );
    return rows.length > 0;
  }

  async unsuppress(email: string): Promise<Suppression | null> {
    const [row] = await this.dataSource.query(
      `WITH d AS (DELETE FROM suppressions WHERE email = lower($1) RETURNING *) SELECT ${SUPPRESSION_COLUMNS} FROM d`,
      [email],
    );
    return row ?? null;
  }

  async listSuppressions(
    q: string | undefined,
    page: number,
    pageSize: number,
  ): Promise<{ items: Suppression[]; total: number }> {
    const pattern = q ? `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const where = `WHERE ($1::text IS NULL OR email LIKE $1 OR lower(reason) LIKE $1)`;
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT ${SUPPRESSION_COLUMNS} FROM suppressions ${where} ORDER BY created_at DESC, email LIMIT $2 OFFSET $3`,
        [pattern, pageSize, (page - 1) * pageSize],
      ),
      this.dataSource.query(`SELECT count(*)::int AS total FROM suppressions ${where}`, [pattern]),
    ]);
    return { items, total };
  }

  /** The suppressed addresses among `emails` (the sender checks a batch at once). */
  async suppressedAmong(emails: string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const rows = await this.dataSource.query(`SELECT email FROM suppressions WHERE email = ANY($1::text[])`, [
      emails.map((e) => e.toLowerCase()),
    ]);
    return new Set(rows.map((r: { email: string }) => r.email));
  }
}
