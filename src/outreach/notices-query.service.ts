// GET /events/:eventId/notices: delivery state of each notice, for support (all) and account managers (their customers).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../domain/roles';
import { customerVisibility } from '../registry/customer-visibility';
import type { NoticeListQuery } from './dto/outreach.dto';

@Injectable()
export class NoticesQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(eventPk: string, q: NoticeListQuery, viewer: Principal) {
    const params: unknown[] = [eventPk];
    const where = ['n.event_pk = $1', 'NOT n.is_test'];
    const add = (sql: (p: string) => string, v: unknown) => {
      params.push(v);
      where.push(sql(`$${params.length}`));
    };
    const visible = customerVisibility(viewer, 'c', params.length + 1);
    params.push(...visible.params);
    where.push(visible.sql);
    if (q.status) add((p) => `n.status = ${p}`, q.status);
    if (q.kind) add((p) => `n.kind = ${p}`, q.kind);
    if (q.q) add((p) => `(n.email ILIKE ${p} ESCAPE '\\' OR c.ref ILIKE ${p} ESCAPE '\\')`, `%${q.q.replace(/[\\%_]/g, '\\$&')}%`);
    const from = `FROM notices n LEFT JOIN customers c ON c.id = n.customer_id WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query(
      `SELECT n.id, n.kind, n.tier, n.email, n.locale, n.status, n.attempts, n.last_code, n.last_reply, n.next_attempt_at,
              n.created_at, n.updated_at, n.sent_at, c.ref
         ${from} ORDER BY n.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return {
      items: rows.map((r: any) => ({
        id: String(r.id),
        kind: r.kind,
        tier: r.tier,
        customerRef: r.ref,
        email: r.email,
        locale: r.locale,
        status: r.status,
        attempts: r.attempts,
        lastCode: r.last_code,
        lastReply: r.last_reply,
        nextAttemptAt: r.next_attempt_at,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        sentAt: r.sent_at,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
