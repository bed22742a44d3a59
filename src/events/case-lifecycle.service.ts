// Applies a case's stored events one at a time in arrival order (SPEC §3 lifecycle table), each in one transaction.
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionService } from '../common/transaction.service';
import { statusAfterApply } from '../domain/event-status';
import type { EventStatus, SuspensionEvent } from '../domain/event.types';
import { MatchingRepository } from '../matching/matching.repository';
import { SuspendedSetRepository } from '../matching/suspended-set.repository';
import { NoticeDispatchService } from '../notices/dispatch/notice-dispatch.service';
import { NoticePlanningRepository } from '../notices/planning/notice-planning.repository';
import { AffectedRepository } from './affected.repository';
import { lifecycleProblems } from './case-lifecycle.rules';
import { CasesRepository } from './cases.repository';
import { EventsRepository, type EventRow } from './events.repository';
import { EventsService } from './events.service';

export interface AppliedEvent {
  eventPk: string;
  status: EventStatus;
  notices: number;
  customers: number;
  reasons: string[];
}

@Injectable()
export class CaseLifecycleService {
  private readonly logger = new Logger(CaseLifecycleService.name);

  constructor(
    private readonly tx: TransactionService,
    private readonly events: EventsRepository,
    private readonly cases: CasesRepository,
    private readonly matching: MatchingRepository,
    private readonly suspended: SuspendedSetRepository,
    private readonly planning: NoticePlanningRepository,
    private readonly affected: AffectedRepository,
    private readonly dispatch: NoticeDispatchService,
    private readonly eventsView: EventsService,
  ) {}

  /** Applies every received event of the case, oldest first; safe to call from any number of workers. */
  async applyPending(caseId: string): Promise<AppliedEvent[]> {
    const done: AppliedEvent[] = [];
    for (;;) {
      const started = Date.now();
      const applied = await this.tx.run(async (m) => {
        await this.cases.lock(m, 'apply', caseId);
        const next = await this.events.nextReceived(m, caseId);
        return next ? this.applyOne(m, next) : null;
      });
      if (!applied) return done;
      done.push(applied);
      this.logger.log({ caseId, ...applied, ms: Date.now() - started }, 'event applied');
      if (applied.notices > 0) await this.planning.refreshStatistics();
      if (applied.status === 'dispatching') await this.dispatch.start(applied.eventPk);
      // In the background: sending does not wait for it.
      if (applied.customers > 0) {
        this.eventsView
          .storeFacetTotals(applied.eventPk)
          .then(() => this.affected.vacuum())
          .catch((e: Error) => this.logger.warn(`VACUUM event_customers: ${e.message}`));
      }
    }
  }

  /** Lifecycle checks; returns the reasons an event of this type cannot apply to the case now. */
  async lifecycleProblems(m: EntityManager, e: SuspensionEvent): Promise<string[]> {
    return lifecycleProblems(e.type, e.caseId, await this.cases.statusForUpdate(m, e.caseId));
  }

  /** Computes the event's effect on the case inside `m`: suspended set, affected customers, notice and webhook rows. */
  async computeEffect(
    m: EntityManager,
    e: SuspensionEvent,
    eventPk: string,
  ): Promise<{ notices: number; customers: number; webhooks: number }> {
    if (e.type === 'suspension.issued') await this.cases.open(m, e.caseId, e.title, eventPk);
    const bulk = await this.matching.beginBulkWrites(m, e.caseId, eventPk);
    const match = e.scope && e.type !== 'suspension.lifted' ? await this.matching.createMatchTable(m, e.scope) : null;
    await this.suspended.applyLifecycle(m, e.type, e.caseId, eventPk, match);
    const counts = await this.planning.insertNoticesForEvent(m, eventPk);
    await this.matching.endBulkWrites(m, bulk);
    await this.cases.touch(m, e.caseId, eventPk, e.type === 'suspension.lifted');
    return counts;
  }

  private async applyOne(m: EntityManager, row: EventRow): Promise<AppliedEvent> {
    const e = row.payload as SuspensionEvent;
    const problems = await this.lifecycleProblems(m, e);
    if (problems.length) {
      await this.events.markRejected(m, row.id, problems);
      this.logger.warn({ eventId: e.eventId, reasons: problems }, 'event rejected by the case lifecycle');
      return { eventPk: row.id, status: 'rejected', notices: 0, customers: 0, reasons: problems };
    }
    const { notices, customers, webhooks } = await this.computeEffect(m, e, row.id);
    const status = statusAfterApply(notices + webhooks, e.dispatch);
    await this.events.markApplied(m, row.id, status, customers);
    return { eventPk: row.id, status, notices, customers, reasons: [] };
  }
}
