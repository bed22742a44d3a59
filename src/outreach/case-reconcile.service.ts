// POST /cases/:caseId/reconcile: customers that match the case's current suspended scope but were never told
// (the registry changed since the last event) get a `suspended` notice through the usual review flow.
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService, type Actor } from '../audit/audit.service';
import { TransactionService } from '../common/transaction.service';
import { statusAfterApply } from '../domain/event-status';
import type { SuspensionEvent } from '../domain/event.types';
import { CasesRepository } from '../events/cases.repository';
import { EventsRepository } from '../events/events.repository';
import { EventsService } from '../events/events.service';
import { MatchingRepository } from '../matching/matching.repository';
import { SuspendedSetRepository } from '../matching/suspended-set.repository';
import { NoticePlanningRepository } from '../notices/planning/notice-planning.repository';

@Injectable()
export class CaseReconcileService {
  constructor(
    private readonly tx: TransactionService,
    private readonly events: EventsRepository,
    private readonly cases: CasesRepository,
    private readonly matching: MatchingRepository,
    private readonly suspended: SuspendedSetRepository,
    private readonly planning: NoticePlanningRepository,
    private readonly audit: AuditService,
    private readonly eventsView: EventsService,
  ) {}

  async reconcile(actor: Actor, caseId: string) {
    const { told, eventPk } = await this.tell(actor, caseId);
    // As after any apply, in the background: the event's affected totals by tier, account manager, country, product.
    if (eventPk) void this.eventsView.storeFacetTotals(eventPk);
    return told;
  }

  private tell(actor: Actor, caseId: string) {
    return this.tx.run(async (m) => {
      await this.cases.lock(m, 'apply', caseId);
      const status = await this.cases.statusForUpdate(m, caseId);
      if (!status) throw new NotFoundException(`no case ${caseId}`);
      if (status !== 'open') throw new ConflictException(`cannot reconcile case ${caseId}: it is closed`);
      // No new event while an earlier one is half written (CaseLifecycleService writes the rest under this lock).
      const planning = await this.events.planning(caseId, m);
      if (planning.length) {
        throw new ConflictException(
          `cannot reconcile case ${caseId}: the notices of its last event are still being written; try again in a moment`,
        );
      }
      // An open case always has the applied suspension.issued that opened it.
      const defining = (await this.events.lastScopeEvent(m, caseId))!;
      const scopeEvent = defining.payload as SuspensionEvent;
      const match = await this.matching.createMatchTable(m, scopeEvent.scope!);
      // Subscriptions a licence released since the scope was set stay released.
      await this.matching.dropLicensedSince(match, caseId, defining.id);
      // Never told: no affected-customer row in any event of this case.
      await this.matching.dropToldInCase(match, caseId);
      if ((await this.matching.countCustomers(match)) === 0) {
        await this.audit.record(actor, 'case.reconcile', `case:${caseId}`, { customers: 0 }, m);
        return { told: { caseId, eventId: null, customers: 0, notices: 0, status: null }, eventPk: null };
      }
      const eventId = `${caseId}:reconcile:${(await this.events.countFromSource(m, caseId, 'reconcile')) + 1}`.slice(
        0,
        128,
      );
      const payload: SuspensionEvent = { ...scopeEvent, eventId, type: 'suspension.issued', dispatch: 'review' };
      const eventPk = (await this.events.insert(m, {
        eventId,
        caseId,
        type: 'suspension.issued',
        status: 'received',
        dispatch: 'review',
        payload,
        raw: null,
        contentHash: null,
        conflict: false,
        reasons: [],
        source: 'reconcile',
      })) as string;
      // The same writes as a suspension.issued, adding to the suspended set instead of replacing it.
      await this.suspended.suspendMatched(match, caseId, eventPk, 'add');
      const counts = await this.planning.insertNoticesForEvent(m, eventPk);
      const applied = statusAfterApply(counts.notices + counts.webhooks, payload.dispatch);
      await this.events.markApplied(m, eventPk, applied, counts.customers);
      await this.cases.touch(m, caseId, eventPk, false);
      await this.audit.record(actor, 'case.reconcile', `case:${caseId}`, { eventId, ...counts }, m);
      const told = { caseId, eventId, customers: counts.customers, notices: counts.notices, status: applied };
      return { told, eventPk: counts.customers > 0 ? eventPk : null };
    });
  }
}
