import type { StagedCustomer } from './import.types';
import { copyField, stagingRow, textArray } from './staging-row';

describe('COPY staging encoding', () => {
  it('escapes backslashes and line breaks for COPY text format', () => {
    expect(copyField('a\\b\tc\r\nd')).toBe('a\\\\b\\tc\\r\\nd');
    expect(copyField(null)).toBe('\\N');
    expect(copyField('plain')).toBe('plain');
  });

  it('quotes every array element so commas, braces, quotes and NULL stay data', () => {
    expect(textArray(['a,b', '{x}', 'say "hi"', 'NULL', null, 'back\\slash'])).toBe(
      '{"a,b","{x}","say \\"hi\\"","NULL",NULL,"back\\\\slash"}',
    );
    expect(textArray([])).toBe('{}');
  });

  it('writes one tab-separated line per customer', () => {
    const line = stagingRow(
      {
        line: 7,
        ref: 'R-1',
        name: 'Two\nlines',
        tier: 'developer',
        country: 'DE',
        amEmail: null,
        amName: null,
        contacts: [{ email: 'a@b.example', name: 'A "B"', locale: 'de', role: null, notices: false }],
        subscriptions: [{ product: 'claude-api', country: 'DE' }],
      },
      3,
    );
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1).split('\t')).toEqual([
      '3',
      '7',
      'R-1',
      'Two\\nlines',
      'developer',
      'DE',
      '\\N',
      '\\N',
      '{"a@b.example"}',
      '{"A \\\\"B\\\\""}',
      '{"de"}',
      '{NULL}',
      '{f}',
      '{"claude-api"}',
      '{"DE"}',
      '\\N',
      expect.stringMatching(/^\\\\x[0-9a-f]{32}$/),
    ]);
  });

  it('digests exactly what is written for the contacts and subscriptions', () => {
    const base: StagedCustomer = {
      line: 1,
      ref: 'R-3',
      name: 'Digest',
      tier: 'developer',
      country: 'FR',
      amEmail: null,
      amName: null,
      contacts: [
        { email: 'a@b.example', name: 'A', locale: 'fr', role: null, notices: true },
        { email: 'c@d.example', name: 'C', locale: 'fr', role: 'legal', notices: true },
      ],
      subscriptions: [{ product: 'claude-api', country: 'FR' }],
    };
    const digest = (c: StagedCustomer) => stagingRow(c, 1).slice(0, -1).split('\t').at(-1);
    const same = digest(base);
    // The name, tier and account manager are compared as columns, not digested.
    expect(digest({ ...base, name: 'Other', amEmail: 'am@x.example' })).toBe(same);
    const changed = [
      { ...base, contacts: [...base.contacts].reverse() },
      { ...base, contacts: [{ ...base.contacts[0], role: 'NULL' }, base.contacts[1]] },
      { ...base, contacts: [{ ...base.contacts[0], notices: false }, base.contacts[1]] },
      { ...base, contacts: [{ ...base.contacts[0], name: 'A","B' }] },
      { ...base, subscriptions: [{ product: 'claude-api', country: 'DE' }] },
      { ...base, subscriptions: [] },
    ];
    const digests = changed.map(digest);
    expect(digests).not.toContain(same);
    expect(new Set(digests).size).toBe(changed.length);
  });

  it('carries the webhook URL, before the digest, when the line has one', () => {
    const customer = {
      line: 1,
      ref: 'R-2',
      name: 'Hooked',
      tier: 'enterprise' as const,
      country: 'FR',
      amEmail: null,
      amName: null,
      contacts: [],
      subscriptions: [],
      webhookUrl: 'https://hooks.example.com/in?a=1',
    };
    expect(stagingRow(customer, 1).slice(0, -1).split('\t').at(-2)).toBe('https://hooks.example.com/in?a=1');
  });
});
