// Turns a contact's stored locale into one of the shipped catalogue locales (pt-BR → pt, zh-TW → zh-Hant, nn → nb, else en); never a path.

/**
 * language[-script][-region][-variant]*, the part of BCP 47 that names a language. Extensions and
 * private use are refused on purpose: a locale is only ever used to pick a catalogue and Intl formats.
 */
const BCP47 = /^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*$/;
const MAX_LENGTH = 35;

/**
 * Languages that CLDR treats as one written standard with another but Intl cannot tell us so:
 * `no` is the macrolanguage of Bokmål, and Nynorsk readers read Bokmål (SPEC §4 Languages).
 */
const SAME_READERS: Record<string, string> = { no: 'nb', nn: 'nb' };

/** The canonical form of a well-formed language tag (`de-at` → `de-AT`, `iw` → `he`), or null. Touches nothing but Intl. */
export function canonicalLocale(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH || !BCP47.test(raw)) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(raw);
    return canonical && BCP47.test(canonical) ? canonical : null;
  } catch {
    return null;
  }
}

/** The language subtag of a canonical tag: `pt-BR` → `pt`. */
export function languageOf(locale: string): string {
  const dash = locale.indexOf('-');
  return (dash < 0 ? locale : locale.slice(0, dash)).toLowerCase();
}

/** Writing direction from CLDR (Intl.Locale's textInfo): `rtl` for ar, he, fa …, else `ltr`. */
export function directionOf(locale: string): 'ltr' | 'rtl' {
  try {
    const info = (new Intl.Locale(locale) as Intl.Locale & { textInfo?: { direction?: string } }).textInfo;
    return info?.direction === 'rtl' ? 'rtl' : 'ltr';
  } catch {
    return 'ltr';
  }
}

/**
 * Tags to try, best first: the tag itself, its language with the likely script (CLDR likely subtags:
 * `zh-TW` → `zh-Hant`, `zh-SG` → `zh-Hans`), then shorter prefixes (`pt-BR` → `pt`), then the reader alias.
 */
function candidates(canonical: string): string[] {
  const parts = canonical.split('-');
  const out: string[] = [];
  for (let n = parts.length; n > 0; n--) out.push(parts.slice(0, n).join('-'));
  try {
    const script = new Intl.Locale(canonical).maximize().script;
    if (script) out.splice(1, 0, `${parts[0]}-${script}`);
  } catch {
    // A tag Intl cannot maximise simply has no script candidate.
  }
  const alias = SAME_READERS[parts[0].toLowerCase()];
  if (alias) out.push(alias);
  return out;
}

const CACHE_LIMIT = 1000;

export interface ResolvedLocale {
  /** One of the available locales. */
  locale: string;
  /** The contact's tag in canonical form, or null when it was not a well-formed tag. */
  canonical: string | null;
}

/** Looks a locale up in a fixed list of available ones (see `candidates`), else the fallback. */
export class LocaleResolver {
  private readonly available = new Map<string, string>();
  private readonly cache = new Map<string, ResolvedLocale>();

  constructor(
    available: Iterable<string>,
    readonly fallback = 'en',
  ) {
    for (const locale of available) this.available.set(locale.toLowerCase(), locale);
    if (!this.available.has(fallback.toLowerCase())) throw new Error(`fallback locale ${fallback} is not available`);
  }

  resolve(raw: unknown): string {
    return this.resolveDetailed(raw).locale;
  }

  resolveDetailed(raw: unknown): ResolvedLocale {
    if (typeof raw !== 'string') return { locale: this.fallback, canonical: null };
    const hit = this.cache.get(raw);
    if (hit !== undefined) return hit;
    const canonical = canonicalLocale(raw);
    const resolved = { locale: this.lookup(canonical), canonical };
    if (this.cache.size < CACHE_LIMIT) this.cache.set(raw, resolved);
    return resolved;
  }

  private lookup(canonical: string | null): string {
    if (canonical === null) return this.fallback;
    for (const tag of candidates(canonical)) {
      const found = this.available.get(tag.toLowerCase());
      if (found !== undefined) return found;
    }
    return this.fallback;
  }
}
