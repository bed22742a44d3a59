// Read side of events and cases: the shapes of SPEC §5, with account managers limited to their own customers.
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Principal } from '../domain/roles';
import type { EventStatus } from '../domain/event.types';
import type { DeliveryStatus, WebhookDeliveryStatus } from '../domain/notice.types';
import type { Writable } from 'node:stream';
import { customerVisibility } from '../registry/customer-visibility';
import { AffectedExportService } from './affected-export.service';
import { AffectedRepository, singleFacet, UNREACHED, type AffectedFilter } from './affected.repository';
import { AffectedTotalsCache } from './affected-totals.cache';
import { CasesRepository, type CaseRow } from './cases.repository';
import type { EventListQuery } from './dto/event-query.dto';
import { EventTalliesCache } from './event-tallies.cache';
import { EventsRepository, type EventRow, type EventTallies } from './events.repository';

export interface EventView {
  eventId: string | null;
  caseId: string | null;
  type: string | null;
  status: EventStatus;
  reasons: string[];
  receivedAt: string;
  counts: Record<DeliveryStatus, number>;
  /** The event's webhook deliveries by state (SPEC §4), beside the mails' `counts`. */
  webhooks: Record<WebhookDeliveryStatus, number>;
  title: string | null;
  dispatch: string | null;
  customersAffected: number;
  appliedAt: string | null;
  /** Applied and sending, with the rest of its contacts' notices still being written: the counts still grow. */
  planning: boolean;
  finishedAt: string | null;
  source: string;
  conflict: boolean;
  raw?: string | null;
}

export function toEventView(
  r: EventRow,
  counts: Record<DeliveryStatus, number>,
  webhooks: Record<WebhookDeliveryStatus, number>,
): EventView {
  return {
    eventId: r.event_id,
    caseId: r.case_id,
    type: r.type,
    status: r.status,
    reasons: r.reasons,
    receivedAt: new Date(r.received_at).toISOString(),
    counts,
    webhooks,
    title: r.title,
    dispatch: r.dispatch,
    customersAffected: r.customers_affected,
    appliedAt: r.applied_at ? new Date(r.applied_at).toISOString() : null,
    planning: r.planning,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    source: r.source,
    conflict: r.conflict,
    ...(r.status === 'rejected' ? { raw: r.raw } : {}),
  };
}

@Injectable()
export class EventsService {
  private readonly logger = new Logger(EventsService.name);
  /** Events whose affected totals are being stored by this process. */
  private readonly storingFacets = new Set<string>();

  constructor(
    private readonly events: EventsRepository,
    private readonly cases: CasesRepository,
    private readonly affected: AffectedRepository,
    private readonly exporter: AffectedExportService,
    private readonly totals: AffectedTotalsCache,
    private readonly talliesCache: EventTalliesCache,
  ) {}

  async list(q: EventListQuery, viewer: Principal) {
    const { rows, counts, webhooks, total } = await this.events.list(q, viewer);
    const items = rows.map((r) => toEventView(r, counts.get(String(r.id))!, webhooks.get(String(r.id))!));
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  async getRow(eventId: string): Promise<EventRow> {
    const row = await this.events.findByEventId(eventId);
    if (!row) throw new NotFoundException(`no event ${eventId}`);
    return row;
  }

  async get(eventId: string, viewer: Principal): Promise<EventView> {
    return this.view(await this.getRow(eventId), viewer);
  }

  /** The API view of an event row already read (a page that needs both reads the row once). */
  async view(row: EventRow, viewer: Principal): Promise<EventView> {
    return (await this.viewWithProgress(row, viewer)).view;
  }

  /**
   * The event's view and its notices' progress by who is told first (digests, enterprise, developers), done out of
   * all: both from one count.
   */
  async viewWithProgress(
    row: EventRow,
    viewer: Principal,
  ): Promise<{ view: EventView; classes: EventTallies['classes'] }> {
    const { counts, webhooks, classes } = await this.tallies(row, viewer);
    return { view: toEventView(row, counts, webhooks), classes };
  }

  /** Counts and progress of one event, shared for a second between the requests that read it while it is sent. */
  private tallies(row: EventRow, viewer: Principal): Promise<EventTallies> {
    return this.talliesCache.get(row, viewer, () => this.events.tallies(row.id, viewer));
  }

  async eventAffected(eventId: string, f: AffectedFilter, viewer: Principal) {
    const row = await this.getRow(eventId);
    const q = this.affected.eventQuery(row.id, f, viewer);
    // An applied event's customer rows never change (the service deactivates customers, never deletes them), so
    // customers_affected is their count; a filtered total is counted once and reused for a while.
    const applied = Boolean(row.applied_at);
    const key = this.totals.key(q, applied, Boolean(f.deliveryStatus));
    const cached = !q.filtered && applied ? row.customers_affected : this.totals.get(key);
    // Else a one-filter total stored when the event was applied (event_facet_totals), or it is counted.
    const known = cached ?? (applied ? await this.storedTotal(row.id, f, viewer) : undefined);
    const page = await this.affected.page(q, f, known);
    if (cached === undefined) this.totals.set(key, page.total);
    return page;
  }

  /**
   * The stored total of a list filtered by one tier, account manager, country or product, for a viewer who sees all.
   * Totals counted before an import changed a tier or an account manager are stored again in the background, and the
   * list is counted meanwhile.
   */
  private async storedTotal(eventPk: string, f: AffectedFilter, viewer: Principal): Promise<number | undefined> {
    const facet = singleFacet(f);
    if (!facet || customerVisibility(viewer).params.length) return undefined;
    const stored = await this.affected.facetTotal(eventPk, facet.facet, facet.value);
    if (stored !== 'stale') return stored;
    void this.storeFacetTotals(eventPk);
    return undefined;
  }

  /**
   * Stores (or stores again) an applied event's affected totals by tier, account manager, country and product, for
   * callers that do not wait for it: after an apply or a reconcile, and after a stale read. One at a time per event
   * in this process; a failure is logged, and the promise never rejects.
   */
  async storeFacetTotals(eventPk: string): Promise<void> {
    if (this.storingFacets.has(eventPk)) return;
    this.storingFacets.add(eventPk);
    try {
      await this.affected.storeFacetTotals(eventPk);
    } catch (e) {
      this.logger.warn(`affected totals of event ${eventPk}: ${(e as Error).message}`);
    } finally {
      this.storingFacets.delete(eventPk);
    }
  }

  /** Customers of the event none of whose notices ended `sent` (SPEC §4), among those `viewer` may see. */
  async unreachedCount(eventPk: string, viewer: Principal): Promise<number> {
    return this.affected.count(
      this.affected.eventQuery(eventPk, { deliveryStatus: UNREACHED, page: 1, pageSize: 1 }, viewer),
    );
  }

  /**
   * Streams the event's affected customers as CSV (every row, no paging). `start` runs once the event is known to
   * exist and before the first byte, so a caller can set response headers or still answer 404.
   */
  async eventAffectedCsv(
    eventId: string,
    f: AffectedFilter,
    viewer: Principal,
    out: Writable,
    start: () => void,
  ): Promise<number> {
    const row = await this.getRow(eventId);
    start();
    return this.exporter.stream(this.affected.eventQuery(row.id, f, viewer), true, out);
  }

  async caseAffectedCsv(
    caseId: string,
    f: AffectedFilter,
    viewer: Principal,
    out: Writable,
    start: () => void,
  ): Promise<number> {
    await this.assertCase(caseId);
    start();
    return this.exporter.stream(this.affected.caseQuery(caseId, f, viewer), false, out);
  }

  private async assertCase(caseId: string): Promise<void> {
    if (!(await this.cases.exists(caseId))) throw new NotFoundException(`no case ${caseId}`);
  }

  async listCases(page: number, pageSize: number) {
    const { rows, total } = await this.cases.page(page, pageSize);
    return { items: rows.map(toCaseView), total, page, pageSize };
  }

  async getCase(caseId: string, viewer: Principal) {
    const row = await this.cases.find(caseId);
    if (!row) throw new NotFoundException(`no case ${caseId}`);
    const events = await this.events.listForCase(caseId);
    const ids = events.map((e) => e.id);
    const [counts, webhooks] = await Promise.all([
      this.events.noticeCounts(ids, viewer),
      this.events.webhookCounts(ids, viewer),
    ]);
    return {
      ...toCaseView(row),
      timeline: events.map((e) => toEventView(e, counts.get(String(e.id))!, webhooks.get(String(e.id))!)),
    };
  }

  async caseAffected(caseId: string, f: AffectedFilter, viewer: Principal) {
    await this.assertCase(caseId);
    return this.affected.page(this.affected.caseQuery(caseId, f, viewer), f);
  }
}

function toCaseView(r: CaseRow) {
  return {
    caseId: r.case_id,
    status: r.status,
    title: r.title,
    openedAt: new Date(r.opened_at).toISOString(),
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
    updatedAt: new Date(r.updated_at).toISOString(),
    suspendedSubscriptions: r.suspended,
    suspendedCustomers: r.customers,
  };
}
