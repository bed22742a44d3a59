// Applies a case's stored events one at a time in arrival order (SPEC §3 lifecycle table), each in one transaction.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionService } from '../common/transaction.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { statusAfterApply } from '../domain/event-status';
import type { EventStatus, SuspensionEvent } from '../domain/event.types';
import { MatchingRepository } from '../matching/matching.repository';
import { SuspendedSetRepository } from '../matching/suspended-set.repository';
import { DeliveryWorkRepository, NOTICE_WORK } from '../notices/dispatch/delivery-work.repository';
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
  /** The first notices are committed and the rest still to be written (NoticePlanningRepository.writePlannedRest). */
  planning: boolean;
}

@Injectable()
export class CaseLifecycleService {
  private readonly logger = new Logger(CaseLifecycleService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly events: EventsRepository,
    private readonly cases: CasesRepository,
    private readonly matching: MatchingRepository,
    private readonly suspended: SuspendedSetRepository,
    private readonly planning: NoticePlanningRepository,
    private readonly affected: AffectedRepository,
    private readonly dispatch: NoticeDispatchService,
    private readonly work: DeliveryWorkRepository,
    private readonly eventsView: EventsService,
  ) {}

  /** Applies every received event of the case, oldest first; safe to call from any number of workers. */
  async applyPending(caseId: string): Promise<AppliedEvent[]> {
    const done: AppliedEvent[] = [];
    for (;;) {
      // An earlier apply's notices still to be written (its worker died, or its second transaction failed) come
      // first, in their own transaction: a later event never applies while an earlier one is half written.
      await this.finishPlanning(caseId);
      const started = Date.now();
      const { halfWritten, applied } = await this.tx.run(async (m) => {
        await this.cases.lock(m, 'apply', caseId);
        // Another worker's apply may have committed its first notices since: go round and write its rest first.
        if ((await this.events.planning(caseId, m)).length) return { halfWritten: true, applied: null };
        const next = await this.events.nextReceived(m, caseId);
        return { halfWritten: false, applied: next ? await this.applyOne(m, next) : null };
      });
      if (halfWritten) continue;
      if (!applied) return done;
      done.push(applied);
      this.logger.log({ caseId, ...applied, ms: Date.now() - started }, 'event applied');
      if (!applied.planning) {
        await this.afterPlanned(applied.eventPk, applied.notices > 0, applied.status, applied.customers > 0);
        continue;
      }
      // The digests and the first contacts' notices are committed: they go out while the rest are written. The
      // senders' claims need no fresh statistics for a few thousand rows; the rest get them after.
      if (applied.status === 'dispatching') await this.dispatch.start(applied.eventPk);
      const rest = Date.now();
      await this.finishPlanning(caseId);
      this.logger.log({ caseId, eventPk: applied.eventPk, ms: Date.now() - rest }, 'rest of the notices written');
    }
  }

  /**
   * Writes the rest of the notices of the case's events still planning, in one transaction under the case's apply
   * lock, then does what follows an apply for each.
   */
  private async finishPlanning(caseId: string): Promise<void> {
    // Nearly always nothing: found without a transaction or the lock (the apply's transaction checks again under it).
    if (!(await this.events.planning(caseId)).length) return;
    const written = await this.tx.run(async (m) => {
      await this.cases.lock(m, 'apply', caseId);
      const planning = await this.events.planning(caseId, m);
      for (const { id, status } of planning) {
        const bulk = await this.matching.beginBulkWrites(m, caseId, id);
        await this.planning.writePlannedRest(m, id, { cancelled: status === 'cancelled' });
        await this.matching.endBulkWrites(m, bulk);
        // Outreach actions do not wait for the rest; a cancel that came while they were written covers them too.
        if ((await this.events.markPlanned(m, id)) === 'cancelled' && status !== 'cancelled') {
          await this.work.cancelUnsent(m, NOTICE_WORK, id);
        }
      }
      return planning.map((e) => e.id);
    });
    for (const eventPk of written) await this.afterPlanned(eventPk, true);
  }

  /** Once an event's notices are all written: statistics, its senders, and its affected totals in the background. */
  private async afterPlanned(eventPk: string, notices: boolean, status?: EventStatus, customers = true): Promise<void> {
    if (notices) await this.planning.refreshStatistics();
    if ((status ?? (await this.events.findByPk(eventPk))?.status) === 'dispatching') await this.dispatch.start(eventPk);
    // In the background: sending does not wait for it.
    if (customers) {
      this.eventsView
        .storeFacetTotals(eventPk)
        .then(() => this.affected.vacuum())
        .catch((e: Error) => this.logger.warn(`VACUUM event_customers: ${e.message}`));
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
    plan: { firstNotices?: number } = {},
  ): Promise<{ notices: number; customers: number; webhooks: number; planning: boolean }> {
    if (e.type === 'suspension.issued') await this.cases.open(m, e.caseId, e.title, eventPk);
    const bulk = await this.matching.beginBulkWrites(m, e.caseId, eventPk);
    const match = e.scope && e.type !== 'suspension.lifted' ? await this.matching.createMatchTable(m, e.scope) : null;
    await this.suspended.applyLifecycle(m, e.type, e.caseId, eventPk, match);
    const counts = await this.planning.insertNoticesForEvent(m, eventPk, plan);
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
      return { eventPk: row.id, status: 'rejected', notices: 0, customers: 0, reasons: problems, planning: false };
    }
    const firstNotices = this.config.PLAN_FIRST_NOTICES;
    const { notices, customers, webhooks, planning } = await this.computeEffect(m, e, row.id, { firstNotices });
    // Planning, the event has notices to send even when none of them is written yet (its first customers had
    // nobody to tell).
    const status = statusAfterApply(notices + webhooks + (planning ? 1 : 0), e.dispatch);
    await this.events.markApplied(m, row.id, status, customers, planning);
    return { eventPk: row.id, status, notices, customers, reasons: [], planning };
  }
}
