// JSON Lines into an empty registry are loaded straight into its tables. Whatever is wrong with such a file must be
// reported as the staging checks report it (a dry run always stages), and leave the registry empty with its indexes;
// two first imports at once must both land.
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { RegistryImportService } from '../../src/registry/import/registry-import.service';
import { RegistryDirectLoadRepository } from '../../src/registry/import/registry-direct-load.repository';
import { startTestApp, TestApp } from '../support/app';
import { goodCustomer, importText, jsonl, registrySchema, seedProducts, snapshot } from '../support/registry-import';

// Two subscriptions each, so the subscriptions' COPY carries more than one row per customer.
const good = (ref: string, extra: Record<string, unknown> = {}) =>
  goodCustomer(ref, {
    subscriptions: [{ product: 'claude-api' }, { product: 'claude-code', country: 'JP' }],
    ...extra,
  });

describe('registry import: the direct load of an empty registry', () => {
  let t: TestApp;
  let db: Client;
  let begin: jest.SpyInstance;
  let finish: jest.SpyInstance;
  const schema = () => registrySchema(db);
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

  const hooks = async () =>
    (await db.query(`SELECT c.ref, w.url FROM customer_webhooks w JOIN customers c ON c.id = w.customer_id ORDER BY 1`))
      .rows;

  const bad: [string, string | Buffer][] = [
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
    ['a repeated ref on a line that names an unknown country', jsonl(good('A'), good('A', { country: 'ZZ' }))],
    ['a ref twice beside a bad line', jsonl(good('A'), '{"ref": ', good('A'))],
    ['a line too long, which ends the file', jsonl(good('A'), `{"ref": "${'x'.repeat(1024 * 1024)}"}`, good('B'))],
    [
      'a line that is not UTF-8',
      Buffer.concat([Buffer.from(jsonl(good('A'))), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(jsonl(good('B')))]),
    ],
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
    const staged = await importText(t, text, { format: 'jsonl', dryRun: true, chunk: 4096 });
    expect(staged.errorCount).toBeGreaterThan(0);
    expect(begin).not.toHaveBeenCalled();
    const report = await importText(t, text, { format: 'jsonl', chunk: 4096 });
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
    // An upload is staged, even into an empty registry.
    expect((await importText(t, jsonl(good('UP')), { format: 'jsonl', localSource: false })).applied).toBe(true);
    expect(begin).not.toHaveBeenCalled();
    await db.query(`DELETE FROM customers`);
    const rows = [
      good('A', { tier: 'enterprise', accountManager: { email: 'AM@Vendor.example', name: 'Am\tName' } }),
      '',
      good('B', { name: 'Line\nbreak \\N "q"', webhook: { url: 'https://hooks.example.com/b' } }),
      good('C', { contacts: [], subscriptions: [] }),
    ];
    const file = jsonl(...rows).replace(/\n/g, '\r\n');
    const direct = await importText(t, file, { format: 'jsonl', chunk: 3 });
    expect(finish).toHaveBeenCalledTimes(1);
    expect(direct).toMatchObject({ applied: true, customers: { created: 3 }, contacts: 2, subscriptions: 4 });
    const loaded = await snapshot(t.env.db.url);
    const loadedHooks = await hooks();
    expect(loadedHooks).toEqual([{ ref: 'B', url: 'https://hooks.example.com/b' }]);
    expect((await db.query(`SELECT secret FROM customer_webhooks`)).rows[0].secret).toMatch(
      /^whsec_[A-Za-z0-9+/]{43}=$/,
    );
    // The id sequence is past the last line's customer, blank lines included: the next new customer gets a new id.
    expect((await importText(t, jsonl(good('NEXT')), { format: 'jsonl' })).customers.created).toBe(1);
    const next = await db.query(
      `SELECT (SELECT id FROM customers WHERE ref = 'NEXT') > (SELECT max(id) FROM customers WHERE ref <> 'NEXT') AS ahead`,
    );
    expect(next.rows[0].ahead).toBe(true);

    // The same file through staging: a registry with another customer in it takes the upsert path.
    await db.query(`DELETE FROM customers`);
    await importText(t, jsonl(good('OTHER')), { format: 'jsonl' });
    finish.mockClear();
    const staged = await importText(t, file, { format: 'jsonl', chunk: 3 });
    expect(finish).not.toHaveBeenCalled();
    expect(staged).toEqual(direct);
    expect((await hooks()).filter((h: any) => h.ref !== 'OTHER')).toEqual(loadedHooks);
    const both = await snapshot(t.env.db.url);
    const other = (r: any) => r.ref !== 'OTHER';
    expect({
      customers: both.customers.filter(other),
      contacts: both.contacts.filter(other),
      subscriptions: both.subscriptions.filter(other),
    }).toEqual(loaded);
  });

  it('a source that fails midway leaves the registry empty with its indexes, and loads directly again', async () => {
    const before = await schema();
    const lines = Array.from({ length: 5000 }, (_, i) => jsonl(good(`F-${i}`)));
    async function* failing() {
      for (const [i, line] of lines.entries()) {
        if (i === 4000) throw new Error('the client went away');
        yield Buffer.from(line);
      }
    }
    const imports = t.app.get(RegistryImportService);
    const opts = { format: 'jsonl' as const, mode: 'upsert' as const, dryRun: false, localSource: true };
    await expect(imports.import(failing(), opts, SYSTEM_ACTOR)).rejects.toThrow(/went away/);
    expect(await begin.mock.results[0].value).not.toBeNull();
    expect(await count('customers')).toBe(0);
    expect(await count('contacts')).toBe(0);
    expect(await schema()).toEqual(before);
    const again = await imports.import(Readable.from(lines.map((l) => Buffer.from(l))), opts, SYSTEM_ACTOR);
    expect(again).toMatchObject({ applied: true, customers: { created: 5000 } });
    expect(finish).toHaveBeenCalledTimes(1);
  });

  it('an import that finds another under way does not wait to read its file: it is staged', async () => {
    const holder = new Client({ connectionString: t.env.db.url });
    await holder.connect();
    try {
      await holder.query(`BEGIN`);
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('impact-notices:registry-import'))`);
      const text = jsonl(good('W-1'), good('W-2'));
      let read = 0;
      const imports = t.app.get(RegistryImportService);
      const opts = { format: 'jsonl' as const, mode: 'upsert' as const, dryRun: false, localSource: true };
      const running = imports.import(Readable.from([Buffer.from(text)]), opts, SYSTEM_ACTOR, (p) => (read = p.bytes));
      // The whole file is read and staged while the other import holds the lock; applying waits for it.
      const deadline = Date.now() + 10_000;
      while (read < text.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(read).toBe(text.length);
      expect(await begin.mock.results[0].value).toBeNull();
      await holder.query(`COMMIT`);
      expect(await running).toMatchObject({ applied: true, customers: { created: 2 } });
    } finally {
      await holder.end();
    }
  });

  it('two first imports at once both land: one loads directly, the other is staged and upserts', async () => {
    const a = jsonl(...Array.from({ length: 300 }, (_, i) => good(`A-${i}`)));
    const b = jsonl(...Array.from({ length: 300 }, (_, i) => good(`B-${i}`)), good('A-7', { name: 'From B' }));
    const [ra, rb] = await Promise.all([
      importText(t, a, { format: 'jsonl', chunk: 4096 }),
      importText(t, b, { format: 'jsonl', chunk: 4096 }),
    ]);
    expect(ra.applied && rb.applied).toBe(true);
    expect(finish).toHaveBeenCalledTimes(1);
    const opened = await Promise.all(begin.mock.results.map((r) => r.value));
    expect(opened.filter((x) => x === null)).toHaveLength(1);
    expect(ra.customers.created + rb.customers.created).toBe(600);
    expect(await count('customers')).toBe(600);
    expect(await count('contacts')).toBe(600);
    const ids = (await db.query(`SELECT count(DISTINCT id)::int AS n FROM customers`)).rows[0].n;
    expect(ids).toBe(600);
  });
});
