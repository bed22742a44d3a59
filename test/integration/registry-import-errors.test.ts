import { startTestApp, TestApp } from '../support/app';
import { goodCustomer as good, importText, jsonl, seedProducts, snapshot } from '../support/registry-import';

const HEADER =
  'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products\n';

describe('registry import: every kind of bad row is reported and nothing is applied', () => {
  let t: TestApp;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    t = await startTestApp('registry-import-errors');
    await seedProducts(t);
    const first = await importText(t, jsonl(good('KEEP-1'), good('KEEP-2')), { format: 'jsonl' });
    expect(first.applied).toBe(true);
    before = await snapshot(t.env.db.url);
  });
  afterAll(() => t.close());

  afterEach(async () => {
    expect(await snapshot(t.env.db.url)).toEqual(before);
  });

  const cases: [string, string, { line: number; field: string; message: RegExp }][] = [
    [
      'bad tier',
      jsonl(good('A'), good('B', { tier: 'gold' })),
      { line: 2, field: 'tier', message: /tier must be one of developer, enterprise/ },
    ],
    [
      'bad email',
      jsonl(good('A', { contacts: [{ email: 'not-an-email' }] })),
      { line: 1, field: 'contacts[0].email', message: /not a valid email/ },
    ],
    [
      'email with a header injection',
      jsonl(good('A', { contacts: [{ email: 'a@b.example\r\nBcc: x@y.example' }] })),
      { line: 1, field: 'contacts[0].email', message: /not a valid email/ },
    ],
    ['empty name', jsonl(good('A', { name: '   ' })), { line: 1, field: 'name', message: /must not be empty/ }],
    ['missing name', jsonl({ ...good('A'), name: undefined }), { line: 1, field: 'name', message: /is required/ }],
    [
      'path as locale',
      jsonl(good('A', { contacts: [{ email: 'a@a.example', locale: '../../etc/passwd' }] })),
      { line: 1, field: 'contacts[0].locale', message: /BCP 47/ },
    ],
    [
      'malformed locale',
      jsonl(good('A', { contacts: [{ email: 'a@a.example', locale: 'en-' }] })),
      { line: 1, field: 'contacts[0].locale', message: /BCP 47/ },
    ],
    [
      'country format',
      jsonl(good('A', { country: 'Germany' })),
      { line: 1, field: 'country', message: /ISO 3166-1 alpha-2/ },
    ],
    [
      'unknown country',
      jsonl(good('A'), good('B', { country: 'ZZ' })),
      { line: 2, field: 'country', message: /unknown country "ZZ"/ },
    ],
    [
      'unknown destination',
      jsonl(good('A', { subscriptions: [{ product: 'claude-api', country: 'XQ' }] })),
      { line: 1, field: 'subscriptions', message: /unknown destination country "XQ"/ },
    ],
    [
      'unknown product',
      jsonl(good('A'), good('B'), good('C', { subscriptions: [{ product: 'nope-product' }] })),
      { line: 3, field: 'subscriptions', message: /unknown product "nope-product"/ },
    ],
    [
      'bad product code',
      jsonl(good('A', { subscriptions: [{ product: 'Claude API' }] })),
      { line: 1, field: 'subscriptions[0].product', message: /product code/ },
    ],
    [
      'ref twice',
      jsonl(good('A'), good('B'), good('A')),
      { line: 3, field: 'ref', message: /ref A already appears on line 1/ },
    ],
    [
      'malformed JSON',
      jsonl(good('A'), '{"ref": "B", "name": ', good('C')),
      { line: 2, field: '', message: /malformed JSON/ },
    ],
    ['not an object', jsonl(good('A'), '[1,2]'), { line: 2, field: '', message: /JSON object/ }],
    [
      'unknown field',
      jsonl(good('A', { contact: [] })),
      { line: 1, field: 'contact', message: /unknown field contact/ },
    ],
    ['NUL in a name', jsonl(good('A', { name: 'a\u0000b' })), { line: 1, field: 'name', message: /NUL/ }],
    [
      'contact email twice',
      jsonl(good('A', { contacts: [{ email: 'x@a.example' }, { email: 'X@a.example' }] })),
      { line: 1, field: 'contacts[1].email', message: /appears twice/ },
    ],
  ];

  it.each(cases)('JSON Lines: %s', async (_name, text, expected) => {
    const report = await importText(t, text, { format: 'jsonl' });
    expect(report.applied).toBe(false);
    expect(report.errorCount).toBeGreaterThanOrEqual(1);
    expect(report.errors).toContainEqual({
      line: expected.line,
      field: expected.field,
      message: expect.stringMatching(expected.message),
    });
    expect(report.customers).toEqual({ created: 0, updated: 0, deactivated: 0 });
  });

  it('JSON Lines: a line that is not UTF-8 is named, and the rest is still checked', async () => {
    const text = Buffer.concat([
      Buffer.from(jsonl(good('A'))),
      Buffer.from('{"ref":"B","name":"Caf'),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from('","tier":"developer","country":"FR"}\n'),
      Buffer.from(jsonl(good('C', { tier: 'x' }))),
    ]);
    const report = await importText(t, text, { format: 'jsonl', chunk: 5 });
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([
      { line: 2, field: '', message: 'line is not valid UTF-8' },
      { line: 3, field: 'tier', message: expect.stringMatching(/tier must be one of/) },
    ]);
  });

  const csvCases: [string, string, { line: number; field: string; message: RegExp }][] = [
    [
      'rows of one ref that disagree',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api\nA,Acme SA,developer,FR,,,b@a.example,,fr,,claude-api\n`,
      { line: 3, field: 'name', message: /disagrees with line 2/ },
    ],
    [
      'non-adjacent rows of one ref that disagree',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api\nB,Beta,developer,FR,,,b@b.example,,fr,,claude-api\nA,Acme,enterprise,FR,,,c@a.example,,fr,,claude-api\n`,
      { line: 4, field: 'ref', message: /disagree with line 2/ },
    ],
    [
      'non-adjacent rows with other products',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api\nB,Beta,developer,FR,,,b@b.example,,fr,,claude-api\nA,Acme,developer,FR,,,c@a.example,,fr,,claude-code\n`,
      { line: 4, field: 'products', message: /disagree with line 2/ },
    ],
    [
      'one contact twice in non-adjacent rows',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api\nB,Beta,developer,FR,,,b@b.example,,fr,,claude-api\nA,Acme,developer,FR,,,a@a.example,,fr,,claude-api\n`,
      { line: 4, field: 'contact_email', message: /appears twice for ref A/ },
    ],
    [
      'malformed CSV (unclosed quote)',
      `${HEADER}A,"Acme,developer,FR,,,a@a.example,,fr,,claude-api\n`,
      { line: 2, field: '', message: /malformed CSV/ },
    ],
    [
      'wrong number of fields',
      `${HEADER}A,Acme,developer,FR\nB,Beta,developer,FR,,,b@b.example,,fr,,claude-api\n`,
      { line: 2, field: '', message: /malformed CSV/ },
    ],
    [
      'unknown column',
      HEADER.replace('contact_email', 'contact_mail') + 'A,Acme,developer,FR,,,a@a.example,,fr,,claude-api\n',
      { line: 1, field: '', message: /unknown column "contact_mail"/ },
    ],
    [
      'bad products entry',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api;claude-code@France\n`,
      { line: 2, field: 'products', message: /ISO 3166-1/ },
    ],
    [
      'unknown product',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api;mystery@SG\n`,
      { line: 2, field: 'products', message: /unknown product "mystery"/ },
    ],
    [
      'bad tier',
      `${HEADER}A,Acme,premium,FR,,,a@a.example,,fr,,claude-api\n`,
      { line: 2, field: 'tier', message: /tier must be one of/ },
    ],
    [
      'bad account manager email',
      `${HEADER}A,Acme,enterprise,FR,jane,Jane,a@a.example,,fr,,claude-api\n`,
      { line: 2, field: 'account_manager_email', message: /not a valid email/ },
    ],
    [
      'bad locale',
      `${HEADER}A,Acme,developer,FR,,,a@a.example,,../../etc/passwd,,claude-api\n`,
      { line: 2, field: 'contact_locale', message: /BCP 47/ },
    ],
  ];

  it.each(csvCases)('CSV: %s', async (_name, text, expected) => {
    const report = await importText(t, text, { format: 'csv' });
    expect(report.applied).toBe(false);
    expect(report.errors).toContainEqual({
      line: expected.line,
      field: expected.field,
      message: expect.stringMatching(expected.message),
    });
  });

  it('CSV: a file that is not UTF-8 (Latin-1) is rejected with the line', async () => {
    const text = Buffer.concat([
      Buffer.from(`${HEADER}A,Acme,developer,FR,,,a@a.example,,fr,,claude-api\nB,Soci`),
      Buffer.from([0xe9, 0x74, 0xe9]),
      Buffer.from(`,developer,FR,,,b@b.example,,fr,,claude-api\n`),
    ]);
    const report = await importText(t, text, { format: 'csv' });
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([{ line: 3, field: '', message: 'line is not valid UTF-8' }]);
  });

  it('caps the listed errors but counts them all, in line order', async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => good(`R${i}`, { tier: 'bad' }));
    const report = await importText(t, jsonl(...lines), { format: 'jsonl', chunk: 64 * 1024 });
    expect(report.errorCount).toBe(1500);
    expect(report.errors).toHaveLength(1000);
    expect(report.errors[0].line).toBe(1);
    expect(report.errors[999].line).toBe(1000);
  });
});

describe('registry import: a sync from a file without customers', () => {
  it('is refused rather than deactivating every customer', async () => {
    const t = await startTestApp('registry-import-empty');
    try {
      await seedProducts(t);
      await importText(t, jsonl(good('KEEP-1')), { format: 'jsonl' });
      const report = await importText(t, '\n', { format: 'jsonl', mode: 'sync' });
      expect(report).toMatchObject({
        applied: false,
        errorCount: 1,
        errors: [{ line: 0, message: expect.stringMatching(/no customers/) }],
      });
      expect((await snapshot(t.env.db.url)).customers).toEqual([
        expect.objectContaining({ ref: 'KEEP-1', active: true }),
      ]);
      expect(await importText(t, '', { format: 'jsonl' })).toMatchObject({ applied: true, errorCount: 0 });
    } finally {
      await t.close();
    }
  });
});
