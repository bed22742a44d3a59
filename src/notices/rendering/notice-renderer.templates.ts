// Loads templates/email once: puts each notice template into the layout, inlines the CSS with juice (once left-to-right, once mirrored), compiles with Handlebars.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { messageKeysOf, registerHelpers } from './notice-renderer.helpers';
import { htmlInliner, splitLayout } from './notice-renderer.layout';
import { NOTICE_KINDS, type NoticeKind } from '../../domain/notice.types';

export type Template = (context: object, options?: Handlebars.RuntimeOptions) => string;
export const TEMPLATE_PARTS = ['subject', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];
import type { Direction } from './notice-renderer.layout';

/** A template that failed to compile, or failed on data, throws this; the sender fails that notice. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  constructor(
    message: string,
    /** The template (relative to templates/email) or message that failed. */
    readonly template: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface NoticeTemplates {
  subject: Template;
  text: Template;
  /** The HTML part for each writing direction: the same markup, with the layout's CSS mirrored for rtl. */
  html: Record<Direction, Template>;
}

export interface TemplateSet {
  templates: Map<NoticeKind, NoticeTemplates>;
  /** Files that failed to parse or are not recognised: logged at start, they fail only the notices that use them. */
  problems: string[];
}

// Declaring the helpers lets Handlebars call them directly instead of resolving each name per call (a notice makes ~50 `t` calls).
const KNOWN_HELPERS = { t: true, eq: true, paragraphs: true, lineBreaks: true };
const HTML_OPTIONS: CompileOptions = { strict: true, knownHelpers: KNOWN_HELPERS };
// Subjects and text parts are not HTML: escaping would print &amp; to the reader. Subjects are sanitised after rendering.
const TEXT_OPTIONS: CompileOptions = { strict: true, noEscape: true, knownHelpers: KNOWN_HELPERS };
type CompileOptions = Parameters<typeof Handlebars.compile>[1];

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

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Notes the message keys of a source (and its problems); a source that does not parse is reported by compile(). */
function noteKeys(source: string, file: string, keys: Set<string>, problems: string[]): void {
  try {
    const found = messageKeysOf(source);
    for (const k of found.keys) keys.add(k);
    for (const p of found.problems) problems.push(`${file}: ${p}`);
  } catch {
    // compile() reports it against the file.
  }
}

/** The template files as read, before compiling: sources, the message keys they use, and what is wrong with them. */
export interface TemplateSources {
  layout: { html: [string, string]; text: [string, string] };
  partials: { name: string; file: string; part: 'html' | 'text'; source: string }[];
  kinds: Map<NoticeKind, Record<TemplatePart, string>>;
  /** Every message key the templates, partials and layouts use. */
  messageKeys: Set<string>;
  problems: string[];
}

/**
 * Reads `<templatesDir>/email`. Throws (the service must not start) when the layout, the partials directory
 * or any kind's subject, HTML or text template is missing.
 */
export function readTemplateSources(templatesDir: string): TemplateSources {
  const root = join(templatesDir, 'email');
  if (!isDir(root)) throw new Error(`templates: ${root} does not exist (TEMPLATES_DIR=${templatesDir})`);
  const problems: string[] = [];
  const messageKeys = new Set<string>();
  for (const required of ['layout.html.hbs', 'layout.text.hbs']) {
    if (!existsSync(join(root, required))) throw new Error(`templates: ${join(root, required)} is missing`);
  }
  const htmlLayout = read(join(root, 'layout.html.hbs'));
  const textLayout = read(join(root, 'layout.text.hbs'));
  noteKeys(htmlLayout, 'layout.html.hbs', messageKeys, problems);
  noteKeys(textLayout, 'layout.text.hbs', messageKeys, problems);
  const layout = { html: splitLayout(htmlLayout, 'layout.html.hbs'), text: splitLayout(textLayout, 'layout.text.hbs') };

  const partialsDir = join(root, 'partials');
  if (!isDir(partialsDir)) throw new Error(`templates: ${partialsDir} is missing`);
  const partials: TemplateSources['partials'] = [];
  for (const file of readdirSync(partialsDir).sort()) {
    const m = /^([a-z0-9-]+)\.(html|text)\.hbs$/.exec(file);
    const name = `partials/${file}`;
    if (!m) {
      problems.push(`${name}: not a <name>.html.hbs or <name>.text.hbs file, ignored`);
      continue;
    }
    const source = read(join(partialsDir, file));
    noteKeys(source, name, messageKeys, problems);
    partials.push({ name: m[1], file: name, part: m[2] as 'html' | 'text', source });
  }

  const expected = new Set(NOTICE_KINDS.flatMap((kind) => TEMPLATE_PARTS.map((part) => `${kind}.${part}.hbs`)));
  const missing = [...expected].filter((f) => !existsSync(join(root, f)));
  if (missing.length) throw new Error(`templates: every notice template is needed; missing ${missing.join(', ')}`);
  for (const file of readdirSync(root)) {
    const known =
      expected.has(file) || file === 'partials' || file === 'README.md' || /^layout\.(html|text)\.hbs$/.test(file);
    if (!known)
      problems.push(`${file}: not a known template, ignored (templates are email/<kind>.<subject|html|text>.hbs)`);
  }
  const kinds = new Map<NoticeKind, Record<TemplatePart, string>>();
  for (const kind of NOTICE_KINDS) {
    const parts = {} as Record<TemplatePart, string>;
    for (const part of TEMPLATE_PARTS) {
      parts[part] = read(join(root, `${kind}.${part}.hbs`));
      noteKeys(parts[part], `${kind}.${part}.hbs`, messageKeys, problems);
    }
    kinds.set(kind, parts);
  }
  return { layout, partials, kinds, messageKeys, problems };
}

const T_CALL = /\{\{\s*t\s+"([\w.-]+)"\s*\}\}|\(\s*t\s+"([\w.-]+)"\s*\)/g;

/**
 * `{{t "key"}}` of a message without arguments becomes a lookup of its text in the view (`@root.fixed`),
 * which is what the old label lookups cost; a helper call per label made every notice ~10 % slower.
 */
function withFixedMessages(source: string, fixed: ReadonlySet<string>): string {
  return source.replace(T_CALL, (call: string, mustache?: string, sub?: string) => {
    const key = mustache ?? sub!;
    if (!fixed.has(key)) return call;
    return mustache ? `{{@root.fixed.[${key}]}}` : `@root.fixed.[${key}]`;
  });
}

/** Compiles the sources: every template put into the layout, inlined by juice per writing direction, compiled once. */
export function compileTemplateSet(sources: TemplateSources, fixedKeys: ReadonlySet<string>): TemplateSet {
  const problems = sources.problems;
  const env = { ltr: Handlebars.create(), rtl: Handlebars.create(), text: Handlebars.create() };
  registerHelpers(env.ltr, true);
  registerHelpers(env.rtl, true);
  registerHelpers(env.text, false);
  const fixed = (source: string) => withFixedMessages(source, fixedKeys);
  // The layout's {{body}} slot is filled with each notice template's source here, once: one document
  // per template and direction, inlined by juice as a whole and compiled into one function.
  const [htmlBefore, htmlAfter] = sources.layout.html.map(fixed);
  const [textBefore, textAfter] = sources.layout.text.map(fixed);
  const { inline, htmlDocument } = htmlInliner(htmlBefore, htmlAfter);

  // HTML and text partials live in separate Handlebars instances: a text partial (not escaped) can never be reached from HTML.
  for (const p of sources.partials) {
    const source = fixed(p.source);
    if (p.part === 'text') {
      env.text.registerPartial(p.name, compile(env.text, source, TEXT_OPTIONS, p.file, problems));
      continue;
    }
    for (const dir of ['ltr', 'rtl'] as const) {
      const own = dir === 'ltr' ? problems : [];
      env[dir].registerPartial(p.name, compile(env[dir], inline(source, dir), HTML_OPTIONS, p.file, own));
    }
  }

  const templates = new Map<NoticeKind, NoticeTemplates>();
  for (const [kind, parts] of sources.kinds) {
    const [subject, html, text] = TEMPLATE_PARTS.map((part) => fixed(parts[part]));
    const file = (part: TemplatePart) => `${kind}.${part}.hbs`;
    templates.set(kind, {
      subject: compile(env.text, subject, TEXT_OPTIONS, file('subject'), problems),
      text: compile(env.text, textBefore + text + textAfter, TEXT_OPTIONS, file('text'), problems, text),
      html: {
        ltr: compile(env.ltr, htmlDocument(html, 'ltr'), HTML_OPTIONS, file('html'), problems, html),
        // The same source: a problem is already reported by the ltr compile.
        rtl: compile(env.rtl, htmlDocument(html, 'rtl'), HTML_OPTIONS, file('html'), [], html),
      },
    });
  }
  return { templates, problems };
}
