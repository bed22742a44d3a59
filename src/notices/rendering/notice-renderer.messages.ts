// Message catalogues (templates/messages/<locale>.json): every ICU message compiled once per locale, formatted as escaped HTML or plain text.
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import Handlebars from 'handlebars';
import { IntlMessageFormat } from 'intl-messageformat';

export type MessageValues = Record<string, unknown>;
type Chunks = unknown[];
type Format = (values: MessageValues) => string;

/**
 * The only markup a message may hold, and the fixed HTML each tag becomes. Attribute values come from the
 * template's own arguments (escaped here), never from the message text; in text parts a tag keeps only its content.
 */
export const MESSAGE_TAGS: Record<string, (inner: string, values: MessageValues) => string> = {
  b: (inner) => `<strong>${inner}</strong>`,
  link: (inner, v) => `<a href="${attr(v.href)}">${inner}</a>`,
  mail: (inner, v) => `<a href="mailto:${attr(v.email)}">${inner}</a>`,
};

function attr(value: unknown): string {
  return Handlebars.escapeExpression(String(value ?? ''));
}

const escapeValue = (value: unknown) =>
  typeof value === 'number' ? String(value) : Handlebars.escapeExpression(value as string);

/** A message key's text in one locale, ready to format; `file` names where it came from, for errors. */
interface CompiledMessage {
  file: string;
  /** The text of a message without arguments or tags, formatted once at load. */
  fixed?: string;
  text?: Format;
  html?: Format;
  /** A message that did not compile: formatting it throws, so only the notices using it fail. */
  error?: Error;
  /** The last values formatted and the result, per part: the notices of one event share dates, ids and links. */
  lastHtml?: { values: MessageValues; out: string };
  lastText?: { values: MessageValues; out: string };
}

/** Same keys, same primitive values (Handlebars passes a fresh hash object on every call). */
function sameValues(a: MessageValues, b: MessageValues): boolean {
  let n = 0;
  for (const key in b) {
    if (a[key] !== b[key]) return false;
    n++;
  }
  for (const key in a) if (n-- === 0 || !(key in b)) return false;
  return n === 0;
}

/**
 * Intl objects for IntlMessageFormat, made once per locale and options. Its default formatters memoise on a
 * JSON key built on every call, which made a plural cost ~2 µs; a notice formats a dozen messages.
 */
function cache<T>(make: (locales: string | string[] | undefined, opts?: object) => T) {
  const made = new Map<string, T>();
  return (locales?: string | string[], opts?: object): T => {
    const key = opts === undefined ? String(locales) : `${String(locales)}\0${JSON.stringify(opts)}`;
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(locales, opts)));
    return value;
  };
}
const FORMATTERS = {
  getNumberFormat: cache((l, o) => new Intl.NumberFormat(l, o)),
  getDateTimeFormat: cache((l, o) => new Intl.DateTimeFormat(l, o)),
  // Called with { type } only: the key is short and made without JSON.
  getPluralRules: ((made) => (l?: string | string[], o?: Intl.PluralRulesOptions) => {
    const key = `${String(l)}\0${o?.type ?? 'cardinal'}`;
    let rules = made.get(key);
    if (rules === undefined) made.set(key, (rules = new Intl.PluralRules(l, o)));
    return rules;
  })(new Map<string, Intl.PluralRules>()),
};

/** Handlebars' escaping applied to the literal text of a message, so `&` or `<` typed by a translator reads as text in HTML. */
function escapedAst(elements: MessageFormatElement[]): MessageFormatElement[] {
  return elements.map((el) => {
    switch (el.type) {
      case TYPE.literal:
        return { ...el, value: Handlebars.escapeExpression(el.value) };
      case TYPE.tag:
        return { ...el, children: escapedAst(el.children) };
      case TYPE.select:
      case TYPE.plural:
        return {
          ...el,
          options: Object.fromEntries(
            Object.entries(el.options).map(([k, o]) => [k, { ...o, value: escapedAst(o.value) }]),
          ),
        } as typeof el;
      default:
        return el;
    }
  });
}

function tagsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.tag) {
      out.add(el.value);
      tagsOf(el.children, out);
    } else if (el.type === TYPE.select || el.type === TYPE.plural) {
      for (const o of Object.values(el.options)) tagsOf(o.value, out);
    }
  }
  return out;
}

function missingValue(name: string): never {
  throw new Error(`no value for {${name}}`);
}

/**
 * A message of text, `{arguments}` and tags around them is joined directly: IntlMessageFormat's general path
 * (parts, then merging) is kept for plurals, selects and number formats, where the library does the real work.
 */
function joined(elements: MessageFormatElement[], html: boolean): Format | null {
  const pieces: Format[] = [];
  for (const el of elements) {
    if (el.type === TYPE.literal) {
      const text = html ? Handlebars.escapeExpression(el.value) : el.value;
      pieces.push(() => text);
    } else if (el.type === TYPE.argument) {
      const name = el.value;
      pieces.push((v) => (name in v ? (html ? escapeValue(v[name]) : String(v[name] ?? '')) : missingValue(name)));
    } else if (el.type === TYPE.tag) {
      const inner = joined(el.children, html);
      if (inner === null) return null;
      const wrap = MESSAGE_TAGS[el.value];
      pieces.push(html ? (v) => wrap(inner(v), v) : inner);
    } else {
      return null;
    }
  }
  return (v) => {
    let out = '';
    for (const piece of pieces) out += piece(v);
    return out;
  };
}

/** The same message through IntlMessageFormat: values escaped for HTML, tags given their markup (or none, for text). */
function formatted(ast: MessageFormatElement[], locale: string, html: boolean, tags: string[]): Format {
  const format = new IntlMessageFormat(html ? escapedAst(ast) : ast, locale, undefined, { formatters: FORMATTERS });
  const plainTags = Object.fromEntries(tags.map((t) => [t, (chunks: Chunks) => chunks.join('')]));
  if (!html)
    return tags.length
      ? (v) => String(format.format({ ...v, ...plainTags } as any))
      : (v) => String(format.format(v as any));
  return (v) => {
    const escaped: MessageValues = {};
    for (const name in v) escaped[name] = typeof v[name] === 'number' ? v[name] : escapeValue(v[name]);
    for (const t of tags) escaped[t] = (chunks: Chunks) => MESSAGE_TAGS[t](chunks.join(''), v);
    return String(format.format(escaped as any));
  };
}

/** Parses and compiles one message; throws on a syntax error or a tag that MESSAGE_TAGS does not define. */
export function compileMessage(source: string, locale: string, file: string): CompiledMessage {
  const ast = parse(source);
  const tags = [...tagsOf(ast)];
  const unknown = tags.filter((t) => !Object.prototype.hasOwnProperty.call(MESSAGE_TAGS, t));
  if (unknown.length)
    throw new Error(`unknown tag <${unknown.join('>, <')}> (allowed: <${Object.keys(MESSAGE_TAGS).join('>, <')}>)`);
  if (ast.every((el) => el.type === TYPE.literal)) {
    // No argument, no tag: formatted once, here.
    const text = ast.map((el) => el.value).join('');
    const html = Handlebars.escapeExpression(text);
    return { file, fixed: text, text: () => text, html: () => html };
  }
  return {
    file,
    text: joined(ast, false) ?? formatted(ast, locale, false, tags),
    html: joined(ast, true) ?? formatted(ast, locale, true, tags),
  };
}

export class MessageFormatError extends Error {
  override readonly name = 'MessageFormatError';
}

/** One locale's compiled messages; keys it lacks come from en (listed in `missing`). */
export class MessageCatalogue {
  /** Key → text of every message that has no argument in en (labels, headings): templates read these directly. */
  readonly fixed: Readonly<Record<string, string>>;

  constructor(
    readonly locale: string,
    private readonly messages: ReadonlyMap<string, CompiledMessage>,
    /** Keys of en that this catalogue does not translate (en's text is used). */
    readonly missing: readonly string[],
    fixedKeys: Iterable<string> = [],
  ) {
    const fixed: Record<string, string> = {};
    for (const key of fixedKeys) {
      const text = messages.get(key)?.fixed;
      // A translation that broke the shape of a fixed message fails when used, with the reason.
      if (text === undefined) Object.defineProperty(fixed, key, { enumerable: true, get: () => this.text(key) });
      else fixed[key] = text;
    }
    this.fixed = Object.freeze(fixed);
  }

  /** True when the message has no argument and no tag, so its text is in `fixed`. */
  isFixed(key: string): boolean {
    return this.messages.get(key)?.fixed !== undefined;
  }

  has(key: string): boolean {
    return this.messages.has(key);
  }

  get keys(): string[] {
    return [...this.messages.keys()];
  }

  /** The message as plain text (subjects, text parts, labels). */
  text(key: string, values: MessageValues = {}): string {
    return this.run(key, values, false);
  }

  /** The message as HTML: its own text and every value escaped, its tags turned into the fixed markup of MESSAGE_TAGS. */
  html(key: string, values: MessageValues = {}): string {
    return this.run(key, values, true);
  }

  private run(key: string, values: MessageValues, html: boolean): string {
    const m = this.messages.get(key);
    if (m === undefined) throw new MessageFormatError(`messages/${this.locale}.json: no message "${key}"`);
    if (m.error) throw new MessageFormatError(`${m.file} "${key}": ${m.error.message}`, { cause: m.error });
    const last = html ? m.lastHtml : m.lastText;
    if (last !== undefined && sameValues(last.values, values)) return last.out;
    try {
      const out = html ? m.html!(values) : m.text!(values);
      if (html) m.lastHtml = { values, out };
      else m.lastText = { values, out };
      return out;
    } catch (e) {
      throw new MessageFormatError(`${m.file} "${key}": ${(e as Error).message}`, { cause: e });
    }
  }
}

/** A compiled message for the catalogue map; a source that does not compile becomes one that throws when used. */
export function compiledOrFailing(
  source: string,
  locale: string,
  file: string,
  problems: string[],
  key: string,
): CompiledMessage {
  try {
    return compileMessage(source, locale, file);
  } catch (e) {
    problems.push(`${file} "${key}": ${(e as Error).message}`);
    return { file, error: e as Error };
  }
}
