import { canonicalLocale, directionOf, LocaleResolver } from './notice-renderer.locale';

describe('LocaleResolver', () => {
  const resolver = new LocaleResolver(['en', 'de', 'pt', 'zh-Hant']);

  it.each([
    ['de', 'de'],
    ['de-AT', 'de'],
    ['DE-at', 'de'],
    ['pt-BR', 'pt'],
    ['pt', 'pt'],
    ['zh-Hant-TW', 'zh-Hant'],
    ['zh-TW', 'zh-Hant'],
    ['zh-HK', 'zh-Hant'],
    ['zh-MO', 'zh-Hant'],
    ['zh-Hans-CN', 'en'],
    ['fr', 'en'],
    ['', 'en'],
    ['../../etc/passwd', 'en'],
    ['en/../../x', 'en'],
    ['de/../../../etc', 'en'],
    ['de\u0000', 'en'],
    ['x'.repeat(200), 'en'],
    ['de-DE-u-co-phonebk', 'en'],
  ])('%j → %s', (raw, expected) => {
    expect(resolver.resolve(raw)).toBe(expected);
  });

  it.each([
    ['zh', 'zh-Hans'],
    ['zh-CN', 'zh-Hans'],
    ['zh-SG', 'zh-Hans'],
    ['zh-TW', 'zh-Hant'],
    ['zh-HK', 'zh-Hant'],
    ['zh-MO', 'zh-Hant'],
    ['no', 'nb'],
    ['nn', 'nb'],
    ['nb-NO', 'nb'],
    ['pt-BR', 'pt'],
    ['pt-PT', 'pt'],
    ['es-MX', 'es'],
    ['iw', 'he'],
    ['ar-EG', 'ar'],
    ['tlh', 'en'],
    ['xx-YY', 'en'],
  ])('with the shipped locales, %s → %s', (raw, expected) => {
    const shipped = new LocaleResolver(
      'en de fr ja es pt it nl ko zh-Hans zh-Hant ar he tr id pl vi sv da nb fi ro th hi'.split(' '),
    );
    expect(shipped.resolve(raw)).toBe(expected);
  });

  it('refuses non-strings and malformed tags', () => {
    expect(resolver.resolve(undefined)).toBe('en');
    expect(canonicalLocale('en_US')).toBeNull();
    expect(canonicalLocale('de-at')).toBe('de-AT');
  });
});

describe('directionOf', () => {
  it('reads the writing direction from CLDR', () => {
    expect(['ar', 'he', 'ar-EG', 'fa', 'ur'].map(directionOf)).toEqual(['rtl', 'rtl', 'rtl', 'rtl', 'rtl']);
    expect(['en', 'ja', 'zh-Hant', 'hi', 'th'].map(directionOf)).toEqual(['ltr', 'ltr', 'ltr', 'ltr', 'ltr']);
  });
});
