import { Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '../domain/roles';
import type { Page } from '../common/paging.dto';
import { CustomerDetailSections } from './customer-detail-sections';
import { CustomersRepository, type CustomerFilter, type CustomerRow } from './customers.repository';
import type { AccountManager, SubscriptionRef, Tier } from '../domain/registry.types';

export interface CustomerSummary {
  ref: string;
  name: string;
  tier: Tier;
  country: string;
  accountManager: AccountManager | null;
  active: boolean;
}

@Injectable()
export class CustomersService {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly sections: CustomerDetailSections,
  ) {}

  async search(
    principal: Principal,
    filter: CustomerFilter,
    page: number,
    pageSize: number,
  ): Promise<Page<CustomerSummary & { subscriptions: SubscriptionRef[] }>> {
    const { total, rows } = await this.customers.search(principal, filter, page, pageSize);
    return { items: rows.map((r) => ({ ...summary(r), subscriptions: r.subscriptions })), total, page, pageSize };
  }

  /** The customer with contacts, subscriptions, cases and notices; 404 when missing or not visible to the caller. */
  async detail(principal: Principal, ref: string) {
    const row = await this.customers.findVisible(principal, ref);
    if (!row) throw new NotFoundException(`no customer ${ref}`);
    const [contacts, subscriptions, sections] = await Promise.all([
      this.customers.contactsOf(row.id),
      this.customers.subscriptionsOf(row.id),
      this.sections.load({ id: row.id, ref: row.ref }, principal),
    ]);
    return {
      ...summary(row),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      contacts,
      subscriptions,
      ...sections,
    };
  }
}

function summary(r: CustomerRow): CustomerSummary {
  return {
    ref: r.ref,
    name: r.name,
    tier: r.tier,
    country: r.country,
    accountManager: r.am_email ? { email: r.am_email, name: r.am_name ?? '' } : null,
    active: r.active,
  };
}
