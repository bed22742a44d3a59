// Support's controls over an event's outreach (SPEC §5): each checks the event's state, acts, and is audited.
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, type Actor } from '../audit/audit.service';
import { TransactionService } from '../common/transaction.service';
import { OUTREACH_TRANSITIONS, outreachTarget, type OutreachAction } from '../domain/event-status';
import type { EventStatus } from '../domain/event.types';
import { EventsRepository } from '../events/events.repository';
import { DeliveryWorkRepository, NOTICE_WORK, WEBHOOK_WORK } from '../notices/dispatch/delivery-work.repository';
import { NoticeDispatchService } from '../notices/dispatch/notice-dispatch.service';
import { DeliverySenderService } from '../notices/dispatch/delivery-sender.service';
import { OutreachRepository } from './outreach.repository';

@Injectable()
export class OutreachService {
  constructor(
    private readonly tx: TransactionService,
    private readonly events: EventsRepository,
    private readonly notices: OutreachRepository,
    private readonly audit: AuditService,
    private readonly dispatch: NoticeDispatchService,
    private readonly sender: DeliverySenderService,
    private readonly work: DeliveryWorkRepository,
  ) {}

  async act(
    actor: Actor,
    eventId: string,
    action: OutreachAction,
  ): Promise<{ eventId: string; status: EventStatus; notices: number; webhooks: number }> {
    const result = await this.tx.run(async (m) => {
      const row = await this.events.lockByEventId(m, eventId);
      if (!row) throw new NotFoundException(`no event ${eventId}`);
      if (action === 'approve' && row.planning) {
        throw new ConflictException(
          `cannot approve event ${eventId}: the rest of its notices are still being written; try again in a moment`,
        );
      }
      const status = outreachTarget(action, row.status);
      if (!status) {
        const from = OUTREACH_TRANSITIONS[action].from;
        throw new ConflictException(
          `cannot ${action} event ${eventId}: it is ${row.status}; ${action} applies to ${from.join(' or ')} events`,
        );
      }
      const notices = await this.changeNotices(m, action, row.id);
      const webhooks = await this.changeDeliveries(m, action, row.id);
      if (action === 'retry-failed' && notices + webhooks === 0) {
        throw new ConflictException(
          `cannot retry-failed event ${eventId}: it has no failed notices or webhook deliveries`,
        );
      }
      await this.events.setStatus(row.id, status, [row.status], m);
      const details = { from: row.status, to: status, notices, webhooks };
      await this.audit.record(actor, `event.${action}`, `event:${eventId}`, details, m);
      return { eventPk: row.id, status, notices, webhooks };
    });
    if (result.status === 'dispatching') await this.dispatch.start(result.eventPk);
    return { eventId, status: result.status, notices: result.notices, webhooks: result.webhooks };
  }

  /** What the action does to the event's notices inside its transaction; returns how many it concerns. */
  private changeNotices(m: EntityManager, action: OutreachAction, eventPk: string): Promise<number> {
    switch (action) {
      case 'approve':
        return this.notices.countPending(m, eventPk);
      case 'cancel':
        return this.work.cancelUnsent(m, NOTICE_WORK, eventPk);
      case 'retry-failed':
        return this.notices.resetFailed(m, NOTICE_WORK, eventPk);
      case 'pause':
      case 'resume':
        return Promise.resolve(0);
    }
  }

  /** The same for its webhook deliveries: cancel and retry-failed apply to them as to mails. */
  private changeDeliveries(m: EntityManager, action: OutreachAction, eventPk: string): Promise<number> {
    if (action === 'cancel') return this.work.cancelUnsent(m, WEBHOOK_WORK, eventPk);
    if (action === 'retry-failed') return this.notices.resetFailed(m, WEBHOOK_WORK, eventPk);
    return Promise.resolve(0);
  }

  /** Mails every kind × tier of the event, rendered for real customers of the event, to `email`, marked as a test. */
  async testSend(actor: Actor, eventId: string, email: string) {
    const row = await this.events.findByEventId(eventId);
    if (!row) throw new NotFoundException(`no event ${eventId}`);
    if (!row.applied_at || row.status === 'rejected') {
      throw new ConflictException(`cannot test-send event ${eventId}: it is ${row.status} and has no notices`);
    }
    const address = email.trim().toLowerCase();
    const ids = await this.tx.run(async (m) => {
      const created = await this.notices.insertTestCopies(m, row.id, address);
      await this.audit.record(
        actor,
        'event.test-send',
        `event:${eventId}`,
        { email: address, notices: created.length },
        m,
      );
      return created;
    });
    await this.sender.sendNow('email', row.id, ids);
    const sent = await this.notices.testResults(ids);
    return {
      eventId,
      email: address,
      notices: sent.map((s) => ({
        id: String(s.id),
        kind: s.kind,
        tier: s.tier,
        status: s.status,
        lastReply: s.last_reply,
      })),
    };
  }
}
