// Loads templates/email once: puts each notice template into the layout, inlines the CSS with juice, compiles with Handlebars, checks en is complete.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import juice from 'juice';
import { TIERS } from '../../domain/registry.types';
import { canonicalLocale } from './notice-renderer.locale';
import type { Labels } from './notice-renderer.view-model';
import { CUSTOMER_NOTICE_KINDS, type NoticeKind } from '../../domain/notice.types';
import type { Tier } from '../../domain/registry.types';

export type Template = (context: object, options?: Handlebars.RuntimeOptions) => string;
export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

/** `suspended.developer`, …, `am-digest`: one per kind × tier, the digest has no tier. */
export const TEMPLATE_KEYS: readonly string[] = [
  ...CUSTOMER_NOTICE_KINDS.flatMap((kind) => TIERS.map((tier) => `${kind}.${tier}`)),
  'am-digest',
];

export function templateKey(kind: NoticeKind, tier: Tier | null): string {
  return kind === 'am-digest' ? kind : `${kind}.${tier}`;
}

export const FALLBACK_LOCALE = 'en';

/** A template that failed to compile, or failed on data, throws this; the sender fails that notice. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  constructor(
    message: string,
    /** The file (relative to templates/email) that failed. */
    readonly template: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface NoticeTemplates {
  subject: Template;
  html: Template;
  text: Template;
}

export interface LocaleBundle {
  locale: string;
  labels: Labels;
  templates: Map<string, NoticeTemplates>;
  /** The file each part came from after per-file fallback to en (`de/suspended.developer.html.hbs` or `en/…`). */
  files: Map<string, string>;
}

export interface TemplateSet {
  locales: Map<string, LocaleBundle>;
  /** Files that failed to parse or are not recognised: logged at start, they fail only the notices that use them. */
  problems: string[];
}

const HTML_OPTIONS: CompileOptions = { strict: true };
// Subjects and text parts are not HTML: escaping would print &amp; to the reader. Subjects are sanitised after rendering.
const TEXT_OPTIONS: CompileOptions = { strict: true, noEscape: true };
type CompileOptions = Parameters<typeof Handlebars.compile>[1];

const JUICE_OPTIONS = {
  removeStyleTags: true,
  preserveMediaQueries: true,
  applyWidthAttributes: true,
  applyAttributesTableElements: true,
  applyHeightAttributes: false,
};

/** Escape first, then turn blank lines into paragraphs and single line breaks into <br>. */
export function paragraphsHtml(value: unknown): string {
  const text = String(value ?? '').replace(/\r\n?/g, '\n').trim();
  if (!text) return '';
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${Handlebars.escapeExpression(p.trim()).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

function registerHelpers(env: typeof Handlebars, html: boolean): void {
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  if (html) {
    env.registerHelper('paragraphs', (value: unknown) => new Handlebars.SafeString(paragraphsHtml(value)));
    env.registerHelper(
      'lineBreaks',
      (value: unknown) =>
        new Handlebars.SafeString(Handlebars.escapeExpression(String(value ?? '')).replace(/\r\n?|\n/g, '<br>\n')),
    );
  }
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

function failing(message: string, file: string, cause: unknown, problems: string[]): Template {
  problems.push(message);
  return () => {
    throw new TemplateRenderError(message, file, { cause });
  };
}

/**
 * Compiles a source; a file that does not parse becomes a template that throws, so only its notices fail.
 * `own` is the file's own text when `source` wraps it in the layout: parsed alone first, so a syntax
 * error is reported against the right file and line.
 */
function compile(
  env: typeof Handlebars,
  source: string,
  options: CompileOptions,
  file: string,
  problems: string[],
  own?: string,
): Template {
  if (own !== undefined) {
    try {
      env.parse(own);
    } catch (e) {
      return failing(`${file}: ${(e as Error).message}`, file, e, problems);
    }
  }
  let ast: ReturnType<typeof Handlebars.parse>;
  try {
    ast = env.parse(source);
  } catch (e) {
    return failing(`${file}${own !== undefined ? ' (in the layout)' : ''}: ${(e as Error).message}`, file, e, problems);
  }
  const fn = env.compile(ast, options);
  // Partials get Handlebars' runtime options (data, @root, partials) passed through unchanged.
  return (context, runtime) => {
    try {
      return fn(context, runtime);
    } catch (e) {
      if (e instanceof TemplateRenderError) throw e;
      throw new TemplateRenderError(`${file}: ${(e as Error).message}`, file, { cause: e });
    }
  };
}

const COMMENT = /{{!--[\s\S]*?--}}|{{![\s\S]*?}}/g;
const BODY_SLOT = /{{\s*body\s*}}/g;

function extractCss(layout: string): string {
  return [...layout.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]).join('\n');
}

// juice takes milliseconds per document; the same sources inlined again (another renderer in this process) come from here.
const inlined = new Map<string, string>();
function cachedJuice(key: string, run: () => string): string {
  let html = inlined.get(key);
  if (html === undefined) {
    html = run();
    if (inlined.size >= 1000) inlined.clear();
    inlined.set(key, html);
  }
  return html;
}

/** A layout without its comments, split around its one `{{body}}` slot. */
function splitLayout(source: string, file: string): [string, string] {
  const parts = source.replace(COMMENT, '').split(BODY_SLOT);
  if (parts.length !== 2) throw new Error(`templates: ${file} must contain {{body}} exactly once`);
  return [parts[0].replace(/^\s+/, ''), parts[1]];
}

function mergeLabels(base: Labels, own: Partial<Labels>): Labels {
  const merged: Labels = { ...base, categories: { ...base.categories }, tiers: { ...base.tiers }, kinds: { ...base.kinds } };
  for (const [key, value] of Object.entries(own)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] =
      typeof value === 'object' && typeof current === 'object' ? { ...current, ...value } : (value as string);
  }
  return merged;
}

function readLabels(dir: string, locale: string): Partial<Labels> | null {
  const file = join(dir, 'strings.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(read(file)) as Partial<Labels>;
  } catch (e) {
    throw new Error(`templates: ${locale}/strings.json is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads `<templatesDir>/email`. Throws (the service must not start) when the layout, a partial
 * directory, or any en file of a kind × tier is missing; other locales fall back to en per file.
 */
export function loadTemplateSet(templatesDir: string): TemplateSet {
  const root = join(templatesDir, 'email');
  if (!isDir(root)) throw new Error(`templates: ${root} does not exist (TEMPLATES_DIR=${templatesDir})`);
  const problems: string[] = [];
  const htmlEnv = Handlebars.create();
  const textEnv = Handlebars.create();
  registerHelpers(htmlEnv, true);
  registerHelpers(textEnv, false);

  for (const required of ['layout.html.hbs', 'layout.text.hbs']) {
    if (!existsSync(join(root, required))) throw new Error(`templates: ${join(root, required)} is missing`);
  }
  // The layout's {{body}} slot is filled with each notice template's source here, once: one document
  // per template, inlined by juice as a whole and compiled into one function (no second render per mail).
  const [htmlBefore, htmlAfter] = splitLayout(read(join(root, 'layout.html.hbs')), 'layout.html.hbs');
  const [textBefore, textAfter] = splitLayout(read(join(root, 'layout.text.hbs')), 'layout.text.hbs');
  const css = extractCss(htmlBefore + htmlAfter);
  const inline = (source: string) =>
    cachedJuice(`fragment\0${css}\0${source}`, () => juice.inlineContent(source, css, JUICE_OPTIONS));
  const htmlDocument = (body: string) => {
    const document = htmlBefore + body + htmlAfter;
    return cachedJuice(`document\0${document}`, () => juice(document, JUICE_OPTIONS));
  };

  // HTML and text partials live in separate Handlebars instances: a text partial (not escaped) can never be reached from HTML.
  const partialsDir = join(root, 'partials');
  if (!isDir(partialsDir)) throw new Error(`templates: ${partialsDir} is missing`);
  for (const file of readdirSync(partialsDir).sort()) {
    const m = /^([a-z0-9-]+)\.(html|text)\.hbs$/.exec(file);
    if (!m) {
      problems.push(`partials/${file}: not a <name>.html.hbs or <name>.text.hbs file, ignored`);
      continue;
    }
    const source = read(join(partialsDir, file));
    const name = `partials/${file}`;
    if (m[2] === 'html') htmlEnv.registerPartial(m[1], compile(htmlEnv, inline(source), HTML_OPTIONS, name, problems));
    else textEnv.registerPartial(m[1], compile(textEnv, source, TEXT_OPTIONS, name, problems));
  }

  const expected = new Set(TEMPLATE_KEYS.flatMap((key) => TEMPLATE_PARTS.map((part) => `${key}.${part}.hbs`)));
  const localeDirs = readdirSync(root).filter((d) => d !== 'partials' && isDir(join(root, d)));
  if (!localeDirs.includes(FALLBACK_LOCALE)) throw new Error(`templates: ${join(root, FALLBACK_LOCALE)} is missing`);
  const missingEn = [...expected].filter((f) => !existsSync(join(root, FALLBACK_LOCALE, f)));
  if (missingEn.length) {
    throw new Error(`templates: en must be complete; missing ${missingEn.map((f) => `en/${f}`).join(', ')}`);
  }
  const enLabels = readLabels(join(root, FALLBACK_LOCALE), FALLBACK_LOCALE);
  if (!enLabels || !enLabels.categories || !enLabels.tiers || !enLabels.kinds) {
    throw new Error('templates: en/strings.json is missing or lacks categories, tiers or kinds');
  }

  const locales = new Map<string, LocaleBundle>();
  const ordered = [FALLBACK_LOCALE, ...localeDirs.filter((d) => d !== FALLBACK_LOCALE).sort()];
  for (const dir of ordered) {
    if (canonicalLocale(dir)?.toLowerCase() !== dir.toLowerCase()) {
      problems.push(`${dir}/: not a BCP 47 language tag, ignored`);
      continue;
    }
    const en = locales.get(FALLBACK_LOCALE);
    const own = readLabels(join(root, dir), dir) ?? {};
    const bundle: LocaleBundle = {
      locale: canonicalLocale(dir) ?? dir,
      labels: en ? mergeLabels(en.labels, own) : (enLabels as Labels),
      templates: new Map(),
      files: new Map(),
    };
    for (const file of readdirSync(join(root, dir))) {
      if (file !== 'strings.json' && !expected.has(file)) problems.push(`${dir}/${file}: not a known template, ignored`);
    }
    for (const key of TEMPLATE_KEYS) {
      const parts = {} as NoticeTemplates;
      for (const part of TEMPLATE_PARTS) {
        const file = `${key}.${part}.hbs`;
        const path = join(root, dir, file);
        if (!existsSync(path) && en) {
          parts[part] = en.templates.get(key)![part];
          bundle.files.set(`${key}.${part}`, en.files.get(`${key}.${part}`)!);
          continue;
        }
        const name = `${dir}/${file}`;
        const source = read(path);
        parts[part] =
          part === 'html'
            ? compile(htmlEnv, htmlDocument(source), HTML_OPTIONS, name, problems, source)
            : part === 'text'
              ? compile(textEnv, textBefore + source + textAfter, TEXT_OPTIONS, name, problems, source)
              : compile(textEnv, source, TEXT_OPTIONS, name, problems);
        bundle.files.set(`${key}.${part}`, name);
      }
      bundle.templates.set(key, parts);
    }
    locales.set(bundle.locale, bundle);
  }
  return { locales, problems };
}
