// GET /events/:eventId/notices: delivery state of each notice, for support (all) and account managers (their customers).
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Principal } from '../domain/roles';
import { deliveryView, NoticeListRepository, type ListedNotice } from '../notices/notice-list.repository';
import type { NoticeListQuery } from './dto/outreach.dto';

@Injectable()
export class NoticesQueryService {
  constructor(private readonly notices: NoticeListRepository) {}

  async list(eventPk: string, q: NoticeListQuery, viewer: Principal) {
    const { rows, total } = await this.notices.eventPage(eventPk, q, viewer);
    return {
      items: rows.map((r) => ({
        ...deliveryView(r),
        tier: r.tier,
        customerRef: r.ref,
        nextAttemptAt: r.next_attempt_at,
        updatedAt: r.updated_at,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** Streams every matching notice as CSV, in id order, a batch at a time (an event may have hundreds of thousands). */
  async csv(eventPk: string, q: NoticeListQuery, viewer: Principal, out: Writable): Promise<number> {
    const notices = this.notices;
    let n = 0;
    async function* rows(): AsyncGenerator<Record<string, unknown>> {
      let after = '0';
      for (;;) {
        const batch: ListedNotice[] = await notices.eventAfter(eventPk, q, viewer, after, CSV_BATCH);
        for (const r of batch) {
          n++;
          yield {
            id: r.id,
            kind: r.kind,
            tier: r.tier,
            customer_ref: r.ref,
            email: r.email,
            locale: r.locale,
            status: r.status,
            attempts: r.attempts,
            provider: r.provider,
            last_code: r.last_code,
            last_reply: r.last_reply,
            feedback_reason: r.feedback_reason,
            soft_bounces: r.soft_bounces,
            created_at: r.created_at?.toISOString(),
            sent_at: r.sent_at?.toISOString() ?? null,
          };
        }
        if (batch.length < CSV_BATCH) return;
        after = String(batch[batch.length - 1].id);
      }
    }
    await pipeline(rows(), stringify({ header: true, columns: CSV_COLUMNS }), out);
    return n;
  }
}

const CSV_BATCH = 2000;
const CSV_COLUMNS = [
  'id',
  'kind',
  'tier',
  'customer_ref',
  'email',
  'locale',
  'status',
  'attempts',
  'provider',
  'last_code',
  'last_reply',
  'feedback_reason',
  'soft_bounces',
  'created_at',
  'sent_at',
];
