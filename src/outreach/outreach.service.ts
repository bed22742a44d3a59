// Support's controls over an event's outreach (SPEC §5): each checks the event's state, acts, and is audited.
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, type Actor } from '../audit/audit.service';
import { EventsRepository, type EventRow } from '../events/events.repository';
import type { EventStatus } from '../domain/event.types';
import { NoticeDispatchService } from '../notices/dispatch/notice-dispatch.service';
import { NoticeSenderService } from '../notices/dispatch/notice-sender.service';

export type OutreachAction = 'approve' | 'pause' | 'resume' | 'cancel' | 'retry-failed';

interface Transition {
  from: EventStatus[];
  to: (row: EventRow) => EventStatus;
  /** Changes notices inside the transaction; returns how many it touched. */
  notices?: (m: EntityManager, eventPk: string) => Promise<number>;
}

async function count(m: EntityManager, sql: string, eventPk: string): Promise<number> {
  const rows = await m.query(`WITH x AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM x`, [eventPk]);
  return rows[0].n;
}

const TRANSITIONS: Record<OutreachAction, Transition> = {
  approve: {
    from: ['awaiting_review'],
    to: () => 'dispatching',
    notices: async (m, pk) =>
      (await m.query(`SELECT count(*)::int AS n FROM notices WHERE event_pk = $1 AND status = 'pending' AND NOT is_test`, [pk]))[0].n,
  },
  pause: { from: ['dispatching'], to: () => 'paused' },
  resume: { from: ['paused'], to: () => 'dispatching' },
  cancel: {
    from: ['awaiting_review', 'dispatching', 'paused'],
    to: () => 'cancelled',
    notices: (m, pk) =>
      count(
        m,
        `UPDATE notices SET status = 'cancelled', lease_until = NULL, updated_at = now()
          WHERE event_pk = $1 AND NOT is_test AND (status IN ('pending', 'retrying') OR (status = 'sending' AND lease_until < now()))`,
        pk,
      ),
  },
  'retry-failed': {
    from: ['dispatching', 'paused', 'completed'],
    to: (row) => (row.status === 'paused' ? 'paused' : 'dispatching'),
    notices: (m, pk) =>
      count(
        m,
        `UPDATE notices SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = now()
          WHERE event_pk = $1 AND status = 'failed' AND NOT is_test`,
        pk,
      ),
  },
};

@Injectable()
export class OutreachService {
  constructor(
    private readonly events: EventsRepository,
    private readonly audit: AuditService,
    private readonly dispatch: NoticeDispatchService,
    private readonly sender: NoticeSenderService,
  ) {}

  async act(actor: Actor, eventId: string, action: OutreachAction): Promise<{ eventId: string; status: EventStatus; notices: number }> {
    const t = TRANSITIONS[action];
    const result = await this.events.dataSource.transaction(async (m) => {
      const rows: EventRow[] = await m.query(`SELECT * FROM events WHERE event_id = $1 AND NOT conflict FOR UPDATE`, [eventId]);
      const row = rows[0];
      if (!row) throw new NotFoundException(`no event ${eventId}`);
      if (!t.from.includes(row.status)) {
        throw new ConflictException(
          `cannot ${action} event ${eventId}: it is ${row.status}; ${action} applies to ${t.from.join(' or ')} events`,
        );
      }
      const touched = t.notices ? await t.notices(m, row.id) : 0;
      if (action === 'retry-failed' && touched === 0) {
        throw new ConflictException(`cannot retry-failed event ${eventId}: it has no failed notices`);
      }
      const status = t.to(row);
      await this.events.setStatus(row.id, status, [row.status], m);
      await this.audit.record(actor, `event.${action}`, `event:${eventId}`, { from: row.status, to: status, notices: touched }, m);
      return { eventPk: row.id, status, touched };
    });
    if (result.status === 'dispatching') await this.dispatch.start(result.eventPk);
    return { eventId, status: result.status, notices: result.touched };
  }

  /** Mails every kind × tier of the event, rendered for real customers of the event, to `email`, marked as a test. */
  async testSend(actor: Actor, eventId: string, email: string) {
    const row = await this.events.findByEventId(eventId);
    if (!row) throw new NotFoundException(`no event ${eventId}`);
    if (!row.applied_at || row.status === 'rejected') {
      throw new ConflictException(`cannot test-send event ${eventId}: it is ${row.status} and has no notices`);
    }
    const address = email.trim().toLowerCase();
    const ids = await this.events.dataSource.transaction(async (m) => {
      const created: { id: string }[] = await m.query(
        `INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale, is_test, digest_for)
         SELECT event_pk, kind, customer_id, tier, $2, name, locale, true, digest_for FROM (
           SELECT DISTINCT ON (n.kind, n.tier) n.event_pk, n.kind, n.customer_id, n.tier, n.name, n.locale,
                  CASE WHEN n.kind = 'am-digest' THEN n.email END AS digest_for
             FROM notices n WHERE n.event_pk = $1 AND NOT n.is_test ORDER BY n.kind, n.tier, n.id) s
         RETURNING id`,
        [row.id, address],
      );
      await this.audit.record(actor, 'event.test-send', `event:${eventId}`, { email: address, notices: created.length }, m);
      return created.map((c) => String(c.id));
    });
    await this.sender.sendNow(row.id, ids);
    const sent = await this.events.dataSource.query(
      `SELECT id, kind, tier, status, last_reply FROM notices WHERE id = ANY($1::bigint[]) ORDER BY kind, tier`,
      [ids],
    );
    return {
      eventId,
      email: address,
      notices: sent.map((s: any) => ({ id: String(s.id), kind: s.kind, tier: s.tier, status: s.status, lastReply: s.last_reply })),
    };
  }
}
