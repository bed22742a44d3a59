// The stored state a customer's own status page reads (SPEC §4): its released events of one case and what each told it.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CustomerNoticeKind } from '../../domain/notice.types';
import type { ProductCategory, SubscriptionRef } from '../../domain/registry.types';
import { ADDED_SQL } from '../../matching/suspended-set.repository';

export interface StatusCustomer {
  id: string;
  ref: string;
  name: string;
  tier: string;
  /** The locale of the customer's first noticed contact: the page's language when the link names none. */
  locale: string | null;
}

export interface StatusCase {
  caseId: string;
  title: string;
  status: 'open' | 'closed';
  openedAt: Date;
  closedAt: Date | null;
}

/** What anyone may read of a released event of a case: the public case page and a customer's own page. */
export interface PublicCaseEvent {
  type: string;
  title: string;
  summary: string;
  authority: string | null;
  conditions: string[];
  occurredAt: string;
  effectiveAt: string;
}

/** The columns of a `PublicCaseEvent` read from events `e` (effectiveAt defaults to occurredAt, as the SPEC says). */
export const PUBLIC_EVENT_COLUMNS = `e.type, e.payload->>'title' AS title, e.payload->>'summary' AS summary,
  e.payload->>'authority' AS authority, coalesce(e.payload->'conditions', '[]'::jsonb) AS conditions,
  e.payload->>'occurredAt' AS occurred_at, coalesce(e.payload->>'effectiveAt', e.payload->>'occurredAt') AS effective_at`;

export function toPublicEvent(r: Record<string, any>): PublicCaseEvent {
  return {
    type: r.type,
    title: r.title,
    summary: r.summary,
    authority: r.authority,
    conditions: r.conditions,
    occurredAt: r.occurred_at,
    effectiveAt: r.effective_at,
  };
}

/** One released event of the case, with what it told this customer (kind null: not told). */
export interface StatusEventRow extends PublicCaseEvent {
  eventId: string;
  kind: CustomerNoticeKind | null;
  affected: SubscriptionRef[];
  added: SubscriptionRef[];
  removed: SubscriptionRef[];
}

/**
 * Events (alias `e`) whose outreach was released: approved or automatic, and a cancelled one only when some of its
 * notices went out. What the public case page and a customer's own page may show; shared so the two cannot drift.
 */
export const RELEASED_EVENT_SQL = `NOT e.conflict AND e.payload IS NOT NULL
  AND (e.status IN ('dispatching', 'paused', 'completed')
       OR (e.status = 'cancelled' AND EXISTS (SELECT 1 FROM notices n WHERE n.event_pk = e.id AND n.status = 'sent' AND NOT n.is_test)))`;

@Injectable()
export class CustomerStatusRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findCase(caseId: string): Promise<StatusCase | null> {
    const [c] = await this.dataSource.query(
      `SELECT case_id, coalesce(title, case_id) AS title, status, opened_at, closed_at FROM cases WHERE case_id = $1`,
      [caseId],
    );
    return c
      ? { caseId: c.case_id, title: c.title, status: c.status, openedAt: c.opened_at, closedAt: c.closed_at }
      : null;
  }

  async findCustomer(id: string): Promise<StatusCustomer | null> {
    if (!/^[1-9][0-9]{0,18}$/.test(id)) return null;
    const [c] = await this.dataSource.query(
      `SELECT c.id::text AS id, c.ref, c.name, c.tier,
              (SELECT k.locale FROM contacts k WHERE k.customer_id = c.id AND k.notices ORDER BY k.id LIMIT 1) AS locale
         FROM customers c WHERE c.id = $1`,
      [id],
    );
    return c ?? null;
  }

  /**
   * The events of the case whose outreach was released (as on the public case page), oldest first, each joined
   * with this customer's row of what it was told. Unreleased events (awaiting review) stay off the page.
   */
  async releasedEvents(caseId: string, customerId: string): Promise<StatusEventRow[]> {
    const rows = await this.dataSource.query(
      `SELECT e.event_id, ${PUBLIC_EVENT_COLUMNS},
              ec.kind, coalesce(ec.affected, '[]') AS affected, coalesce(${ADDED_SQL}, '[]') AS added, coalesce(ec.removed, '[]') AS removed
         FROM events e
         LEFT JOIN event_customers ec ON ec.event_pk = e.id AND ec.customer_id = $2
        WHERE e.case_id = $1 AND ${RELEASED_EVENT_SQL}
        ORDER BY e.id`,
      [caseId, customerId],
    );
    return rows.map((r: Record<string, any>) => ({
      ...toPublicEvent(r),
      eventId: r.event_id,
      kind: r.kind,
      affected: r.affected,
      added: r.added,
      removed: r.removed,
    }));
  }

  async productNames(codes: string[]): Promise<Record<string, { name: string; category: ProductCategory }>> {
    if (codes.length === 0) return {};
    const rows = await this.dataSource.query(`SELECT code, name, category FROM products WHERE code = ANY($1::text[])`, [
      codes,
    ]);
    return Object.fromEntries(
      rows.map((r: Record<string, string>) => [r.code, { name: r.name, category: r.category as ProductCategory }]),
    );
  }
}
