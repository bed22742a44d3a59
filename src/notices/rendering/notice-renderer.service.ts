// Renders a notice (subject, HTML, text) from precompiled templates in the contact's language; a template error throws TemplateRenderError.
import { resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TIERS } from '../../domain/registry.types';
import { LocaleResolver } from './notice-renderer.locale';
import { sampleRenderInput } from './notice-renderer.sample';
import {
  FALLBACK_LOCALE,
  loadTemplateSet,
  templateKey,
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

@Injectable()
export class NoticeRenderer {
  private readonly logger = new Logger(NoticeRenderer.name);
  private readonly set: TemplateSet;
  private readonly resolver: LocaleResolver;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'TEMPLATES_DIR'>) {
    this.set = loadTemplateSet(resolve(config.TEMPLATES_DIR));
    this.resolver = new LocaleResolver(this.set.locales.keys(), FALLBACK_LOCALE);
    this.warmUp();
    for (const problem of this.set.problems) this.logger.warn(`template problem: ${problem}`);
  }

  /** Without Nest: `NoticeRenderer.load('templates')`. */
  static load(templatesDir: string): NoticeRenderer {
    return new NoticeRenderer({ TEMPLATES_DIR: templatesDir });
  }

  /** Template locales loaded from disk, `en` first. */
  get locales(): string[] {
    return [...this.set.locales.keys()];
  }

  /** Broken or unrecognised template files found at load (and at the warm-up render), one line each. */
  get problems(): readonly string[] {
    return this.set.problems;
  }

  /** The loaded template locale a contact's locale falls back to: `pt-BR` → `pt` → `en`. Never reads the filesystem. */
  resolveLocale(locale: string): string {
    return this.resolver.resolve(locale);
  }

  /** Renders one notice; throws TemplateRenderError when a template fails (the notice must then not be sent). */
  render(input: NoticeRenderInput): RenderedNotice {
    if (!(NOTICE_KINDS as readonly string[]).includes(input.kind)) {
      throw new TemplateRenderError(`unknown notice kind ${JSON.stringify(input.kind)}`, String(input.kind));
    }
    if (input.kind !== 'am-digest' && !(TIERS as readonly string[]).includes(input.tier as string)) {
      throw new TemplateRenderError(`notice kind ${input.kind} needs a tier, got ${String(input.tier)}`, input.kind);
    }
    if (!/^https?:\/\/[^\s"'<>]+$/.test(input.statusUrl)) {
      throw new TemplateRenderError(`status URL must be an http(s) URL, got ${JSON.stringify(input.statusUrl)}`, 'statusUrl');
    }
    const { locale, canonical } = this.resolver.resolveDetailed(input.locale);
    const bundle = this.set.locales.get(locale)!;
    const key = templateKey(input.kind, input.tier);
    const templates = bundle.templates.get(key)!;
    let view;
    try {
      view = buildNoticeView(input, locale, canonical, bundle.labels);
    } catch (e) {
      throw new TemplateRenderError(`notice data is incomplete: ${(e as Error).message}`, key, { cause: e });
    }

    const rendered = sanitizeSubject(templates.subject(view));
    if (!rendered) throw new TemplateRenderError(`${bundle.files.get(`${key}.subject`)}: subject is empty`, key);
    view.subject = input.isTest ? TEST_PREFIX + rendered : rendered;
    const html = templates.html(view);
    const text = tidyText(templates.text(view));
    return { subject: view.subject, html, text, locale };
  }

  /** Renders every loaded template once with a sample notice: compiles them now, and reports what fails on data. */
  private warmUp(): void {
    for (const locale of this.set.locales.keys()) {
      for (const kind of NOTICE_KINDS) {
        for (const tier of kind === 'am-digest' ? [null] : TIERS) {
          try {
            this.render(sampleRenderInput(kind, tier, locale));
          } catch (e) {
            const problem = (e as Error).message;
            if (!this.set.problems.includes(problem)) this.set.problems.push(problem);
          }
        }
      }
    }
  }
}
