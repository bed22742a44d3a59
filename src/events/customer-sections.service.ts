// Adds the cases that affect a customer now and every notice sent to it to GET /customers/:ref.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CustomerDetailSections } from '../registry/customer-detail-sections';

@Injectable()
export class CustomerSectionsService implements OnModuleInit {
  constructor(
    private readonly sections: CustomerDetailSections,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.sections.register('cases', async ({ id }) => {
      const rows = await this.dataSource.query(
        `SELECT s.case_id, c.status, c.title,
                jsonb_agg(jsonb_build_object('product', s.product, 'country', s.country) ORDER BY s.product, s.country) AS suspended
           FROM case_suspensions s JOIN cases c ON c.case_id = s.case_id
          WHERE s.customer_id = $1 GROUP BY s.case_id, c.status, c.title ORDER BY s.case_id`,
        [id],
      );
      return rows.map((r: any) => ({ caseId: r.case_id, status: r.status, title: r.title, suspended: r.suspended }));
    });
    this.sections.register('notices', async ({ id }) => {
      const rows = await this.dataSource.query(
        `SELECT n.id, e.event_id, e.case_id, n.kind, n.email, n.locale, n.status, n.attempts, n.last_code, n.last_reply,
                n.created_at, n.sent_at
           FROM notices n JOIN events e ON e.id = n.event_pk
          WHERE n.customer_id = $1 AND NOT n.is_test ORDER BY n.id DESC LIMIT 500`,
        [id],
      );
      return rows.map((r: any) => ({
        id: String(r.id), eventId: r.event_id, caseId: r.case_id, kind: r.kind, email: r.email, locale: r.locale,
        status: r.status, attempts: r.attempts, lastCode: r.last_code, lastReply: r.last_reply,
        createdAt: r.created_at, sentAt: r.sent_at,
      }));
    });
  }
}
