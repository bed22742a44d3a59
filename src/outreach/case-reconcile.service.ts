// POST /cases/:caseId/reconcile: customers that match the case's current suspended scope but were never told
// (the registry changed since the last event) get a `suspended` notice through the usual review flow.
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService, type Actor } from '../audit/audit.service';
import { EventsRepository, type EventRow } from '../events/events.repository';
import type { SuspensionEvent } from '../domain/event.types';
import { MatchingRepository } from '../matching/matching.repository';
import { NoticePlanningRepository } from '../notices/planning/notice-planning.repository';

@Injectable()
export class CaseReconcileService {
  constructor(
    private readonly events: EventsRepository,
    private readonly matching: MatchingRepository,
    private readonly planning: NoticePlanningRepository,
    private readonly audit: AuditService,
  ) {}

  async reconcile(actor: Actor, caseId: string) {
    return this.events.dataSource.transaction(async (m) => {
      await this.events.lockCase(m, 'apply', caseId);
      const current = await this.events.getCase(m, caseId);
      if (!current) throw new NotFoundException(`no case ${caseId}`);
      if (current.status !== 'open') throw new ConflictException(`cannot reconcile case ${caseId}: it is closed`);
      const [defining]: EventRow[] = await m.query(
        `SELECT * FROM events WHERE case_id = $1 AND NOT conflict AND applied_at IS NOT NULL AND status <> 'rejected'
            AND type IN ('suspension.issued', 'suspension.updated') ORDER BY id DESC LIMIT 1`,
        [caseId],
      );
      const scopeEvent = defining.payload as SuspensionEvent;
      await this.matching.buildMatchSet(m, await this.matching.resolveScope(m, scopeEvent.scope!));
      // Subscriptions a licence released since the scope was set stay released.
      await m.query(
        `DELETE FROM m USING (
           SELECT ec.customer_id, s->>'product' AS product, s->>'country' AS country
             FROM events e JOIN event_customers ec ON ec.event_pk = e.id, jsonb_array_elements(ec.removed) s
            WHERE e.case_id = $1 AND e.id > $2 AND e.type = 'license.granted' AND e.applied_at IS NOT NULL) r
          WHERE m.customer_id = r.customer_id AND m.product = r.product AND m.country = r.country`,
        [caseId, defining.id],
      );
      // Never told: no affected-customer row in any event of this case.
      await m.query(
        `DELETE FROM m WHERE EXISTS (SELECT 1 FROM event_customers ec JOIN events e ON e.id = ec.event_pk
                                     WHERE e.case_id = $1 AND ec.customer_id = m.customer_id)`,
        [caseId],
      );
      const [{ n }] = await m.query(`SELECT count(DISTINCT customer_id)::int AS n FROM m`);
      if (n === 0) {
        await this.audit.record(actor, 'case.reconcile', `case:${caseId}`, { customers: 0 }, m);
        return { caseId, eventId: null, customers: 0, notices: 0, status: null };
      }
      const [{ k }] = await m.query(`SELECT count(*)::int AS k FROM events WHERE case_id = $1 AND source = 'reconcile'`, [caseId]);
      const eventId = `${caseId}:reconcile:${k + 1}`.slice(0, 128);
      const payload: SuspensionEvent = { ...scopeEvent, eventId, type: 'suspension.issued', dispatch: 'review' };
      const eventPk = (await this.events.insert(m, {
        eventId, caseId, type: 'suspension.issued', status: 'received', dispatch: 'review', payload, raw: null,
        contentHash: null, conflict: false, reasons: [], source: 'reconcile',
      })) as string;
      await m.query(
        `INSERT INTO case_suspensions (case_id, customer_id, product, country, since_event)
         SELECT $1, customer_id, product, country, $2 FROM m ON CONFLICT DO NOTHING`,
        [caseId, eventPk],
      );
      await m.query(
        `INSERT INTO event_customers (event_pk, customer_id, ref, kind, affected, added)
         SELECT $1, x.customer_id, x.ref, 'suspended',
                jsonb_agg(jsonb_build_object('product', x.product, 'country', x.country) ORDER BY x.product, x.country),
                jsonb_agg(jsonb_build_object('product', x.product, 'country', x.country) ORDER BY x.product, x.country)
           FROM m x GROUP BY x.customer_id, x.ref`,
        [eventPk],
      );
      const counts = await this.planning.insertNoticesForEvent(m, eventPk);
      const status = counts.notices === 0 ? 'completed' : 'awaiting_review';
      await this.events.markApplied(m, eventPk, status, counts.customers);
      await this.events.touchCase(m, caseId, eventPk, false);
      await this.audit.record(actor, 'case.reconcile', `case:${caseId}`, { eventId, ...counts }, m);
      return { caseId, eventId, customers: counts.customers, notices: counts.notices, status };
    });
  }
}
