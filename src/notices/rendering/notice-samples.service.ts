// Renders one sample notice per kind × tier × locale of an event, e.g. inside a preview's rolled-back transaction.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { SuspensionEvent } from '../../domain/event.types';
import { NoticeRepository } from '../notice.repository';
import { renderInput, statusUrl } from './notice-input.factory';
import { NoticeRenderer } from './notice-renderer.service';

/** A contact locale of the event, how many notices use it, and the catalogue they are written from. */
export interface PreviewLocale {
  locale: string;
  notices: number;
  catalogue: string;
}

export interface NoticeSample {
  kind: string;
  tier: string | null;
  locale: string;
  templateLocale: string | null;
  to: string;
  subject: string | null;
  html: string | null;
  text: string | null;
  error: string | null;
}

@Injectable()
export class NoticeSamplesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: NoticeRepository,
    private readonly renderer: NoticeRenderer,
  ) {}

  /**
   * `m`: the transaction to read in, e.g. a preview's, whose rows nobody else sees. Without `locale`, one sample per
   * kind × tier × contact locale; with it, one per kind × tier, rendered in that language (falling back like a contact's).
   */
  async render(
    eventPk: string,
    event: SuspensionEvent,
    m?: EntityManager,
    locale?: string,
    limit = 60,
  ): Promise<NoticeSample[]> {
    const ids = await this.notices.sampleIds(eventPk, limit, m, locale === undefined);
    const rows = await this.notices.loadForRender(ids, m);
    const ctx = {
      eventPk,
      event,
      products: await this.notices.products(m),
      statusUrl: statusUrl(this.config.PUBLIC_BASE_URL, event.caseId),
      publicBaseUrl: this.config.PUBLIC_BASE_URL,
    };
    const out: NoticeSample[] = [];
    for (const n of rows) {
      const digest = n.kind === 'am-digest' ? await this.notices.digestAccounts(eventPk, n.email, m) : null;
      const base = { kind: n.kind, tier: n.tier, locale: n.locale, to: n.email };
      try {
        const r = this.renderer.render(renderInput(ctx, n, digest), { locale });
        out.push({ ...base, templateLocale: r.locale, subject: r.subject, html: r.html, text: r.text, error: null });
      } catch (e) {
        out.push({ ...base, templateLocale: null, subject: null, html: null, text: null, error: (e as Error).message });
      }
    }
    return out;
  }

  /** The languages the event's contacts read, with counts and the catalogue each falls back to. */
  async locales(eventPk: string, m?: EntityManager): Promise<PreviewLocale[]> {
    const rows = await this.notices.localeCounts(eventPk, m);
    return rows.map((r) => ({ locale: r.locale, notices: r.n, catalogue: this.renderer.resolveLocale(r.locale) }));
  }

  /** The locales a preview can be rendered in (every shipped catalogue), with their own names. */
  get shippedLocales() {
    return this.renderer.shippedLocales;
  }
}
