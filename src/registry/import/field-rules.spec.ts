import * as rules from './field-rules';

describe('registry field rules', () => {
  it.each([
    ['de', 'de'],
    ['pt-br', 'pt-BR'],
    ['zh-hant-tw', 'zh-Hant-TW'],
    [undefined, 'en'],
    ['', 'en'],
  ])('accepts the locale %p as %p', (input, canonical) => {
    expect(rules.locale(input)).toEqual({ ok: true, value: canonical });
  });

  it.each(['../../etc/passwd', 'en_US', 'e', 'en-', 'de\nX', 'x-private', 'en-u-ca-gregory', 'toolonglanguage'])(
    'rejects the locale %p',
    (tag) => {
      expect(rules.locale(tag)).toMatchObject({ ok: false, message: expect.stringMatching(/BCP 47/) });
    },
  );

  it('lower-cases emails and refuses anything that could break a mail header', () => {
    expect(rules.email(' Ops@Acme.Example ')).toEqual({ ok: true, value: 'ops@acme.example' });
    for (const bad of [
      'ops',
      'ops@',
      '@acme.example',
      'a b@acme.example',
      'a@acme',
      'a@acme.example\r\nBcc: x@y.z',
      'a@b@c.example',
      '<a@b.example>',
    ]) {
      expect(rules.email(bad)).toMatchObject({ ok: false });
    }
    expect(rules.email('', false)).toEqual({ ok: true, value: null });
  });

  it('keeps any Unicode text with line breaks in names, trims it, but refuses NUL and empty text', () => {
    expect(rules.text('  Müller & Söhne\r\n<b>株式会社</b> ', { required: true })).toEqual({
      ok: true,
      value: 'Müller & Söhne\r\n<b>株式会社</b>',
    });
    expect(rules.text(' \n ', { required: true })).toMatchObject({ ok: false });
    expect(rules.text('a\u0000', { required: true })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/NUL/),
    });
    expect(rules.text(42, { required: true })).toMatchObject({ ok: false });
  });

  it('parses CSV products entries: code, or code@CC for another destination', () => {
    expect(rules.productToken('claude-api', 'DE')).toEqual({
      ok: true,
      value: { product: 'claude-api', country: 'DE' },
    });
    expect(rules.productToken('claude-weights@sg', 'DE')).toEqual({
      ok: true,
      value: { product: 'claude-weights', country: 'SG' },
    });
    expect(rules.productToken('Claude', 'DE')).toMatchObject({ ok: false });
    expect(rules.productToken('claude-api@SGP', 'DE')).toMatchObject({ ok: false });
  });

  it('normalizes subscriptions: sorted, without repeats', () => {
    expect(
      rules.normalizeSubscriptions([
        { product: 'b', country: 'FR' },
        { product: 'a', country: 'DE' },
        { product: 'b', country: 'FR' },
      ]),
    ).toEqual([
      { product: 'a', country: 'DE' },
      { product: 'b', country: 'FR' },
    ]);
  });

  it('checks country shape, tier and ref', () => {
    expect(rules.country(' de ')).toEqual({ ok: true, value: 'DE' });
    expect(rules.country('DEU')).toMatchObject({ ok: false });
    expect(rules.tier('enterprise')).toEqual({ ok: true, value: 'enterprise' });
    expect(rules.tier('Enterprise')).toMatchObject({ ok: false });
    expect(rules.ref('A\tB')).toMatchObject({ ok: false });
    expect(rules.ref(' ACME-1 ')).toEqual({ ok: true, value: 'ACME-1' });
  });
});
