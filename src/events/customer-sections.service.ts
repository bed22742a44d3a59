// Adds the cases that affect a customer now and every notice sent to it to GET /customers/:ref.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { deliveryView, NoticeListRepository } from '../notices/notice-list.repository';
import { CustomerDetailSections } from '../registry/customer-detail-sections';
import { CasesRepository } from './cases.repository';

@Injectable()
export class CustomerSectionsService implements OnModuleInit {
  constructor(
    private readonly sections: CustomerDetailSections,
    private readonly cases: CasesRepository,
    private readonly notices: NoticeListRepository,
  ) {}

  onModuleInit(): void {
    this.sections.register('cases', async ({ id }) => {
      const rows = await this.cases.suspendingCustomer(id);
      return rows.map((r) => ({ caseId: r.case_id, status: r.status, title: r.title, suspended: r.suspended }));
    });
    this.sections.register('notices', async ({ id }) => {
      const rows = await this.notices.ofCustomer(id);
      return rows.map((r) => ({ ...deliveryView(r), eventId: r.event_id, caseId: r.case_id }));
    });
  }
}
