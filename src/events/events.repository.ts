// All SQL of the events table (the cases table has CasesRepository).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../domain/roles';
import {
  DELIVERY_STATUSES,
  FINAL_DELIVERY_STATUSES,
  WEBHOOK_DELIVERY_STATUSES,
  type DeliveryStatus,
  type WebhookDeliveryStatus,
} from '../domain/notice.types';
import { NOTICE_WORK, WEBHOOK_WORK, type WorkTable } from '../notices/dispatch/delivery-work.repository';
import { customerVisibility } from '../registry/customer-visibility';
import type { EventStatus, SuspensionEvent } from '../domain/event.types';
import { FINISHED_EVENT_STATUSES } from '../domain/event-status';

/** What an event's page and API show of its sending, counted together (EventsRepository.tallies). */
export interface EventTallies {
  counts: Record<DeliveryStatus, number>;
  webhooks: Record<WebhookDeliveryStatus, number>;
  classes: { class: string; total: number; done: number }[];
}

/** A count of 0 for each state, so that states nothing is in still show. */
function zeroCounts<S extends string>(statuses: readonly S[]): Record<S, number> {
  return Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
}

export interface EventRow {
  id: string;
  event_id: string | null;
  case_id: string | null;
  type: string | null;
  status: EventStatus;
  dispatch: 'auto' | 'review' | null;
  payload: SuspensionEvent | null;
  raw: string | null;
  content_hash: string | null;
  conflict: boolean;
  reasons: string[];
  source: string;
  title: string | null;
  received_at: Date;
  applied_at: Date | null;
  finished_at: Date | null;
  customers_affected: number;
  /** Applied, and the rest of its contacts' notices still being written (migration 1100). */
  planning: boolean;
}

export interface NewEventRow {
  eventId: string | null;
  caseId: string | null;
  type: string | null;
  status: EventStatus;
  dispatch: 'auto' | 'review' | null;
  payload: SuspensionEvent | null;
  raw: string | null;
  contentHash: string | null;
  conflict: boolean;
  reasons: string[];
  source: 'queue' | 'http' | 'reconcile';
}

export interface EventListFilter {
  status?: EventStatus;
  caseId?: string;
  type?: string;
  page: number;
  pageSize: number;
}

@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts unless a non-conflict row with this eventId exists; returns the new id or null. */
  async insert(m: EntityManager, e: NewEventRow): Promise<string | null> {
    const rows = await m.query(
      `INSERT INTO events (event_id, case_id, type, status, dispatch, payload, raw, content_hash, conflict, reasons, source,
                           title, occurred_at, effective_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $6::jsonb->>'title',
               ($6::jsonb->>'occurredAt')::timestamptz, ($6::jsonb->>'effectiveAt')::timestamptz)
       ON CONFLICT (event_id) WHERE NOT conflict AND event_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        e.eventId,
        e.caseId,
        e.type,
        e.status,
        e.dispatch,
        e.payload ? JSON.stringify(e.payload) : null,
        e.raw,
        e.contentHash,
        e.conflict,
        e.reasons,
        e.source,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async findByEventId(eventId: string, m: EntityManager = this.dataSource.manager): Promise<EventRow | null> {
    const rows = await m.query(`SELECT * FROM events WHERE event_id = $1 AND NOT conflict`, [eventId]);
    return rows[0] ?? null;
  }

  /**
   * The event for an outreach action, its row locked against other status changes until `m` ends. `NO KEY UPDATE`,
   * not `UPDATE`: it must not wait for the key-share lock that the writing of an event's notices holds on it (the
   * rest of a large event's notices take seconds to write, and a pause or cancel need not wait for them).
   */
  async lockByEventId(m: EntityManager, eventId: string): Promise<EventRow | null> {
    const rows = await m.query(`SELECT * FROM events WHERE event_id = $1 AND NOT conflict FOR NO KEY UPDATE`, [
      eventId,
    ]);
    return rows[0] ?? null;
  }

  async findByPk(id: string, m: EntityManager = this.dataSource.manager): Promise<EventRow | null> {
    const rows = await m.query(`SELECT * FROM events WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The oldest event of a case still waiting to be applied. */
  async nextReceived(m: EntityManager, caseId: string): Promise<EventRow | null> {
    const rows = await m.query(
      `SELECT * FROM events WHERE case_id = $1 AND status = 'received' AND NOT conflict ORDER BY id LIMIT 1 FOR UPDATE`,
      [caseId],
    );
    return rows[0] ?? null;
  }

  /** A case's events in arrival order: its timeline. */
  async listForCase(caseId: string): Promise<EventRow[]> {
    return this.dataSource.query(`SELECT * FROM events WHERE case_id = $1 AND NOT conflict ORDER BY id`, [caseId]);
  }

  /** The applied event that last set the case's scope (suspension.issued or .updated). */
  async lastScopeEvent(m: EntityManager, caseId: string): Promise<EventRow | null> {
    const rows = await m.query(
      `SELECT * FROM events WHERE case_id = $1 AND NOT conflict AND applied_at IS NOT NULL AND status <> 'rejected'
          AND type IN ('suspension.issued', 'suspension.updated') ORDER BY id DESC LIMIT 1`,
      [caseId],
    );
    return rows[0] ?? null;
  }

  /** How many events of the case came from `source`. */
  async countFromSource(m: EntityManager, caseId: string, source: NewEventRow['source']): Promise<number> {
    const [{ k }] = await m.query(`SELECT count(*)::int AS k FROM events WHERE case_id = $1 AND source = $2`, [
      caseId,
      source,
    ]);
    return k;
  }

  async casesWithReceivedEvents(): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT DISTINCT case_id FROM events WHERE (status = 'received' OR planning) AND case_id IS NOT NULL`,
    );
    return rows.map((r: { case_id: string }) => r.case_id);
  }

  async markRejected(m: EntityManager, id: string, reasons: string[]): Promise<void> {
    await m.query(
      `UPDATE events SET status = 'rejected', reasons = reasons || $2::text[], applied_at = now(), finished_at = now()
        WHERE id = $1`,
      [id, reasons],
    );
  }

  /** `planning`: the rest of its contacts' notices are still to be written (NoticePlanningRepository.writePlannedRest). */
  async markApplied(
    m: EntityManager,
    id: string,
    status: EventStatus,
    customers: number,
    planning = false,
  ): Promise<void> {
    await m.query(
      `UPDATE events SET status = $2, applied_at = now(), customers_affected = $3, planning = $5,
              finished_at = CASE WHEN $2 = ANY($4::text[]) THEN now() END
        WHERE id = $1`,
      [id, status, customers, FINISHED_EVENT_STATUSES, planning],
    );
  }

  /** The case's events whose notices are still being written, oldest first. */
  async planning(
    caseId: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Pick<EventRow, 'id' | 'status'>[]> {
    const rows = await m.query(`SELECT id, status FROM events WHERE case_id = $1 AND planning ORDER BY id`, [caseId]);
    return rows.map((r: EventRow) => ({ id: String(r.id), status: r.status }));
  }

  /**
   * Clears `planning` and returns the event's status. The update waits for an outreach action on the event that is
   * under way (they lock its row first) and then reads the status that action left.
   */
  async markPlanned(m: EntityManager, id: string): Promise<EventStatus> {
    const rows = await m.query(
      `WITH u AS (UPDATE events SET planning = false WHERE id = $1 RETURNING status) SELECT status FROM u`,
      [id],
    );
    return rows[0].status;
  }

  async setStatus(id: string, status: EventStatus, from: EventStatus[], m: EntityManager = this.dataSource.manager) {
    // Through a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count] (always two long), a SELECT with the rows.
    const rows = await m.query(
      `WITH u AS (UPDATE events SET status = $2, finished_at = CASE WHEN $2 = ANY($4::text[]) THEN now() END
                   WHERE id = $1 AND status = ANY($3::text[]) RETURNING id) SELECT id FROM u`,
      [id, status, from, FINISHED_EVENT_STATUSES],
    );
    return rows.length > 0;
  }

  async list(f: EventListFilter, viewer: Principal) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status) add('e.status = ?', f.status);
    if (f.caseId) add('e.case_id = ?', f.caseId);
    if (f.type) add('e.type = ?', f.type);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM events e ${cond}`, params);
    params.push(f.pageSize, (f.page - 1) * f.pageSize);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT * FROM events e ${cond} ORDER BY e.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const ids = rows.map((r) => r.id);
    const [counts, webhooks] = await Promise.all([this.noticeCounts(ids, viewer), this.webhookCounts(ids, viewer)]);
    return { rows, counts, webhooks, total };
  }

  /** Notice counts by delivery state per event, of the notices `viewer` may see (customerVisibility). */
  noticeCounts(eventPks: string[], viewer: Principal): Promise<Map<string, Record<DeliveryStatus, number>>> {
    return this.countsByStatus(NOTICE_WORK, DELIVERY_STATUSES, eventPks, viewer);
  }

  /**
   * One event's tallies, of the notices and deliveries `viewer` may see: notices by delivery state, webhook
   * deliveries by state, and progress by who is told first (SPEC §4): account-manager digests, enterprise,
   * developers, done = in a final state. One scan of the event's notices gives both the counts and the progress.
   */
  async tallies(eventPk: string, viewer: Principal): Promise<EventTallies> {
    const visible = customerVisibility(viewer, 'c', 2);
    const [rows, webhooks] = await Promise.all([
      this.dataSource.query(
        `SELECT CASE WHEN n.kind = 'am-digest' THEN 'digests' ELSE n.tier END AS class, n.status, count(*)::int AS n
           FROM notices n ${visible.params.length ? `JOIN customers c ON c.id = n.customer_id AND ${visible.sql}` : ''}
          WHERE n.event_pk = $1 AND ${NOTICE_WORK.dispatched}
          GROUP BY 1, 2`,
        [eventPk, ...visible.params],
      ) as Promise<{ class: string; status: DeliveryStatus; n: number }[]>,
      this.webhookCounts([eventPk], viewer),
    ]);
    const counts = zeroCounts(DELIVERY_STATUSES);
    const classes = new Map<string, { class: string; total: number; done: number }>();
    for (const r of rows) {
      counts[r.status] += r.n;
      const c = classes.get(r.class) ?? { class: r.class, total: 0, done: 0 };
      c.total += r.n;
      if (FINAL_DELIVERY_STATUSES.includes(r.status)) c.done += r.n;
      classes.set(r.class, c);
    }
    // Who is told first (SPEC §4): digests, then enterprise, then developers.
    const order = (c: string) => (c === 'digests' ? 0 : c === 'enterprise' ? 1 : 2);
    return {
      counts,
      webhooks: webhooks.get(String(eventPk))!,
      classes: [...classes.values()].sort((a, b) => order(a.class) - order(b.class)),
    };
  }

  /** Webhook delivery counts by state per event, of the customers `viewer` may see. */
  webhookCounts(eventPks: string[], viewer: Principal): Promise<Map<string, Record<WebhookDeliveryStatus, number>>> {
    return this.countsByStatus(WEBHOOK_WORK, WEBHOOK_DELIVERY_STATUSES, eventPks, viewer);
  }

  private async countsByStatus<S extends string>(
    t: WorkTable,
    statuses: readonly S[],
    eventPks: string[],
    viewer: Principal,
  ): Promise<Map<string, Record<S, number>>> {
    const out = new Map<string, Record<S, number>>();
    for (const id of eventPks) out.set(id, zeroCounts(statuses));
    if (!eventPks.length) return out;
    const visible = customerVisibility(viewer, 'c', 2);
    const rows = await this.dataSource.query(
      `SELECT n.event_pk, n.status, count(*)::int AS n FROM ${t.name} n
        ${visible.params.length ? `JOIN customers c ON c.id = n.customer_id AND ${visible.sql}` : ''}
        WHERE n.event_pk = ANY($1::bigint[]) AND ${t.dispatched} GROUP BY 1, 2`,
      [eventPks, ...visible.params],
    );
    for (const r of rows) (out.get(String(r.event_pk)) as Record<string, number>)[r.status] = r.n;
    return out;
  }
}
