// All SQL of the cases table and of a case's suspended set as the read side shows it; the advisory locks per case.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CaseStatus } from '../domain/event.types';
import type { SubscriptionRef } from '../domain/registry.types';

/** Two advisory-lock namespaces per case: intake (arrival order) and apply (one event at a time). */
export const CASE_LOCK = { intake: 7001, apply: 7002 } as const;

/** A case with the size of its suspended set. */
export interface CaseRow {
  case_id: string;
  status: CaseStatus;
  title: string;
  opened_at: Date;
  closed_at: Date | null;
  updated_at: Date;
  suspended: number;
  customers: number;
}

/** A case that suspends some of a customer's subscriptions now. */
export interface CustomerCaseRow {
  case_id: string;
  status: CaseStatus;
  title: string;
  suspended: SubscriptionRef[];
}

const CASE_COLUMNS = `c.case_id, c.status, c.title, c.opened_at, c.closed_at, c.updated_at,
  (SELECT count(*)::int FROM case_suspensions s WHERE s.case_id = c.case_id) AS suspended,
  (SELECT count(DISTINCT customer_id)::int FROM case_suspensions s WHERE s.case_id = c.case_id) AS customers`;

@Injectable()
export class CasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async lock(m: EntityManager, kind: keyof typeof CASE_LOCK, caseId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [CASE_LOCK[kind], caseId]);
  }

  /** The case's status, its row locked until the transaction ends; null for an unknown case. */
  async statusForUpdate(m: EntityManager, caseId: string): Promise<CaseStatus | null> {
    const rows = await m.query(`SELECT status FROM cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
    return rows[0]?.status ?? null;
  }

  async open(m: EntityManager, caseId: string, title: string, eventPk: string): Promise<void> {
    await m.query(
      `INSERT INTO cases (case_id, status, title, last_event) VALUES ($1, 'open', $2, $3)
       ON CONFLICT (case_id) DO UPDATE SET status = 'open', title = $2, opened_at = now(), closed_at = NULL,
              last_event = $3, updated_at = now()`,
      [caseId, title, eventPk],
    );
  }

  async touch(m: EntityManager, caseId: string, eventPk: string, close: boolean): Promise<void> {
    await m.query(
      `UPDATE cases SET last_event = $2, updated_at = now(),
              status = CASE WHEN $3 THEN 'closed' ELSE status END,
              closed_at = CASE WHEN $3 THEN now() ELSE closed_at END
        WHERE case_id = $1`,
      [caseId, eventPk, close],
    );
  }

  async exists(caseId: string): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM cases WHERE case_id = $1`, [caseId]);
    return rows.length > 0;
  }

  /** One page of cases, most recently changed first, and how many there are. */
  async page(page: number, pageSize: number): Promise<{ rows: CaseRow[]; total: number }> {
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM cases`);
    const rows = await this.dataSource.query(
      `SELECT ${CASE_COLUMNS} FROM cases c ORDER BY c.updated_at DESC LIMIT $1 OFFSET $2`,
      [pageSize, (page - 1) * pageSize],
    );
    return { rows, total };
  }

  async find(caseId: string): Promise<CaseRow | null> {
    const rows = await this.dataSource.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.case_id = $1`, [caseId]);
    return rows[0] ?? null;
  }

  /** The cases that suspend some of the customer's subscriptions now, with those subscriptions. */
  async suspendingCustomer(customerId: string): Promise<CustomerCaseRow[]> {
    return this.dataSource.query(
      `SELECT s.case_id, c.status, c.title,
              jsonb_agg(jsonb_build_object('product', s.product, 'country', s.country) ORDER BY s.product, s.country) AS suspended
         FROM case_suspensions s JOIN cases c ON c.case_id = s.case_id
        WHERE s.customer_id = $1 GROUP BY s.case_id, c.status, c.title ORDER BY s.case_id`,
      [customerId],
    );
  }
}
