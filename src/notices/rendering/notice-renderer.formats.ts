// Text made safe for one line or many, and per-language Intl objects (CLDR dates, lists, collation, country names) and directions, built once per tag.
import { directionOf } from './notice-renderer.locale';

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Names, titles, refs: any line break or control character becomes one space. */
export function oneLine(value: string): string {
  return value.replace(CONTROL, ' ').trim();
}

/** Summaries and conditions keep their line breaks (normalised to \n); other control characters go. */
export function multiLine(value: string): string {
  return value
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROL_BUT_NEWLINE, '')
    .trim();
}

/** Per-language Intl objects, built once: constructing them costs far more than using them. */
export class LocaleFormats {
  readonly date: Intl.DateTimeFormat;
  readonly list: Intl.ListFormat;
  readonly collator: Intl.Collator;
  /** Counts as the reader writes them (50,000 / 50.000 / ٥٠٬٠٠٠). */
  readonly number: Intl.NumberFormat;
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
    this.number = new Intl.NumberFormat(lang);
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

export function formatsFor(lang: string): LocaleFormats {
  let f = formats.get(lang);
  if (f === undefined) {
    f = new LocaleFormats(lang);
    if (formats.size < 200) formats.set(lang, f);
  }
  return f;
}

const directions = new Map<string, 'ltr' | 'rtl'>();
export function directionFor(locale: string): 'ltr' | 'rtl' {
  let dir = directions.get(locale);
  if (dir === undefined) directions.set(locale, (dir = directionOf(locale)));
  return dir;
}
