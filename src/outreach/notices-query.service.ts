// GET /events/:eventId/notices: delivery state of each notice, for support (all) and account managers (their customers).
import { Injectable } from '@nestjs/common';
import type { Principal } from '../domain/roles';
import { NoticeListRepository } from '../notices/notice-list.repository';
import type { NoticeListQuery } from './dto/outreach.dto';

@Injectable()
export class NoticesQueryService {
  constructor(private readonly notices: NoticeListRepository) {}

  async list(eventPk: string, q: NoticeListQuery, viewer: Principal) {
    const { rows, total } = await this.notices.eventPage(eventPk, q, viewer);
    return {
      items: rows.map((r) => ({
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
        provider: r.provider,
        feedbackReason: r.feedback_reason,
        softBounces: r.soft_bounces,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }
}
