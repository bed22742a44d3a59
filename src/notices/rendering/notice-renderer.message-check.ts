// Compares a translated ICU message with the English one: same arguments and types, same select options, plural forms the language needs, same tags.
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/** What a translation must keep of a message, whatever its wording. */
export interface MessageShape {
  /** Argument name → how it is used (`text`, `number`, `date`, `time`, `select`, `plural`, `selectordinal`). */
  args: Map<string, Set<string>>;
  tags: Set<string>;
  /** select argument → its option keys. */
  selects: Map<string, Set<string>>;
  /** plural argument → its option keys (`one`, `other`, `=0` …) and plural type. */
  plurals: Map<string, { options: Set<string>; type: 'cardinal' | 'ordinal' }>;
}

const KIND: Partial<Record<TYPE, string>> = {
  [TYPE.argument]: 'text',
  [TYPE.number]: 'number',
  [TYPE.date]: 'date',
  [TYPE.time]: 'time',
  [TYPE.select]: 'select',
};

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

function walk(elements: MessageFormatElement[], shape: MessageShape): void {
  for (const el of elements) {
    if (el.type === TYPE.literal || el.type === TYPE.pound) continue;
    if (el.type === TYPE.tag) {
      shape.tags.add(el.value);
      walk(el.children, shape);
      continue;
    }
    if (el.type === TYPE.plural) {
      const type = el.pluralType === 'ordinal' ? 'ordinal' : 'cardinal';
      add(shape.args, el.value, type === 'ordinal' ? 'selectordinal' : 'plural');
      const entry = shape.plurals.get(el.value) ?? { options: new Set<string>(), type };
      for (const key of Object.keys(el.options)) entry.options.add(key);
      shape.plurals.set(el.value, entry);
    } else {
      add(shape.args, el.value, KIND[el.type] ?? String(el.type));
    }
    if (el.type === TYPE.select) for (const key of Object.keys(el.options)) add(shape.selects, el.value, key);
    if (el.type === TYPE.select || el.type === TYPE.plural)
      for (const o of Object.values(el.options)) walk(o.value, shape);
  }
}

/** The shape of a message; throws when it does not parse. */
export function messageShape(source: string): MessageShape {
  const shape: MessageShape = { args: new Map(), tags: new Set(), selects: new Map(), plurals: new Map() };
  walk(parse(source), shape);
  return shape;
}

const setText = (s: Iterable<string>) => [...s].sort().join(', ') || 'none';
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

const categoryCache = new Map<string, Set<string>>();
/** The plural categories CLDR gives a language (`ar`: zero, one, two, few, many, other). */
export function pluralCategories(locale: string, type: 'cardinal' | 'ordinal' = 'cardinal'): Set<string> {
  const key = `${locale}|${type}`;
  let set = categoryCache.get(key);
  if (set === undefined) {
    set = new Set(new Intl.PluralRules(locale, { type }).resolvedOptions().pluralCategories);
    categoryCache.set(key, set);
  }
  return set;
}

/**
 * What is wrong with `translated` (a message of `locale`) measured against `english`: one line per problem,
 * none when a translator kept every argument, type, select option and tag, and wrote every plural form
 * the language has (exact `=N` cases of English kept, extra ones allowed; see `required` for state switches).
 */
export function compareShapes(english: MessageShape, translated: MessageShape, locale: string): string[] {
  const problems: string[] = [];
  if (!sameSet(new Set(english.args.keys()), new Set(translated.args.keys()))) {
    problems.push(`arguments {${setText(translated.args.keys())}} instead of {${setText(english.args.keys())}}`);
  }
  for (const [name, kinds] of english.args) {
    const own = translated.args.get(name);
    if (own && !sameSet(kinds, own)) problems.push(`{${name}} used as ${setText(own)} instead of ${setText(kinds)}`);
  }
  if (!sameSet(english.tags, translated.tags)) {
    problems.push(`tags <${setText(translated.tags)}> instead of <${setText(english.tags)}>`);
  }
  for (const [name, options] of english.selects) {
    const own = translated.selects.get(name);
    if (own && !sameSet(options, own))
      problems.push(`{${name}, select} options ${setText(own)} instead of ${setText(options)}`);
  }
  for (const [name, plural] of translated.plurals) {
    const categories = pluralCategories(locale, plural.type);
    const englishOptions = [...(english.plurals.get(name)?.options ?? [])];
    const exact = englishOptions.filter((k) => k.startsWith('='));
    // English with only exact cases and `other` ({n, plural, =0 {none left} other {some left}}) switches on a
    // state, not on grammatical number: a translation needs those cases, not every form of its language.
    const byNumber = englishOptions.some((k) => !k.startsWith('=') && k !== 'other');
    const required = byNumber ? [...categories, ...exact] : [...exact, 'other'];
    const missing = required.filter((k) => !plural.options.has(k));
    const unknown = [...plural.options].filter((k) => !k.startsWith('=') && !categories.has(k));
    if (missing.length)
      problems.push(`{${name}, plural} lacks ${missing.join(', ')} (${locale} has ${setText(categories)})`);
    if (unknown.length) problems.push(`{${name}, plural} has ${unknown.join(', ')}, which ${locale} does not use`);
  }
  return problems;
}

/** Problems of a whole catalogue against en's: keys missing or extra, messages that do not parse, shapes that differ. */
export function checkCatalogue(
  english: Record<string, string>,
  translated: Record<string, unknown>,
  locale: string,
): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(english)) {
    if (!Object.prototype.hasOwnProperty.call(translated, key)) problems.push(`"${key}": missing`);
  }
  for (const [key, source] of Object.entries(translated)) {
    if (!Object.prototype.hasOwnProperty.call(english, key)) {
      problems.push(`"${key}": not a message of en`);
      continue;
    }
    if (typeof source !== 'string') {
      problems.push(`"${key}": not a string`);
      continue;
    }
    let own: MessageShape;
    let theirs: MessageShape;
    try {
      own = messageShape(source);
    } catch (e) {
      problems.push(`"${key}": does not parse: ${(e as Error).message}`);
      continue;
    }
    try {
      theirs = messageShape(english[key]);
    } catch {
      continue; // en's own problem, reported against en
    }
    for (const p of compareShapes(theirs, own, locale)) problems.push(`"${key}": ${p}`);
  }
  return problems;
}
