// What a translator can rely on: every catalogue in templates/messages has exactly en's keys, compiles, keeps en's
// arguments, selects, plural forms and tags, and renders every kind × tier without a missing message.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCatalogue, messageShape } from '../../src/notices/rendering/notice-renderer.message-check';
import { compileMessage } from '../../src/notices/rendering/notice-renderer.messages';
import { sampleRenderInput } from '../../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { NOTICE_KINDS } from '../../src/domain/notice.types';
import { TIERS } from '../../src/domain/registry.types';

const TEMPLATES = join(__dirname, '..', '..', 'templates');
const MESSAGES = join(TEMPLATES, 'messages');
/** SPEC §4 Languages: at least these. */
const SPEC_LOCALES = 'en de fr ja es pt it nl ko zh-Hans zh-Hant ar he tr id pl vi sv da nb fi ro th hi'.split(' ');
const RTL = ['ar', 'he'];

const read = (locale: string) =>
  JSON.parse(readFileSync(join(MESSAGES, `${locale}.json`), 'utf8')) as Record<string, unknown>;
const shipped = readdirSync(MESSAGES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();
const en = read('en') as Record<string, string>;

describe('message catalogues', () => {
  it('ship every locale of the SPEC', () => {
    expect(shipped).toEqual(expect.arrayContaining(SPEC_LOCALES));
  });

  it('en: every message parses, and its plurals have the English forms', () => {
    expect(checkCatalogue(en, en, 'en')).toEqual([]);
  });

  describe.each(shipped.filter((l) => l !== 'en'))('%s', (locale) => {
    const own = read(locale);

    it('has exactly the keys of en', () => {
      expect(Object.keys(own).filter((k) => !(k in en))).toEqual([]);
      expect(Object.keys(en).filter((k) => !(k in own))).toEqual([]);
    });

    it('compiles every message, with en’s arguments, types, select options and tags, and every plural form of the language', () => {
      for (const [key, source] of Object.entries(own)) {
        expect(typeof source).toBe('string');
        expect(() => compileMessage(source as string, locale, key)).not.toThrow();
      }
      expect(checkCatalogue(en, own, locale)).toEqual([]);
    });

    it('is a translation: no subject or heading is left in English', () => {
      const english = Object.keys(en).filter((k) => /\.(subject|heading)$/.test(k) && own[k] === en[k]);
      expect(english).toEqual([]);
    });
  });
});

describe('every kind × tier × locale renders from the shipped templates', () => {
  let renderer: NoticeRenderer;
  beforeAll(() => {
    renderer = NoticeRenderer.load(TEMPLATES);
  });

  it('loads without a problem, with no message taken from en', () => {
    expect(renderer.problems).toEqual([]);
    expect(renderer.locales.sort()).toEqual(shipped);
    for (const locale of shipped) expect([locale, renderer.missingMessages(locale)]).toEqual([locale, []]);
  });

  const cases = shipped.flatMap((locale) =>
    NOTICE_KINDS.flatMap((kind) =>
      (kind === 'am-digest' ? [null] : TIERS).map((tier) => [locale, kind, tier] as const),
    ),
  );
  it.each(cases)('%s %s %s', (locale, kind, tier) => {
    const out = renderer.render(sampleRenderInput(kind, tier, locale));
    const dir = RTL.includes(locale) ? 'rtl' : 'ltr';
    expect(out.locale).toBe(locale);
    expect(out.subject).not.toMatch(/[\r\n]|{|}/);
    expect(out.html).toContain(`<html lang="${locale}" dir="${dir}"`);
    expect(out.html.includes('dir="rtl"')).toBe(dir === 'rtl');
    // The text part opens with the kind's heading, in the catalogue's words.
    expect(out.text.split('\n')[0]).toBe(String(read(locale)[`${kind}.heading`]));
    expect(out.html).not.toMatch(/{{|}}|{[a-zA-Z]+}/);
    expect(out.text).not.toMatch(/{{|}}|{[a-zA-Z]+}|<\/?[a-z]+[ >]/);
  });
});

describe('the check itself', () => {
  // A catalogue with one of each mistake a translator can make: the check must name every one.
  const broken: Record<string, string> = {
    ...en,
    'suspended.subject': 'Acceso suspendido para {cliente}: {title}', // renamed argument
    'restored.intro': '{productCount, plural, other {# productos}} {customer} {effectiveAt}', // lost <b>
    'license-granted.closing': '{remainingCount, plural, one {uno} other {otros}}', // lost =0 and {customer}
    'updated.heading': 'Alcance <i>modificado</i>', // a tag en does not have
    'license-denied.heading': 'Licencia {denegada', // does not parse
    'am-digest.subject': '{accountCount, plural, other {# cuentas}}: {title}', // number used as plural
    'extra.key': 'sobra',
  };
  delete broken['layout.footer'];

  it('names each mistake', () => {
    const problems = checkCatalogue(en, broken, 'es').join('\n');
    expect(problems).toContain('"layout.footer": missing');
    expect(problems).toContain('"extra.key": not a message of en');
    expect(problems).toMatch(/"suspended\.subject": arguments \{cliente, title\} instead of \{customer, title\}/);
    expect(problems).toMatch(/"restored\.intro": tags <none> instead of <b>/);
    expect(problems).toMatch(/"license-granted\.closing": .*lacks.*=0/);
    expect(problems).toMatch(
      /"license-granted\.closing": arguments \{remainingCount\} instead of \{customer, remainingCount\}/,
    );
    expect(problems).toMatch(/"updated\.heading": tags <i> instead of <none>/);
    expect(problems).toMatch(/"license-denied\.heading": does not parse/);
    expect(problems).toMatch(/"am-digest\.subject": \{accountCount\} used as plural instead of number/);
  });

  it('asks for every plural form of the language (Polish: one, few, many, other)', () => {
    const intro = '{productCount, plural, one {# produkt} other {# produktu}} dla <b>{customer}</b> od {effectiveAt}';
    expect(messageShape(intro).plurals.get('productCount')?.options).toEqual(new Set(['one', 'other']));
    expect(checkCatalogue({ 'suspended.intro': en['suspended.intro'] }, { 'suspended.intro': intro }, 'pl')).toEqual([
      expect.stringMatching(
        /"suspended\.intro": \{productCount, plural\} lacks few, many \(pl has few, many, one, other\)/,
      ),
    ]);
  });
});
