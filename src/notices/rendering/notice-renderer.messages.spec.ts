import { compileMessage, MessageCatalogue } from './notice-renderer.messages';

const xss = '<script>alert(1)</script>';

function catalogue(locale: string, messages: Record<string, string>): MessageCatalogue {
  const compiled = new Map(
    Object.entries(messages).map(([k, v]) => [k, compileMessage(v, locale, `messages/${locale}.json`)]),
  );
  const fixed = [...compiled].filter(([, m]) => m.fixed !== undefined).map(([k]) => k);
  return new MessageCatalogue(locale, compiled, [], fixed);
}

describe('compileMessage', () => {
  it('escapes every value and the message’s own text in HTML, and turns only the defined tags into markup', () => {
    const m = compileMessage('R&D for <b>{customer}</b> — see <link>{url}</link>, ask <mail>{email}</mail>', 'en', 'x');
    const values = {
      customer: xss,
      url: 'https://x.example/?a=1&b="2"',
      href: 'https://x.example/?a=1&b="2"',
      email: 'a"b@x.example',
    };
    expect(m.html!(values)).toBe(
      'R&amp;D for <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> — see ' +
        '<a href="https://x.example/?a&#x3D;1&amp;b&#x3D;&quot;2&quot;">https://x.example/?a&#x3D;1&amp;b&#x3D;&quot;2&quot;</a>, ' +
        'ask <a href="mailto:a&quot;b@x.example">a&quot;b@x.example</a>',
    );
    expect(m.text!(values)).toBe(`R&D for ${xss} — see https://x.example/?a=1&b="2", ask a"b@x.example`);
  });

  it('escapes values inside plurals and selects too', () => {
    const m = compileMessage('{n, plural, one {<b>{c}</b> & one} other {<b>{c}</b> & # more}}', 'en', 'x');
    expect(m.html!({ n: 3, c: xss })).toBe('<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> &amp; 3 more');
    expect(m.text!({ n: 1, c: xss })).toBe(`${xss} & one`);
  });

  it('refuses a tag it does not define, and a message that does not parse', () => {
    expect(() => compileMessage('Hi <script>x</script>', 'en', 'x')).toThrow(/unknown tag <script>/);
    expect(() => compileMessage('Hi <a href="x">x</a>', 'en', 'x')).toThrow();
    expect(() => compileMessage('Hi {name', 'en', 'x')).toThrow();
  });

  it('fails on a missing value instead of printing nothing', () => {
    expect(() => compileMessage('Dear {name},', 'en', 'x').text!({})).toThrow(/name/);
    expect(() => compileMessage('{n, plural, other {#}} {name}', 'en', 'x').text!({ n: 1 })).toThrow(/name/);
  });

  it('counts with the plural forms of the language', () => {
    const pl = compileMessage(
      '{n, plural, one {# produkt} few {# produkty} many {# produktów} other {# produktu}}',
      'pl',
      'x',
    );
    expect([1, 2, 5, 22, 25].map((n) => pl.text!({ n }))).toEqual([
      '1 produkt',
      '2 produkty',
      '5 produktów',
      '22 produkty',
      '25 produktów',
    ]);
    const ar = compileMessage(
      '{n, plural, zero {لا منتجات} one {منتج واحد} two {منتجان} few {# منتجات} many {# منتجًا} other {# منتج}}',
      'ar',
      'x',
    );
    // Digits as CLDR writes them for ar (Arabic-Indic or Latin, depending on the ICU of this Node).
    const d = (n: number) => new Intl.NumberFormat('ar').format(n);
    expect([0, 1, 2, 3, 11, 100].map((n) => ar.text!({ n }))).toEqual([
      'لا منتجات',
      'منتج واحد',
      'منتجان',
      `${d(3)} منتجات`,
      `${d(11)} منتجًا`,
      `${d(100)} منتج`,
    ]);
    const en = compileMessage('{n, plural, =0 {none left} one {# left} other {# left}}', 'en', 'x');
    expect([0, 1, 7].map((n) => en.text!({ n }))).toEqual(['none left', '1 left', '7 left']);
  });
});

describe('MessageCatalogue', () => {
  it('formats by key, names the catalogue and key in errors, and lists fixed messages', () => {
    const c = catalogue('de', {
      'a.heading': 'Überschrift',
      'a.intro': 'Für <b>{customer}</b>',
      'a.broken': 'Hallo {name}',
    });
    expect(c.fixed).toEqual({ 'a.heading': 'Überschrift' });
    expect(c.isFixed('a.intro')).toBe(false);
    expect(c.html('a.intro', { customer: 'A & B' })).toBe('Für <strong>A &amp; B</strong>');
    expect(() => c.text('a.broken', {})).toThrow(/messages\/de\.json "a\.broken": no value for \{name\}/);
    expect(() => c.text('a.nope')).toThrow(/messages\/de\.json: no message "a\.nope"/);
  });

  it('gives the same answer for repeated values (memo) and a new one when they change', () => {
    const c = catalogue('en', { k: 'Case {caseId}' });
    expect(c.html('k', { caseId: '<1>' })).toBe('Case &lt;1&gt;');
    expect(c.text('k', { caseId: '<1>' })).toBe('Case <1>');
    expect(c.html('k', { caseId: '<1>' })).toBe('Case &lt;1&gt;');
    expect(c.html('k', { caseId: '2' })).toBe('Case 2');
    expect(c.text('k', { caseId: '2', extra: 'x' })).toBe('Case 2');
  });
});
