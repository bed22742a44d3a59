// What the demo prints: the seeded registry's size, an event's progress while it runs and who was told what after.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EventStatus } from '../domain/event.types';

export interface DemoRegistrySummary {
  customers: number;
  countries: number;
  enterprise: number;
  managers: number;
  locales: number;
}

export interface DemoProgress {
  status: EventStatus;
  /** Notices still to send (pending, sending, retrying). */
  open: number;
  sent: number;
}

export interface DemoStep {
  eventPk: string;
  reasons: string[];
  /** Customers told, by notice kind. */
  kinds: { kind: string; customers: number; enterprise: number }[];
  mails: { kind: string; status: string; n: number }[];
  /** Notices by contact locale, most first. */
  locales: { locale: string; n: number }[];
}

@Injectable()
export class DemoRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The active customers whose ref starts with `refPrefix-`, and the contact locales of the whole registry. */
  async registrySummary(refPrefix: string): Promise<DemoRegistrySummary> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS customers, count(DISTINCT country)::int AS countries,
              count(*) FILTER (WHERE tier = 'enterprise')::int AS enterprise,
              count(DISTINCT am_email)::int AS managers,
              (SELECT count(DISTINCT locale)::int FROM contacts) AS locales
         FROM customers WHERE active AND ref LIKE $1`,
      [`${refPrefix}-%`],
    );
    return row;
  }

  /** Null until the event is stored. */
  async progress(eventId: string): Promise<DemoProgress | null> {
    const [row] = await this.dataSource.query(
      `SELECT e.status, count(n.*) FILTER (WHERE n.status IN ('pending','sending','retrying'))::int AS open,
              count(n.*) FILTER (WHERE n.status = 'sent')::int AS sent
         FROM events e LEFT JOIN notices n ON n.event_pk = e.id AND NOT n.is_test
        WHERE e.event_id = $1 AND NOT e.conflict GROUP BY e.status`,
      [eventId],
    );
    return row ?? null;
  }

  /** Who a stored event told what, and how its mails fared. */
  async step(eventId: string): Promise<DemoStep> {
    const [ev] = await this.dataSource.query(`SELECT id, reasons FROM events WHERE event_id = $1 AND NOT conflict`, [
      eventId,
    ]);
    const kinds = await this.dataSource.query(
      `SELECT kind, count(*)::int AS customers,
              count(*) FILTER (WHERE c.tier = 'enterprise')::int AS enterprise
         FROM event_customers ec JOIN customers c ON c.id = ec.customer_id WHERE ec.event_pk = $1 GROUP BY kind ORDER BY kind`,
      [ev.id],
    );
    const mails = await this.dataSource.query(
      `SELECT kind, status, count(*)::int AS n FROM notices WHERE event_pk = $1 AND NOT is_test GROUP BY 1, 2 ORDER BY 1, 2`,
      [ev.id],
    );
    const locales = await this.dataSource.query(
      `SELECT locale, count(*)::int AS n FROM notices WHERE event_pk = $1 AND NOT is_test GROUP BY 1 ORDER BY 2 DESC`,
      [ev.id],
    );
    return { eventPk: String(ev.id), reasons: ev.reasons, kinds, mails, locales };
  }

  /** The customer told most often in the case (the demo prints its own status link), with its first contact's locale. */
  async mostToldCustomer(
    caseId: string,
  ): Promise<{ id: string; ref: string; name: string; locale: string | null } | null> {
    const [row] = await this.dataSource.query(
      `SELECT c.id::text AS id, c.ref, c.name,
              (SELECT k.locale FROM contacts k WHERE k.customer_id = c.id AND k.notices ORDER BY k.id LIMIT 1) AS locale
         FROM event_customers ec JOIN events e ON e.id = ec.event_pk JOIN customers c ON c.id = ec.customer_id
        WHERE e.case_id = $1
        GROUP BY c.id ORDER BY count(*) DESC, (c.tier = 'enterprise') DESC, c.ref LIMIT 1`,
      [caseId],
    );
    return row ?? null;
  }
}
