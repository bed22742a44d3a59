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
    ]);
  });

  it('ends with the webhook URL when the line carries one', () => {
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
    expect(stagingRow(customer, 1).slice(0, -1).split('\t').at(-1)).toBe('https://hooks.example.com/in?a=1');
  });
});
