// Extension point for GET /customers/:ref: other features add the customer's cases and notices here.
import { Injectable } from '@nestjs/common';
import type { Principal } from '../domain/roles';

/** Loads one section of a customer's detail (e.g. its cases); `customerId` is customers.id. */
export type CustomerSection = (customer: { id: string; ref: string }, principal: Principal) => Promise<unknown[]>;

/**
 * Holds the sections beside contacts and subscriptions. `cases` and `notices` are empty until the
 * features owning them call `register('cases', ...)` (e.g. in their service's onModuleInit).
 */
@Injectable()
export class CustomerDetailSections {
  private readonly sections = new Map<string, CustomerSection>([
    ['cases', async () => []],
    ['notices', async () => []],
  ]);

  register(name: string, section: CustomerSection): void {
    this.sections.set(name, section);
  }

  async load(customer: { id: string; ref: string }, principal: Principal): Promise<Record<string, unknown[]>> {
    const entries = await Promise.all(
      [...this.sections].map(async ([name, load]) => [name, await load(customer, principal)] as const),
    );
    return Object.fromEntries(entries);
  }
}
