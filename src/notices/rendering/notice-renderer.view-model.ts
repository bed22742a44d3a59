// What a template sees: the render input with names made single-line, products grouped, and countries and dates in the mail's language.
import countries from 'i18n-iso-countries';
import type { ProductCategory, SubscriptionRef } from '../../domain/registry.types';
import { languageOf } from './notice-renderer.locale';
import type { NoticeRenderInput } from '../../domain/notice.types';

/** A locale's strings.json: short labels used by the layout and the shared partials. */
export interface Labels {
  categories: Record<string, string>;
  tiers: Record<string, string>;
  kinds: Record<string, string>;
  [label: string]: string | Record<string, string>;
}

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
  locale: string;
  /** BCP 47 tag for `<html lang>` and Intl: the contact's own tag when it shares the template's language. */
  lang: string;
  isTest: boolean;
  labels: Labels;
  recipient: { name: string; email: string };
  customer: {
    ref: string;
    name: string;
    tier: string;
    tierLabel: string;
    countryName: string;
    accountManager: { name: string; email: string } | null;
  } | null;
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

const registered = new Set<string>();

/** Loads country names for a language once; false when the package has no names for it (then English is used). */
export function registerCountryNames(language: string): boolean {
  if (registered.has(language)) return true;
  if (!/^[a-z]{2,3}$/.test(language)) return false;
  try {
    countries.registerLocale(require(`i18n-iso-countries/langs/${language}.json`));
  } catch {
    return false;
  }
  registered.add(language);
  return true;
}
registerCountryNames('en');

/** Per-language Intl objects, built once: constructing them costs far more than using them. */
class LocaleFormats {
  readonly date: Intl.DateTimeFormat;
  readonly list: Intl.ListFormat;
  readonly collator: Intl.Collator;
  readonly countryLanguage: string;
  private readonly names = new Map<string, string>();
  private readonly dates = new Map<string, string>();

  constructor(lang: string, templateLocale: string) {
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
    const language = languageOf(templateLocale);
    this.countryLanguage = registerCountryNames(language) ? language : 'en';
  }

  country(code: string): string {
    let name = this.names.get(code);
    if (name === undefined) {
      name = countries.getName(code, this.countryLanguage) ?? countries.getName(code, 'en') ?? code;
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

function formatsFor(lang: string, templateLocale: string): LocaleFormats {
  const key = `${lang}|${templateLocale}`;
  let f = formats.get(key);
  if (f === undefined) {
    f = new LocaleFormats(lang, templateLocale);
    if (formats.size < 200) formats.set(key, f);
  }
  return f;
}

function label(map: Record<string, string>, key: string): string {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : key;
}

function productLines(
  subs: readonly SubscriptionRef[],
  products: NoticeRenderInput['products'],
  labels: Labels,
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
      categoryLabel: product ? label(labels.categories, product.category) : '',
      countries: f.list.format(countryNames),
      countryNames,
    });
  }
  return lines.sort((a, b) => f.collator.compare(a.name, b.name));
}

/**
 * Builds the view of one notice. `templateLocale` is the locale whose templates render it; Intl uses the
 * contact's own tag when it has the same language (pt-BR dates in a pt mail), else the template locale.
 */
export function buildNoticeView(
  input: NoticeRenderInput,
  templateLocale: string,
  contactLocale: string | null,
  labels: Labels,
): NoticeView {
  const lang =
    contactLocale !== null && languageOf(contactLocale) === languageOf(templateLocale) ? contactLocale : templateLocale;
  const f = formatsFor(lang, templateLocale);
  const c = input.customer;
  const e = input.event;
  const digest = (input.digest ?? []).map<DigestLine>((a) => ({
    ref: oneLine(a.ref),
    name: oneLine(a.name),
    tier: a.tier,
    tierLabel: label(labels.tiers, a.tier),
    countryName: f.country(a.country),
    kind: a.kind,
    kindLabel: label(labels.kinds, a.kind),
    products: productLines(a.affected, input.products, labels, f),
  }));
  digest.sort((a, b) => f.collator.compare(a.name, b.name));
  return {
    subject: '',
    locale: templateLocale,
    lang,
    isTest: input.isTest,
    labels,
    recipient: { name: oneLine(input.recipient.name), email: oneLine(input.recipient.email) },
    customer: c
      ? {
          ref: oneLine(c.ref),
          name: oneLine(c.name),
          tier: c.tier,
          tierLabel: label(labels.tiers, c.tier),
          countryName: f.country(c.country),
          accountManager: c.accountManager
            ? { name: oneLine(c.accountManager.name), email: oneLine(c.accountManager.email) }
            : null,
        }
      : null,
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
    affected: { items: productLines(input.affected, input.products, labels, f) },
    added: { items: productLines(input.added, input.products, labels, f) },
    removed: { items: productLines(input.removed, input.products, labels, f) },
    digest,
    digestCount: digest.length,
    statusUrl: input.statusUrl,
  };
}
