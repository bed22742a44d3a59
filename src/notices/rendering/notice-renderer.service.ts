// Renders a notice (subject, HTML, text) from one set of precompiled templates and the message catalogue of the contact's language; a template error throws TemplateRenderError.
import { resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TIERS } from '../../domain/registry.types';
import { FALLBACK_LOCALE, loadCatalogues } from './notice-renderer.catalogues';
import { directionOf, LocaleResolver } from './notice-renderer.locale';
import type { MessageCatalogue } from './notice-renderer.messages';
import { sampleRenderInput } from './notice-renderer.sample';
import {
  compileTemplateSet,
  readTemplateSources,
  TemplateRenderError,
  type TemplateSet,
} from './notice-renderer.templates';
import { buildNoticeView } from './notice-renderer.view-model';
import { NOTICE_KINDS, type NoticeRenderInput, type RenderedNotice } from '../../domain/notice.types';

export { TemplateRenderError } from './notice-renderer.templates';

const SUBJECT_MAX = 250;
const TEST_PREFIX = '[TEST] ';

/** One line of plain text: control characters (CR, LF, tab, U+2028 …) become spaces, runs of spaces collapse. */
export function sanitizeSubject(raw: string): string {
  const line = raw
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return line.length > SUBJECT_MAX ? `${line.slice(0, SUBJECT_MAX - 1).trimEnd()}…` : line;
}

function tidyText(raw: string): string {
  return `${raw.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/** A shipped locale as the preview lists it: its tag, its own name for itself, and its writing direction. */
export interface ShippedLocale {
  locale: string;
  name: string;
  dir: 'ltr' | 'rtl';
}

export interface RenderOptions {
  /** Renders in this locale instead of the contact's (a preview in a chosen language); it falls back like a contact's. */
  locale?: string;
}

@Injectable()
export class NoticeRenderer {
  private readonly logger = new Logger(NoticeRenderer.name);
  private readonly set: TemplateSet;
  private readonly catalogues: Map<string, MessageCatalogue>;
  private readonly resolver: LocaleResolver;
  private readonly issues: string[];

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'TEMPLATES_DIR'>) {
    const dir = resolve(config.TEMPLATES_DIR);
    const sources = readTemplateSources(dir);
    const loaded = loadCatalogues(dir, sources.messageKeys);
    this.set = compileTemplateSet(sources, loaded.fixedKeys);
    this.catalogues = loaded.catalogues;
    this.issues = [...this.set.problems, ...loaded.problems];
    this.resolver = new LocaleResolver(this.catalogues.keys(), FALLBACK_LOCALE);
    this.warmUp();
    for (const problem of this.issues) this.logger.warn(`template problem: ${problem}`);
    for (const c of this.catalogues.values()) {
      if (c.missing.length)
        this.logger.warn(`messages/${c.locale}.json lacks ${c.missing.length} messages; English is used for them`);
    }
  }

  /** Without Nest: `NoticeRenderer.load('templates')`. */
  static load(templatesDir: string): NoticeRenderer {
    return new NoticeRenderer({ TEMPLATES_DIR: templatesDir });
  }

  /** Catalogue locales loaded from disk, `en` first. */
  get locales(): string[] {
    return [...this.catalogues.keys()];
  }

  /** The shipped locales with their own names (CLDR), for a language picker. */
  get shippedLocales(): ShippedLocale[] {
    return this.locales.map((locale) => ({
      locale,
      name: new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale,
      dir: directionOf(locale),
    }));
  }

  /** Keys a catalogue lacks (English is used for them), per locale; empty for a complete catalogue. */
  missingMessages(locale: string): readonly string[] {
    return this.catalogues.get(locale)?.missing ?? [];
  }

  /** Broken or unrecognised templates and messages found at load (and at the warm-up render), one line each. */
  get problems(): readonly string[] {
    return this.issues;
  }

  /** The catalogue locale a contact's locale falls back to: `pt-BR` → `pt`, `zh-TW` → `zh-Hant` → `en`. Never reads the filesystem. */
  resolveLocale(locale: string): string {
    return this.resolver.resolve(locale);
  }

  /**
   * One catalogue for text outside the notices (the customer's status page): the locale falls back like a contact's,
   * `text` formats a message as plain text (pages escape it themselves).
   */
  messagesFor(locale: string): {
    locale: string;
    dir: 'ltr' | 'rtl';
    text: (key: string, values?: Record<string, unknown>) => string;
  } {
    const resolved = this.resolver.resolve(locale);
    const catalogue = this.catalogues.get(resolved)!;
    return { locale: resolved, dir: directionOf(resolved), text: (key, values) => catalogue.text(key, values) };
  }

  /** Renders one notice; throws TemplateRenderError when a template fails (the notice must then not be sent). */
  render(input: NoticeRenderInput, options: RenderOptions = {}): RenderedNotice {
    if (!(NOTICE_KINDS as readonly string[]).includes(input.kind)) {
      throw new TemplateRenderError(`unknown notice kind ${JSON.stringify(input.kind)}`, String(input.kind));
    }
    if (input.kind !== 'am-digest' && !(TIERS as readonly string[]).includes(input.tier as string)) {
      throw new TemplateRenderError(`notice kind ${input.kind} needs a tier, got ${String(input.tier)}`, input.kind);
    }
    if (!/^https?:\/\/[^\s"'<>]+$/.test(input.statusUrl)) {
      throw new TemplateRenderError(
        `status URL must be an http(s) URL, got ${JSON.stringify(input.statusUrl)}`,
        'statusUrl',
      );
    }
    const { locale, canonical } = this.resolver.resolveDetailed(options.locale ?? input.locale);
    const messages = this.catalogues.get(locale)!;
    const templates = this.set.templates.get(input.kind)!;
    let view;
    try {
      view = buildNoticeView(input, messages, canonical);
    } catch (e) {
      throw new TemplateRenderError(`notice data is incomplete: ${(e as Error).message}`, input.kind, { cause: e });
    }

    const rendered = sanitizeSubject(templates.subject(view));
    if (!rendered) throw new TemplateRenderError(`${input.kind}.subject.hbs (${locale}): subject is empty`, input.kind);
    view.subject = input.isTest ? TEST_PREFIX + rendered : rendered;
    const html = templates.html[view.dir](view);
    const text = tidyText(templates.text(view));
    return { subject: view.subject, html, text, locale };
  }

  /** Renders every kind × tier × locale once with a sample notice: compiles them now, and reports what fails on data. */
  private warmUp(): void {
    for (const locale of this.catalogues.keys()) {
      for (const kind of NOTICE_KINDS) {
        for (const tier of kind === 'am-digest' ? [null] : TIERS) {
          try {
            this.render(sampleRenderInput(kind, tier, locale));
          } catch (e) {
            const problem = (e as Error).message;
            if (!this.issues.includes(problem)) this.issues.push(problem);
          }
        }
      }
    }
  }
}
