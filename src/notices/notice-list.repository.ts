// Notices as people read them: one event's notices page by page (for support and account managers) and a customer's
// notice history. Test notices are never listed.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DeliveryStatus, NoticeKind } from '../domain/notice.types';
import type { Principal } from '../domain/roles';
import { customerVisibility } from '../registry/customer-visibility';

export interface NoticeListFilter {
  status?: string;
  kind?: string;
  /** Recipient email or customer ref contains. */
  q?: string;
  page: number;
  pageSize: number;
}

/** What every listing shows of a notice's delivery. */
interface NoticeDeliveryRow {
  id: string;
  kind: NoticeKind;
  email: string;
  locale: string;
  status: DeliveryStatus;
  attempts: number;
  last_code: number | null;
  last_reply: string | null;
  created_at: Date;
  sent_at: Date | null;
  /** The SMTP provider that sent it (or answered last); null for the outbox or unsent. */
  provider: string | null;
  /** A bounce's or complaint's reason, or the last soft bounce's. */
  feedback_reason: string | null;
  soft_bounces: number;
}

/** What every listing shows of a notice's delivery, as the API writes it. */
export function deliveryView(r: NoticeDeliveryRow) {
  return {
    id: String(r.id),
    kind: r.kind,
    email: r.email,
    locale: r.locale,
    status: r.status,
    attempts: r.attempts,
    lastCode: r.last_code,
    lastReply: r.last_reply,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    provider: r.provider,
    feedbackReason: r.feedback_reason,
    softBounces: r.soft_bounces,
  };
}

export interface ListedNotice extends NoticeDeliveryRow {
  tier: string | null;
  next_attempt_at: Date | null;
  updated_at: Date;
  /** The customer's ref; null for an account manager's digest. */
  ref: string | null;
}

export interface CustomerNoticeRow extends NoticeDeliveryRow {
  event_id: string;
  case_id: string;
}

const LISTED_COLUMNS = `n.id, n.kind, n.tier, n.email, n.locale, n.status, n.attempts, n.last_code, n.last_reply,
  n.next_attempt_at, n.created_at, n.updated_at, n.sent_at, n.provider, n.feedback_reason, n.soft_bounces, c.ref`;

@Injectable()
export class NoticeListRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The event's notices that `viewer` may see (customerVisibility), filtered: FROM clause and its parameters. */
  private eventWhere(eventPk: string, f: Omit<NoticeListFilter, 'page' | 'pageSize'>, viewer: Principal) {
    const params: unknown[] = [eventPk];
    const where = ['n.event_pk = $1', 'NOT n.is_test'];
    const add = (sql: (p: string) => string, v: unknown) => {
      params.push(v);
      where.push(sql(`$${params.length}`));
    };
    const visible = customerVisibility(viewer, 'c', params.length + 1);
    params.push(...visible.params);
    where.push(visible.sql);
    if (f.status) add((p) => `n.status = ${p}`, f.status);
    if (f.kind) add((p) => `n.kind = ${p}`, f.kind);
    if (f.q)
      add(
        (p) => `(n.email ILIKE ${p} ESCAPE '\\' OR c.ref ILIKE ${p} ESCAPE '\\')`,
        `%${f.q.replace(/[\\%_]/g, '\\$&')}%`,
      );
    return {
      from: `FROM notices n LEFT JOIN customers c ON c.id = n.customer_id WHERE ${where.join(' AND ')}`,
      params,
    };
  }

  /** One page of the event's notices that `viewer` may see (customerVisibility), in id order, and their total. */
  async eventPage(
    eventPk: string,
    f: NoticeListFilter,
    viewer: Principal,
  ): Promise<{ rows: ListedNotice[]; total: number }> {
    const { from, params } = this.eventWhere(eventPk, f, viewer);
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query(
      `SELECT ${LISTED_COLUMNS} ${from} ORDER BY n.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.pageSize, (f.page - 1) * f.pageSize],
    );
    return { rows, total };
  }

  /** The next `limit` of the event's notices after `afterId`, in id order (the CSV export walks them this way). */
  async eventAfter(
    eventPk: string,
    f: Omit<NoticeListFilter, 'page' | 'pageSize'>,
    viewer: Principal,
    afterId: string,
    limit: number,
  ): Promise<ListedNotice[]> {
    const { from, params } = this.eventWhere(eventPk, f, viewer);
    return this.dataSource.query(
      `SELECT ${LISTED_COLUMNS} ${from} AND n.id > $${params.length + 1} ORDER BY n.id LIMIT $${params.length + 2}`,
      [...params, afterId, limit],
    );
  }

  /**
   * The latest 500 notices sent to a customer's contacts, newest first: through the events that told the customer
   * (event_customers), then each event's notices by the contact key, as notices have no index on customer_id alone.
   */
  async ofCustomer(customerId: string): Promise<CustomerNoticeRow[]> {
    return this.dataSource.query(
      `SELECT n.id, e.event_id, e.case_id, n.kind, n.email, n.locale, n.status, n.attempts, n.last_code, n.last_reply,
              n.created_at, n.sent_at, n.provider, n.feedback_reason, n.soft_bounces
         FROM event_customers ec
         JOIN notices n ON n.event_pk = ec.event_pk AND n.customer_id = $1 AND NOT n.is_test
         JOIN events e ON e.id = n.event_pk
        WHERE ec.customer_id = $1 ORDER BY n.id DESC LIMIT 500`,
      [customerId],
    );
  }
}
