// The SQL the pages need beyond the API's services: an event's breakdown by country and product, and the public case status.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../domain/roles';
import {
  PUBLIC_EVENT_COLUMNS,
  RELEASED_EVENT_SQL,
  toPublicEvent,
  type PublicCaseEvent,
} from '../events/customer-status/customer-status.repository';
import { customerVisibility } from '../registry/customer-visibility';

export interface Breakdown {
  byKind: { key: string; n: number }[];
  byCountry: { key: string; n: number }[];
  byProduct: { key: string; n: number }[];
}

export type { PublicCaseEvent } from '../events/customer-status/customer-status.repository';

@Injectable()
export class WebPagesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Customers told by the event, counted by notice kind, destination country and product (those the viewer may see). */
  async breakdown(eventPk: string, viewer: Principal): Promise<Breakdown> {
    const v = customerVisibility(viewer, 'c', 2);
    const params = [eventPk, ...v.params];
    const from = `FROM event_customers ec JOIN customers c ON c.id = ec.customer_id WHERE ec.event_pk = $1 AND ${v.sql}`;
    const subs = `(SELECT ec.customer_id, s->>'product' AS product, s->>'country' AS country
                     FROM event_customers ec CROSS JOIN LATERAL jsonb_array_elements(ec.affected || ec.removed) s
                     JOIN customers c ON c.id = ec.customer_id WHERE ec.event_pk = $1 AND ${v.sql})`;
    const [byKind, byCountry, byProduct] = await Promise.all([
      this.dataSource.query(`SELECT ec.kind AS key, count(*)::int AS n ${from} GROUP BY 1 ORDER BY 2 DESC, 1`, params),
      this.dataSource.query(
        `SELECT country AS key, count(DISTINCT customer_id)::int AS n FROM ${subs} x GROUP BY 1 ORDER BY 2 DESC, 1`,
        params,
      ),
      this.dataSource.query(
        `SELECT product AS key, count(DISTINCT customer_id)::int AS n FROM ${subs} x GROUP BY 1 ORDER BY 2 DESC, 1`,
        params,
      ),
    ]);
    return { byKind, byCountry, byProduct };
  }

  /**
   * What the public may read about a case: its status and the events whose outreach was released
   * (approved or automatic; a cancelled event only when some of its notices went out). No customer data.
   */
  async publicCase(caseId: string): Promise<{
    status: string;
    title: string;
    openedAt: Date;
    closedAt: Date | null;
    events: PublicCaseEvent[];
  } | null> {
    const [c] = await this.dataSource.query(
      `SELECT status, title, opened_at, closed_at FROM cases WHERE case_id = $1`,
      [caseId],
    );
    if (!c) return null;
    const rows = await this.dataSource.query(
      `SELECT ${PUBLIC_EVENT_COLUMNS}
         FROM events e
        WHERE e.case_id = $1 AND ${RELEASED_EVENT_SQL}
        ORDER BY e.id`,
      [caseId],
    );
    return {
      status: c.status,
      title: c.title,
      openedAt: c.opened_at,
      closedAt: c.closed_at,
      events: rows.map(toPublicEvent),
    };
  }
}
