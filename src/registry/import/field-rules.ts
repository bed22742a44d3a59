// Shape rules for single registry fields, shared by the JSON Lines and CSV readers.
import { PRODUCT_CODE, TIERS, type Tier } from '../../domain/registry.types';
import { validateWebhookUrl, type WebhookUrlPolicy } from '../../domain/webhook-url';

/** A field's normalized value, or why it is invalid. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (message: string): Checked<never> => ({ ok: false, message });

const MAX_TEXT = 1000;
const MAX_REF = 128;
/** RFC 5321 limits; the local part and domain exclude anything that could end a mail header. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** The shape the database accepts (language, then subtags); Intl checks the rest of BCP 47. */
const LOCALE_SHAPE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const COUNTRY = /^[A-Z]{2}$/;

/** Free text such as names: any Unicode, line breaks included, but no NUL (PostgreSQL cannot store it). */
export function text(v: unknown, opts: { required: boolean; max?: number }): Checked<string | null> {
  if (v === undefined || v === null || v === '') return opts.required ? bad('is required') : ok(null);
  if (typeof v !== 'string') return bad('must be a string');
  if (v.includes('\u0000')) return bad('must not contain NUL characters');
  const t = v.trim();
  if (!t) return opts.required ? bad('must not be empty') : ok(null);
  const max = opts.max ?? MAX_TEXT;
  if (t.length > max) return bad(`must be at most ${max} characters`);
  return ok(t);
}

export function ref(v: unknown): Checked<string> {
  if (typeof v !== 'string' || !v.trim())
    return bad(v === undefined || v === '' ? 'is required' : 'must be a non-empty string');
  const t = v.trim();
  if (t.length > MAX_REF) return bad(`must be at most ${MAX_REF} characters`);
  if (/[\u0000-\u001f\u007f]/.test(t)) return bad('must not contain control characters');
  return ok(t);
}

export function tier(v: unknown): Checked<Tier> {
  return typeof v === 'string' && (TIERS as readonly string[]).includes(v)
    ? ok(v as Tier)
    : bad(`must be one of ${TIERS.join(', ')} (got ${JSON.stringify(v ?? null)})`);
}

/** ISO 3166-1 alpha-2 shape, upper-cased; whether the code exists is checked against the database. */
export function country(v: unknown): Checked<string> {
  if (typeof v !== 'string' || !v.trim()) return bad('is required');
  const c = v.trim().toUpperCase();
  return COUNTRY.test(c) ? ok(c) : bad(`must be an ISO 3166-1 alpha-2 code (got ${JSON.stringify(v)})`);
}

/** Lower-cased email address. */
export function email(v: unknown, required = true): Checked<string | null> {
  if (v === undefined || v === null || v === '') return required ? bad('is required') : ok(null);
  if (typeof v !== 'string') return bad('must be a string');
  const e = v.trim().toLowerCase();
  return e.length <= 254 && EMAIL.test(e) ? ok(e) : bad(`is not a valid email address (got ${JSON.stringify(v)})`);
}

const localeCache = new Map<string, Checked<string>>();

/** A BCP 47 language tag in canonical case (`pt-br` → `pt-BR`); `en` when absent. */
export function locale(v: unknown): Checked<string> {
  if (v === undefined || v === null || v === '') return ok('en');
  if (typeof v !== 'string') return bad('must be a string');
  let hit = localeCache.get(v);
  if (!hit) {
    hit = canonicalLocale(v.trim());
    if (localeCache.size < 10_000) localeCache.set(v, hit);
  }
  return hit;
}

function canonicalLocale(tag: string): Checked<string> {
  const invalid = bad(`must be a BCP 47 language tag such as en, de or pt-BR (got ${JSON.stringify(tag)})`);
  if (!LOCALE_SHAPE.test(tag)) return invalid;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical && LOCALE_SHAPE.test(canonical) ? ok(canonical) : invalid;
  } catch {
    return invalid;
  }
}

export function bool(v: unknown, fallback: boolean): Checked<boolean> {
  if (v === undefined || v === null || v === '') return ok(fallback);
  if (typeof v === 'boolean') return ok(v);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(s)) return ok(true);
    if (['false', '0', 'no'].includes(s)) return ok(false);
  }
  return bad(`must be true or false (got ${JSON.stringify(v)})`);
}

export function productCode(v: unknown): Checked<string> {
  if (typeof v !== 'string' || !v) return bad('is required');
  return PRODUCT_CODE.test(v)
    ? ok(v)
    : bad(`must be a product code matching ${PRODUCT_CODE.source} (got ${JSON.stringify(v)})`);
}

/** A webhook endpoint URL, checked as PUT /customers/:ref/webhook checks it, normalised. */
export function webhookUrl(v: unknown, policy: WebhookUrlPolicy): Checked<string> {
  if (v === undefined || v === null || v === '') return bad('is required');
  if (typeof v !== 'string') return bad('must be a string');
  const check = validateWebhookUrl(v, policy);
  // The rule's reasons read "webhook URL <reason>"; the report names the field itself.
  return check.ok ? ok(check.url) : bad(check.error.replace(/^webhook URL /, ''));
}

/** One entry of the CSV `products` column: `code` or `code@CC`. */
export function productToken(token: string, customerCountry: string): Checked<{ product: string; country: string }> {
  const at = token.indexOf('@');
  const code = productCode(at < 0 ? token : token.slice(0, at));
  if (!code.ok) return bad(`"${token}": ${code.message}`);
  if (at < 0) return ok({ product: code.value, country: customerCountry });
  const c = country(token.slice(at + 1));
  return c.ok ? ok({ product: code.value, country: c.value }) : bad(`"${token}": destination ${c.message}`);
}

/** Sorted and without repeats, so that two equal sets of subscriptions compare equal. */
export function normalizeSubscriptions(
  subs: { product: string; country: string }[],
): { product: string; country: string }[] {
  if (subs.length < 2) return subs;
  const keyed = subs.map((s) => ({ key: `${s.product}@${s.country}`, s }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = [keyed[0].s];
  for (let i = 1; i < keyed.length; i++) if (keyed[i].key !== keyed[i - 1].key) out.push(keyed[i].s);
  return out;
}
