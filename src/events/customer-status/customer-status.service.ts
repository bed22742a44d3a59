// A customer's own page for a case (SPEC §4): what of theirs is suspended now, and what each released event changed for them.
import { Injectable } from '@nestjs/common';
import type { CustomerNoticeKind } from '../../domain/notice.types';
import type { ProductCategory, SubscriptionRef } from '../../domain/registry.types';
import { StatusLinks } from '../../notices/status-link/status-links.service';
import {
  CustomerStatusRepository,
  type StatusCase,
  type StatusCustomer,
  type StatusEventRow,
} from './customer-status.repository';

/** The JSON answer of the status link, in the SPEC's shape. */
export interface CustomerStatusJson {
  caseId: string;
  customer: { ref: string; name: string };
  suspended: SubscriptionRef[];
  timeline: {
    eventId: string;
    type: string;
    occurredAt: string;
    kind: CustomerNoticeKind | null;
    added: SubscriptionRef[];
    removed: SubscriptionRef[];
    conditions: string[];
  }[];
}

export interface CustomerStatus {
  json: CustomerStatusJson;
  case: StatusCase;
  customer: StatusCustomer;
  events: StatusEventRow[];
  products: Record<string, { name: string; category: ProductCategory }>;
}

const byKey = (a: SubscriptionRef, b: SubscriptionRef) =>
  a.product.localeCompare(b.product) || a.country.localeCompare(b.country);

/**
 * The customer's suspended set after the released events, oldest first: every change of a customer's set is told
 * (suspended, updated, restored, licence granted), so the last such row says what is suspended; a denial changes nothing.
 */
export function suspendedAfter(events: StatusEventRow[]): SubscriptionRef[] {
  let now: SubscriptionRef[] = [];
  for (const e of events) {
    if (e.kind === 'suspended' || e.kind === 'updated' || e.kind === 'license-granted') now = e.affected;
    else if (e.kind === 'restored') now = [];
  }
  return [...now].sort(byKey);
}

@Injectable()
export class CustomerStatusService {
  constructor(
    private readonly repo: CustomerStatusRepository,
    private readonly links: StatusLinks,
  ) {}

  /** The customer's status for the case, or null for any token that does not open it (the caller answers 404 alike). */
  async find(caseId: string, token: string): Promise<CustomerStatus | null> {
    const customerId = this.links.verify(caseId, token);
    if (!customerId) return null;
    const [c, customer] = await Promise.all([this.repo.findCase(caseId), this.repo.findCustomer(customerId)]);
    if (!c || !customer) return null;
    const events = await this.repo.releasedEvents(caseId, customerId);
    const suspended = suspendedAfter(events);
    const codes = new Set<string>();
    for (const e of events) for (const s of [...e.affected, ...e.added, ...e.removed]) codes.add(s.product);
    const products = await this.repo.productNames([...codes]);
    const json: CustomerStatusJson = {
      caseId,
      customer: { ref: customer.ref, name: customer.name },
      suspended,
      timeline: events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        occurredAt: e.occurredAt,
        kind: e.kind,
        added: [...e.added].sort(byKey),
        removed: [...e.removed].sort(byKey),
        conditions: e.conditions,
      })),
    };
    return { json, case: c, customer, events, products };
  }
}
