// What a template sees: the render input with names made single-line, products grouped, and countries, dates and lists in the mail's language (CLDR through Intl).
import type { ProductCategory, SubscriptionRef } from '../../domain/registry.types';
import { directionOf, languageOf } from './notice-renderer.locale';
import type { MessageCatalogue } from './notice-renderer.messages';
import type { NoticeRenderInput } from '../../domain/notice.types';

export interface ProductLine {
  code: string;
  name: string;
  category: ProductCategory | '';
  categoryLabel: string;
  /** Destination country names in the mail's language, sorted, joined as a list ("Germany, France and Japan"). */
  countries: string;
  countryNames: string[];
}

/** A list of products as one object, so `{{> section added heading=…}}` hands the partial a small context. */
export interface ProductList {
  items: ProductLine[];
}

export interface DigestLine {
  ref: string;
  name: string;
  tier: string;
  tierLabel: string;
  countryName: string;
  kind: string;
  kindLabel: string;
  products: ProductLine[];
}

export interface NoticeView {
  /** The rendered subject, set before the HTML and text parts render (the HTML shows it as <title>). */
  subject: string;
  /** The catalogue's locale (`pt` for a pt-BR contact). */
  locale: string;
  /** BCP 47 tag for `<html lang>` and Intl: the contact's own tag when it shares the catalogue's language. */
  lang: string;
  /** Writing direction of the catalogue's language (CLDR): `rtl` for ar and he. */
  dir: 'ltr' | 'rtl';
  isTest: boolean;
  /** The catalogue the `t` helper reads. */
  messages: MessageCatalogue;
  /** Its messages without arguments: `{{t "key"}}` of such a message is compiled into a lookup here. */
  fixed: Readonly<Record<string, string>>;
  recipient: { name: string; email: string };
  customer: {
    ref: string;
    name: string;
    tier: string;
    tierLabel: string;
    countryName: string;
    accountManager: { name: string; email: string } | null;
  } | null;
  /** Enterprise notices with an account manager name them (and Reply-To goes to them); others point to support. */
  showAccountManager: boolean;
  event: {
    eventId: string;
    caseId: string;
    type: string;
    title: string;
    /** Multi-line plain text; the HTML templates show it through the `paragraphs` helper. */
    summary: string;
    authority: string | null;
    effectiveAt: string;
    occurredAt: string;
    conditions: string[];
  };
  affected: ProductList;
  added: ProductList;
  removed: ProductList;
  /** What a `restored` notice lists: the lifted subscriptions, or (when none are named) the affected ones. */
  restoredList: ProductList;
  digest: DigestLine[];
  digestCount: number;
  statusUrl: string;
}

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Names, titles, refs: any line break or control character becomes one space. */
export function oneLine(value: string): string {
  return value.replace(CONTROL, ' ').trim();
}

/** Summaries and conditions keep their line breaks (normalised to \n); other control characters go. */
export function multiLine(value: string): string {
  return value.replace(/\r\n?|[\u2028\u2029]/g, '\n').replace(CONTROL_BUT_NEWLINE, '').trim();
}

/** Per-language Intl objects, built once: constructing them costs far more than using them. */
class LocaleFormats {
  readonly date: Intl.DateTimeFormat;
  readonly list: Intl.ListFormat;
  readonly collator: Intl.Collator;
  private readonly regions: Intl.DisplayNames;
  private readonly names = new Map<string, string>();
  private readonly dates = new Map<string, string>();

  constructor(lang: string) {
    this.date = new Intl.DateTimeFormat(lang, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      timeZoneName: 'short',
    });
    this.list = new Intl.ListFormat(lang, { type: 'conjunction', style: 'long' });
    this.collator = new Intl.Collator(lang);
    this.regions = new Intl.DisplayNames(lang, { type: 'region', fallback: 'code' });
  }

  /** The country's name from CLDR in this language; a code CLDR does not know is shown as given. */
  country(code: string): string {
    let name = this.names.get(code);
    if (name === undefined) {
      try {
        name = /^[A-Za-z]{2}$/.test(code) ? (this.regions.of(code.toUpperCase()) ?? code) : oneLine(code);
      } catch {
        name = oneLine(code);
      }
      if (this.names.size < 1000) this.names.set(code, name);
    }
    return name;
  }

  /** Formatting is the slow part and an event has two instants, shared by all its notices: cache them. */
  formatDate(iso: string): string {
    let text = this.dates.get(iso);
    if (text === undefined) {
      const d = new Date(iso);
      text = Number.isNaN(d.getTime()) ? oneLine(iso) : this.date.format(d);
      if (this.dates.size >= 256) this.dates.clear();
      this.dates.set(iso, text);
    }
    return text;
  }
}

const formats = new Map<string, LocaleFormats>();

function formatsFor(lang: string): LocaleFormats {
  let f = formats.get(lang);
  if (f === undefined) {
    f = new LocaleFormats(lang);
    if (formats.size < 200) formats.set(lang, f);
  }
  return f;
}

const directions = new Map<string, 'ltr' | 'rtl'>();
function direction(locale: string): 'ltr' | 'rtl' {
  let dir = directions.get(locale);
  if (dir === undefined) directions.set(locale, (dir = directionOf(locale)));
  return dir;
}

/** A label message (`category.hosted-api`), or the raw value when the catalogue has no such message. */
function label(messages: MessageCatalogue, prefix: string, value: string): string {
  const text = messages.fixed[`${prefix}.${value}`];
  return text === undefined ? value : text;
}

function productLines(
  subs: readonly SubscriptionRef[],
  products: NoticeRenderInput['products'],
  messages: MessageCatalogue,
  f: LocaleFormats,
): ProductLine[] {
  if (subs.length === 0) return [];
  const byProduct = new Map<string, Set<string>>();
  for (const s of subs) {
    let set = byProduct.get(s.product);
    if (set === undefined) byProduct.set(s.product, (set = new Set()));
    set.add(s.country);
  }
  const lines: ProductLine[] = [];
  for (const [code, codes] of byProduct) {
    const product = Object.prototype.hasOwnProperty.call(products, code) ? products[code] : undefined;
    const countryNames = [...codes].map((c) => f.country(c)).sort(f.collator.compare);
    lines.push({
      code: oneLine(code),
      name: oneLine(product?.name ?? code),
      category: product?.category ?? '',
      categoryLabel: product ? label(messages, 'category', product.category) : '',
      countries: f.list.format(countryNames),
      countryNames,
    });
  }
  return lines.sort((a, b) => f.collator.compare(a.name, b.name));
}

/**
 * Builds the view of one notice. `messages` is the catalogue that renders it; Intl uses the contact's own tag
 * when it has the same language (pt-BR dates in a pt mail), else the catalogue's locale.
 */
export function buildNoticeView(input: NoticeRenderInput, messages: MessageCatalogue, contactLocale: string | null): NoticeView {
  const locale = messages.locale;
  const lang = contactLocale !== null && languageOf(contactLocale) === languageOf(locale) ? contactLocale : locale;
  const f = formatsFor(lang);
  const c = input.customer;
  const e = input.event;
  const digest = (input.digest ?? []).map<DigestLine>((a) => ({
    ref: oneLine(a.ref),
    name: oneLine(a.name),
    tier: a.tier,
    tierLabel: label(messages, 'tier', a.tier),
    countryName: f.country(a.country),
    kind: a.kind,
    kindLabel: label(messages, 'kind', a.kind),
    products: productLines(a.affected, input.products, messages, f),
  }));
  digest.sort((a, b) => f.collator.compare(a.name, b.name));
  const accountManager = c?.accountManager
    ? { name: oneLine(c.accountManager.name), email: oneLine(c.accountManager.email) }
    : null;
  const affected = { items: productLines(input.affected, input.products, messages, f) };
  const removed = { items: productLines(input.removed, input.products, messages, f) };
  return {
    subject: '',
    locale,
    lang,
    dir: direction(locale),
    isTest: input.isTest,
    messages,
    fixed: messages.fixed,
    recipient: { name: oneLine(input.recipient.name), email: oneLine(input.recipient.email) },
    customer: c
      ? {
          ref: oneLine(c.ref),
          name: oneLine(c.name),
          tier: c.tier,
          tierLabel: label(messages, 'tier', c.tier),
          countryName: f.country(c.country),
          accountManager,
        }
      : null,
    showAccountManager: c?.tier === 'enterprise' && accountManager !== null,
    event: {
      eventId: e.eventId,
      caseId: e.caseId,
      type: e.type,
      title: oneLine(e.title),
      summary: multiLine(e.summary),
      authority: e.authority ? oneLine(e.authority) : null,
      effectiveAt: f.formatDate(e.effectiveAt),
      occurredAt: f.formatDate(e.occurredAt),
      conditions: e.conditions.map(multiLine).filter((s) => s.length > 0),
    },
    affected,
    added: { items: productLines(input.added, input.products, messages, f) },
    removed,
    restoredList: removed.items.length ? removed : affected,
    digest,
    digestCount: digest.length,
    statusUrl: input.statusUrl,
  };
}
