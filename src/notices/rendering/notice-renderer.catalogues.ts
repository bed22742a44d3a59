// Reads templates/messages/*.json once: en must hold every key the templates use; other locales are compiled, checked against en, and fall back to it per key.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalLocale } from './notice-renderer.locale';
import { checkCatalogue } from './notice-renderer.message-check';
import { compiledOrFailing, MessageCatalogue } from './notice-renderer.messages';

export const FALLBACK_LOCALE = 'en';

export interface CatalogueSet {
  /** Locale → catalogue, en first, then by tag. */
  catalogues: Map<string, MessageCatalogue>;
  /** Keys whose en message has no argument and no tag (labels, headings): templates read them from the view. */
  fixedKeys: Set<string>;
  /** Messages that do not compile, files that are not catalogues, translations whose shape differs from en. */
  problems: string[];
}

type RawCatalogue = Record<string, string>;

function readCatalogue(path: string, file: string): RawCatalogue {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new Error(`${file} must be one JSON object of messages`);
  const out: RawCatalogue = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new Error(`${file} "${key}": a message must be a string`);
    out[key] = value;
  }
  return out;
}

/**
 * Loads `<templatesDir>/messages`. Throws (the service must not start) when en is missing, unreadable, or lacks
 * a key in `requiredKeys` (the keys the templates use); any other locale may be partial.
 */
export function loadCatalogues(templatesDir: string, requiredKeys: Iterable<string>): CatalogueSet {
  const root = join(templatesDir, 'messages');
  const enPath = join(root, `${FALLBACK_LOCALE}.json`);
  if (!existsSync(enPath)) throw new Error(`templates: ${enPath} is missing`);
  const problems: string[] = [];
  const en = readCatalogue(enPath, `messages/${FALLBACK_LOCALE}.json`);
  const absent = [...new Set(requiredKeys)].filter((k) => !Object.prototype.hasOwnProperty.call(en, k));
  if (absent.length)
    throw new Error(
      `templates: messages/en.json must hold every message the templates use; missing ${absent.join(', ')}`,
    );

  const files = readdirSync(root)
    .filter((f) => f !== `${FALLBACK_LOCALE}.json`)
    .sort();
  const raw = new Map<string, RawCatalogue>([[FALLBACK_LOCALE, en]]);
  for (const file of files) {
    const tag = file.replace(/\.json$/, '');
    const locale = canonicalLocale(tag);
    if (!file.endsWith('.json') || locale === null || locale !== tag) {
      problems.push(`messages/${file}: not a <BCP 47 tag>.json catalogue (such as pt.json or zh-Hant.json), ignored`);
      continue;
    }
    try {
      raw.set(locale, readCatalogue(join(root, file), `messages/${file}`));
    } catch (e) {
      problems.push(`${(e as Error).message}; ${locale} falls back to en`);
    }
  }

  const catalogues = new Map<string, MessageCatalogue>();
  const english = new Map<string, ReturnType<typeof compiledOrFailing>>();
  for (const [key, source] of Object.entries(en)) {
    english.set(key, compiledOrFailing(source, FALLBACK_LOCALE, `messages/${FALLBACK_LOCALE}.json`, problems, key));
  }
  const fixedKeys = new Set([...english].filter(([, m]) => m.fixed !== undefined).map(([key]) => key));
  for (const [locale, own] of raw) {
    const file = `messages/${locale}.json`;
    const shapeProblems = checkCatalogue(en, own, locale).filter((p) => !p.endsWith(': missing'));
    for (const p of shapeProblems) if (!/does not parse/.test(p)) problems.push(`${file} ${p}`);
    if (locale === FALLBACK_LOCALE) {
      catalogues.set(locale, new MessageCatalogue(locale, english, [], fixedKeys));
      continue;
    }
    const messages = new Map(english);
    const missing: string[] = [];
    for (const key of Object.keys(en)) {
      if (Object.prototype.hasOwnProperty.call(own, key))
        messages.set(key, compiledOrFailing(own[key], locale, file, problems, key));
      else missing.push(key);
    }
    catalogues.set(locale, new MessageCatalogue(locale, messages, missing, fixedKeys));
  }
  return { catalogues, fixedKeys, problems };
}
