// What a template sees: the render input with names made single-line, products grouped, and countries, dates and lists in the mail's language (CLDR through Intl).
import type { ProductCategory, SubscriptionRef } from '../../domain/registry.types';
import { directionFor, formatsFor, multiLine, oneLine, type LocaleFormats } from './notice-renderer.formats';
import { languageOf } from './notice-renderer.locale';
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

/** One line of a digest's totals: a notice kind, product or country, and how many of the accounts it holds. */
export interface DigestTotal {
  label: string;
  code: string | null;
  /** The count, formatted for the reader. */
  n: string;
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
  /** All the account manager's affected accounts; `digest` lists the most affected of them. */
  digestCount: number;
  digestTotals: { byKind: DigestTotal[]; byProduct: DigestTotal[]; byCountry: DigestTotal[] } | null;
  digestListUrl: string | null;
  statusUrl: string;
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
export function buildNoticeView(
  input: NoticeRenderInput,
  messages: MessageCatalogue,
  contactLocale: string | null,
): NoticeView {
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
  // Kept in the repository's order: most affected first (the digest lists only the top of them).
  const summary = input.digestSummary ?? null;
  const digestTotals = summary
    ? {
        byKind: summary.byKind.map((k) => ({
          label: label(messages, 'kind', k.key),
          code: null,
          n: f.number.format(k.n),
        })),
        byProduct: summary.byProduct.map((p) => {
          const product = Object.prototype.hasOwnProperty.call(input.products, p.key)
            ? input.products[p.key]
            : undefined;
          return { label: oneLine(product?.name ?? p.key), code: oneLine(p.key), n: f.number.format(p.n) };
        }),
        byCountry: summary.byCountry.map((c) => ({ label: f.country(c.key), code: c.key, n: f.number.format(c.n) })),
      }
    : null;
  const accountManager = c?.accountManager
    ? { name: oneLine(c.accountManager.name), email: oneLine(c.accountManager.email) }
    : null;
  const affected = { items: productLines(input.affected, input.products, messages, f) };
  const removed = { items: productLines(input.removed, input.products, messages, f) };
  return {
    subject: '',
    locale,
    lang,
    dir: directionFor(locale),
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
    // A `suspended` customer's added list is its affected list itself (renderInput): its lines are made once.
    added:
      input.added === input.affected ? affected : { items: productLines(input.added, input.products, messages, f) },
    removed,
    restoredList: removed.items.length ? removed : affected,
    digest,
    digestCount: summary?.total ?? digest.length,
    digestTotals,
    digestListUrl: summary?.listUrl ?? null,
    statusUrl: input.statusUrl,
  };
}
