// POST /events/preview: the real matching and lifecycle, computed inside a transaction that is rolled back.
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionService } from '../common/transaction.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MatchingRepository } from '../matching/matching.repository';
import {
  NoticeSamplesService,
  type NoticeSample,
  type PreviewLocale,
} from '../notices/rendering/notice-samples.service';
import { CaseLifecycleService } from './case-lifecycle.service';
import { CasesRepository } from './cases.repository';
import { EventPreviewRepository, type PreviewCounts } from './event-preview.repository';
import { validateEvent } from './event-validator';
import { EventsRepository } from './events.repository';
import type { SuspensionEvent } from '../domain/event.types';

export interface PreviewResult {
  event: SuspensionEvent;
  accepted: boolean;
  reasons: string[];
  counts: PreviewCounts;
  /** The languages the event's contacts read, most used first, with the catalogue each is written from. */
  locales: PreviewLocale[];
  /** One rendered notice per kind × tier × locale, as it would be mailed (per kind × tier in `locale` when asked). */
  samples: NoticeSample[];
}

@Injectable()
export class EventPreviewService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly events: EventsRepository,
    private readonly cases: CasesRepository,
    private readonly previews: EventPreviewRepository,
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
    inspect: (r: { eventPk: string; event: SuspensionEvent; reasons: string[]; m: EntityManager }) => Promise<T>,
  ): Promise<T> {
    const checked = validateEvent(data, this.config.DEFAULT_DISPATCH);
    if (!checked.ok) {
      throw new BadRequestException({ message: checked.reasons.join('; '), details: checked.reasons });
    }
    const e = checked.event;
    return this.tx.rolledBack(async (m) => {
      const unknown = e.scope ? await this.matching.unknownScopeCodes(e.scope, m) : [];
      if (unknown.length) throw new BadRequestException({ message: unknown.join('; '), details: unknown });
      await this.cases.lock(m, 'apply', e.caseId);
      const eventPk = await this.events.insert(m, {
        eventId: null,
        caseId: e.caseId,
        type: e.type,
        status: 'received',
        dispatch: e.dispatch,
        payload: e,
        raw: null,
        contentHash: null,
        conflict: false,
        reasons: [],
        source: 'http',
      });
      const reasons = await this.lifecycle.lifecycleProblems(m, e);
      if (!reasons.length) await this.lifecycle.computeEffect(m, e, eventPk as string);
      return inspect({ eventPk: eventPk as string, event: e, reasons, m });
    });
  }

  /** `locale`: render the samples in this language instead of each contact's. */
  async preview(data: unknown, locale?: string): Promise<PreviewResult> {
    return this.withAppliedEvent(data, async ({ eventPk, event, reasons, m }) => {
      const counts = await this.previews.counts(m, eventPk);
      const locales = await this.samples.locales(eventPk, m);
      const samples = await this.samples.render(eventPk, event, m, locale);
      return { event, accepted: reasons.length === 0, reasons, counts, locales, samples };
    });
  }
}
