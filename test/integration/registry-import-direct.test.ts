// JSON Lines into an empty registry are loaded straight into its tables. Whatever is wrong with such a file must be
// reported as the staging checks report it (a dry run always stages), and leave the registry empty with its indexes;
// two first imports at once must both land.
import { Client } from 'pg';
import { RegistryDirectLoadRepository } from '../../src/registry/import/registry-direct-load.repository';
import { startTestApp, TestApp } from '../support/app';
import { importText, jsonl, seedProducts, snapshot } from '../support/registry-import';

const good = (ref: string, extra: Record<string, unknown> = {}) => ({
  ref,
  name: `Customer ${ref}`,
  tier: 'developer',
  country: 'FR',
  contacts: [{ email: `ops@${ref.toLowerCase()}.example`, locale: 'fr' }],
  subscriptions: [{ product: 'claude-api' }, { product: 'claude-code', country: 'JP' }],
  ...extra,
});

describe('registry import: the direct load of an empty registry', () => {
  let t: TestApp;
  let db: Client;
  let begin: jest.SpyInstance;
  let finish: jest.SpyInstance;
  const schema = async () =>
    (
      await db.query(
        `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE conrelid = ANY (ARRAY['customers', 'contacts', 'subscriptions']::regclass[])
         UNION ALL
         SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN ('customers', 'contacts', 'subscriptions')
         ORDER BY 1, 2, 3`,
      )
    ).rows;
  const count = async (table: string) => (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  beforeAll(async () => {
    t = await startTestApp('registry-import-direct');
    await seedProducts(t);
    db = new Client({ connectionString: t.env.db.url });
    await db.connect();
    begin = jest.spyOn(t.app.get(RegistryDirectLoadRepository), 'begin');
    finish = jest.spyOn(t.app.get(RegistryDirectLoadRepository), 'finish');
  });
  beforeEach(async () => {
    await db.query(`DELETE FROM customers`);
    begin.mockClear();
    finish.mockClear();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const bad: [string, string][] = [
    ['an unknown customer country', jsonl(good('A'), good('B', { country: 'ZZ' }))],
    [
      'an unknown destination, twice on one line',
      jsonl(
        good('A', {
          subscriptions: [
            { product: 'claude-api', country: 'XQ' },
            { product: 'claude-code', country: 'XQ' },
          ],
        }),
      ),
    ],
    ['an unknown product', jsonl(good('A'), good('B'), good('C', { subscriptions: [{ product: 'nope-product' }] }))],
    ['a ref on three lines (found by the unique constraint)', jsonl(good('A'), good('B'), good('A'), '', good('A'))],
    ['a ref twice beside a bad line', jsonl(good('A'), '{"ref": ', good('A'))],
    [
      'everything at once',
      jsonl(
        good('A', { country: 'ZZ' }),
        good('B', { subscriptions: [{ product: 'gone', country: 'XQ' }] }),
        good('A'),
        { ref: 'C' },
      ),
    ],
  ];

  it.each(bad)('%s: the staging checks’ report, nothing written, indexes kept', async (_name, text) => {
    const before = await schema();
    const staged = await importText(t, text, { format: 'jsonl', dryRun: true });
    expect(staged.errorCount).toBeGreaterThan(0);
    expect(begin).not.toHaveBeenCalled();
    const report = await importText(t, text, { format: 'jsonl' });
    expect(await begin.mock.results[0].value).toMatchObject({ idBase: expect.any(Number) });
    expect(report).toEqual({ ...staged, dryRun: false });
    for (const table of ['customers', 'contacts', 'subscriptions', 'customer_webhooks'])
      expect(await count(table)).toBe(0);
    expect(await schema()).toEqual(before);
    // Still an empty registry that loads.
    expect((await importText(t, jsonl(good('OK')), { format: 'jsonl' })).applied).toBe(true);
  });

  it('a sync of a file without customers is refused, as on the staging path', async () => {
    const text = jsonl('', '   ');
    const staged = await importText(t, text, { format: 'jsonl', mode: 'sync', dryRun: true });
    const report = await importText(t, text, { format: 'jsonl', mode: 'sync' });
    expect(report).toEqual({ ...staged, dryRun: false });
    expect(report.errors[0].message).toMatch(/holds no customers/);
  });

  it('is the path a first import takes, and gives what the staging path gives', async () => {
    const rows = [
      good('A', { tier: 'enterprise', accountManager: { email: 'AM@Vendor.example', name: 'Am\tName' } }),
      '',
      good('B', { name: 'Line\nbreak \\N "q"', webhook: { url: 'https://hooks.example.com/b' } }),
      good('C', { contacts: [], subscriptions: [] }),
    ];
    const direct = await importText(t, jsonl(...rows), { format: 'jsonl', chunk: 3 });
    expect(finish).toHaveBeenCalledTimes(1);
    expect(direct).toMatchObject({ applied: true, customers: { created: 3 }, contacts: 2, subscriptions: 4 });
    const loaded = await snapshot(t.env.db.url);
    const hook = (await db.query(`SELECT url, secret FROM customer_webhooks`)).rows;
    expect(hook).toEqual([{ url: 'https://hooks.example.com/b', secret: expect.stringMatching(/^whsec_/) }]);

    // The same file through staging: a registry with another customer in it takes the upsert path.
    await db.query(`DELETE FROM customers`);
    await importText(t, jsonl(good('OTHER')), { format: 'jsonl' });
    finish.mockClear();
    const staged = await importText(t, jsonl(...rows), { format: 'jsonl', chunk: 3 });
    expect(finish).not.toHaveBeenCalled();
    expect(staged).toEqual(direct);
    const both = await snapshot(t.env.db.url);
    const other = (r: any) => r.ref !== 'OTHER';
    expect({
      customers: both.customers.filter(other),
      contacts: both.contacts.filter(other),
      subscriptions: both.subscriptions.filter(other),
    }).toEqual(loaded);
  });

  it('two first imports at once both land: the second waits, then upserts', async () => {
    const a = jsonl(...Array.from({ length: 300 }, (_, i) => good(`A-${i}`)));
    const b = jsonl(...Array.from({ length: 300 }, (_, i) => good(`B-${i}`)), good('A-7', { name: 'From B' }));
    const [ra, rb] = await Promise.all([
      importText(t, a, { format: 'jsonl', chunk: 4096 }),
      importText(t, b, { format: 'jsonl', chunk: 4096 }),
    ]);
    expect(ra.applied && rb.applied).toBe(true);
    expect(finish).toHaveBeenCalledTimes(1);
    expect(ra.customers.created + rb.customers.created).toBe(600);
    expect(await count('customers')).toBe(600);
    expect(await count('contacts')).toBe(600);
    const ids = (await db.query(`SELECT count(DISTINCT id)::int AS n FROM customers`)).rows[0].n;
    expect(ids).toBe(600);
  });
});
