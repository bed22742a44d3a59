// POST /events/preview: the real matching and lifecycle, computed inside a transaction that is rolled back.
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MatchingRepository } from '../matching/matching.repository';
import { NoticeSamplesService, type NoticeSample } from '../notices/rendering/notice-samples.service';
import { CaseLifecycleService } from './case-lifecycle.service';
import { validateEvent } from './event-validator';
import { EventsRepository } from './events.repository';
import type { SuspensionEvent } from '../domain/event.types';

export interface PreviewCounts {
  customers: number;
  notices: number;
  byKind: Record<string, { customers: number; notices: number }>;
  byTier: Record<string, number>;
  byCountry: Record<string, number>;
  byProduct: Record<string, number>;
}

export interface PreviewResult {
  event: SuspensionEvent;
  accepted: boolean;
  reasons: string[];
  counts: PreviewCounts;
  /** One rendered notice per kind × tier × locale, as it would be mailed. */
  samples: NoticeSample[];
}

function toRecord(rows: { k: string; n: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

@Injectable()
export class EventPreviewService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsRepository,
    private readonly matching: MatchingRepository,
    private readonly lifecycle: CaseLifecycleService,
    private readonly samples: NoticeSamplesService,
  ) {}

  /**
   * Runs `inspect` with the event applied inside a transaction that is always rolled back, so nothing is stored.
   * `inspect` receives the throwaway event id and the transaction's manager.
   */
  async withAppliedEvent<T>(
    data: unknown,
    inspect: (r: { eventPk: string; event: SuspensionEvent; reasons: string[]; m: import('typeorm').EntityManager }) => Promise<T>,
  ): Promise<T> {
    const checked = validateEvent(data, this.config.DEFAULT_DISPATCH);
    if (!checked.ok) {
      throw new BadRequestException({ message: checked.reasons.join('; '), details: checked.reasons });
    }
    const e = checked.event;
    const qr = this.events.dataSource.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      const m = qr.manager;
      const unknown = e.scope ? await this.matching.unknownScopeCodes(e.scope, m) : [];
      if (unknown.length) throw new BadRequestException({ message: unknown.join('; '), details: unknown });
      await this.events.lockCase(m, 'apply', e.caseId);
      const eventPk = await this.events.insert(m, {
        eventId: null, caseId: e.caseId, type: e.type, status: 'received', dispatch: e.dispatch, payload: e, raw: null,
        contentHash: null, conflict: false, reasons: [], source: 'http',
      });
      const reasons = await this.lifecycle.lifecycleProblems(m, e);
      if (!reasons.length) await this.lifecycle.computeEffect(m, e, eventPk as string);
      return await inspect({ eventPk: eventPk as string, event: e, reasons, m });
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  async preview(data: unknown): Promise<PreviewResult> {
    return this.withAppliedEvent(data, async ({ eventPk, event, reasons, m }) => {
      const q = (sql: string) => m.query(sql, [eventPk]);
      const [totals] = await q(
        `SELECT (SELECT count(*)::int FROM event_customers WHERE event_pk = $1) AS customers,
                (SELECT count(*)::int FROM notices WHERE event_pk = $1) AS notices`,
      );
      const kinds = await q(
        `SELECT k.kind, coalesce(ec.n, 0)::int AS customers, coalesce(nn.n, 0)::int AS notices
           FROM (SELECT DISTINCT kind FROM notices WHERE event_pk = $1
                 UNION SELECT DISTINCT kind FROM event_customers WHERE event_pk = $1) k
           LEFT JOIN (SELECT kind, count(*) n FROM event_customers WHERE event_pk = $1 GROUP BY 1) ec USING (kind)
           LEFT JOIN (SELECT kind, count(*) n FROM notices WHERE event_pk = $1 GROUP BY 1) nn USING (kind)`,
      );
      const byTier = await q(
        `SELECT c.tier AS k, count(*)::int AS n FROM event_customers ec JOIN customers c ON c.id = ec.customer_id
          WHERE ec.event_pk = $1 GROUP BY 1`,
      );
      const subs = `(SELECT ec.customer_id, s->>'product' AS product, s->>'country' AS country
                       FROM event_customers ec, jsonb_array_elements(ec.affected || ec.removed) s WHERE ec.event_pk = $1)`;
      const byCountry = await q(`SELECT country AS k, count(DISTINCT customer_id)::int AS n FROM ${subs} x GROUP BY 1 ORDER BY 2 DESC`);
      const byProduct = await q(`SELECT product AS k, count(DISTINCT customer_id)::int AS n FROM ${subs} x GROUP BY 1 ORDER BY 2 DESC`);
      const samples = await this.samples.render(m, eventPk, event);
      return {
        event,
        accepted: reasons.length === 0,
        reasons,
        counts: {
          customers: totals.customers,
          notices: totals.notices,
          byKind: Object.fromEntries(kinds.map((k: { kind: string; customers: number; notices: number }) => [k.kind, { customers: k.customers, notices: k.notices }])),
          byTier: toRecord(byTier),
          byCountry: toRecord(byCountry),
          byProduct: toRecord(byProduct),
        },
        samples,
      };
    });
  }
}
