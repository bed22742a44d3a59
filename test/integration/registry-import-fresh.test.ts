// The bulk path for an empty registry (indexes dropped and rebuilt in the apply transaction) and the
// row-by-row upsert path must leave the same registry, the same indexes and constraints, and usable ids.
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { importText, jsonl, registrySchema, seedProducts, snapshot } from '../support/registry-import';

const customers = [
  {
    ref: 'ACME-001',
    name: 'Acme GmbH',
    tier: 'enterprise',
    country: 'DE',
    accountManager: { email: 'Jane@Vendor.example', name: 'Jane Doe' },
    contacts: [
      { email: 'ops@acme.example', name: 'Ops', locale: 'de', role: 'technical' },
      { email: 'legal@acme.example', notices: false },
    ],
    subscriptions: [
      { product: 'claude-api' },
      { product: 'claude-api', country: 'FR' },
      { product: 'claude-weights', country: 'SG' },
    ],
  },
  {
    ref: 'KIWI-7',
    name: 'Kiwi Labs\r\nLine two <b> \\N {x} "q"\t, NULL',
    tier: 'developer',
    country: 'NZ',
    contacts: [{ email: 'a@kiwi.example', name: 'Ā, "b" {c} \\d', locale: 'pt-br', role: 'NULL' }],
    subscriptions: [{ product: 'claude-code' }],
  },
  { ref: 'LONE-1', name: 'Lone', tier: 'developer', country: 'JP' },
  ...Array.from({ length: 50 }, (_, i) => ({
    ref: `BULK-${i}`,
    name: `Bulk ${i}`,
    tier: i % 2 ? 'developer' : 'enterprise',
    country: i % 3 ? 'US' : 'BR',
    contacts: Array.from({ length: i % 4 }, (__, j) => ({ email: `c${j}@bulk${i}.example` })),
    subscriptions: i % 5 ? [{ product: 'claude-api' }, { product: 'claude-code', country: 'CA' }] : [],
  })),
];
const file = jsonl(...customers);

describe('registry import into an empty registry (bulk path) and into a filled one (upsert path)', () => {
  let t: TestApp;
  let db: Client;
  const schema = () => registrySchema(db);
  const emptyRegistry = () => db.query(`DELETE FROM customers`);

  beforeAll(async () => {
    t = await startTestApp('registry-import-fresh');
    await seedProducts(t);
    db = new Client({ connectionString: t.env.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('gives the same registry, indexes and constraints on both paths, and keeps the id sequence ahead', async () => {
    const before = await schema();
    const fresh = await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(fresh).toMatchObject({
      applied: true,
      customers: { created: 53, updated: 0 },
      contacts: 76,
      subscriptions: 84,
    });
    const afterFresh = await snapshot(t.env.db.url);
    expect(await schema()).toEqual(before);
    const ids = await db.query(
      `SELECT min(id)::int AS min, max(id)::int AS max, count(DISTINCT id)::int AS n FROM customers`,
    );
    expect(ids.rows[0].n).toBe(53);
    expect(ids.rows[0].max - ids.rows[0].min).toBe(52);

    // The same file again: every customer exists, so the upsert path runs.
    const again = await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(again).toMatchObject({
      applied: true,
      customers: { created: 0, updated: 53 },
      contacts: 76,
      subscriptions: 84,
    });
    expect(await snapshot(t.env.db.url)).toEqual(afterFresh);

    // A registry with one other customer in it: the upsert path creates them all.
    await emptyRegistry();
    await importText(t, jsonl({ ref: 'OTHER', name: 'Other', tier: 'developer', country: 'FR' }), { format: 'jsonl' });
    const upserted = await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(upserted).toEqual({ ...fresh });
    const s = await snapshot(t.env.db.url);
    expect({
      customers: s.customers.filter((c: any) => c.ref !== 'OTHER'),
      contacts: s.contacts,
      subscriptions: s.subscriptions,
    }).toEqual(afterFresh);
    expect(await schema()).toEqual(before);

    // New customers after a bulk load get fresh ids from the sequence.
    await emptyRegistry();
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    const next = await importText(t, jsonl({ ref: 'NEXT', name: 'Next', tier: 'developer', country: 'FR' }), {
      format: 'jsonl',
    });
    expect(next.customers.created).toBe(1);
    const r = await db.query(
      `SELECT (SELECT id FROM customers WHERE ref = 'NEXT') > (SELECT max(id) FROM customers WHERE ref <> 'NEXT') AS ahead`,
    );
    expect(r.rows[0].ahead).toBe(true);
  });

  it('an upsert that changes some customers gives the registry a fresh load of the new file gives', async () => {
    const changed = customers.map((c: any, i) => {
      if (i === 0) return { ...c, contacts: [...c.contacts].reverse() }; // same contacts, another order
      if (i === 1) return { ...c, contacts: [{ ...c.contacts[0], role: null }] };
      if (i === 2) return { ...c, name: 'Lone Again' };
      if (i === 3) return { ...c, subscriptions: [{ product: 'claude-weights' }] };
      if (i === 4) return { ...c, contacts: [], subscriptions: [] };
      if (i === 5) return { ...c, contacts: [...(c.contacts ?? []), { email: 'new@bulk.example', notices: false }] };
      return c;
    });
    const changedFile = jsonl(...changed, {
      ref: 'ADDED',
      name: 'Added',
      tier: 'developer',
      country: 'FR',
      subscriptions: [{ product: 'claude-api' }],
    });
    await emptyRegistry();
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    const untouched = (
      await db.query(
        `SELECT t.id FROM contacts t JOIN customers c ON c.id = t.customer_id WHERE c.ref = 'BULK-10' ORDER BY t.id`,
      )
    ).rows;
    const upsert = await importText(t, changedFile, { format: 'jsonl', chunk: 1000 });
    expect(upsert.customers).toEqual({ created: 1, updated: 53, deactivated: 0 });
    const afterUpsert = await snapshot(t.env.db.url);
    // Unchanged customers keep their rows.
    expect(
      (
        await db.query(
          `SELECT t.id FROM contacts t JOIN customers c ON c.id = t.customer_id WHERE c.ref = 'BULK-10' ORDER BY t.id`,
        )
      ).rows,
    ).toEqual(untouched);
    const digestsOf = async () => (await db.query(`SELECT ref, rows_digest FROM customers ORDER BY ref`)).rows;
    const upsertDigests = await digestsOf();

    await emptyRegistry();
    const fresh = await importText(t, changedFile, { format: 'jsonl', chunk: 1000 });
    expect(fresh).toEqual({ ...upsert, customers: { created: 54, updated: 0, deactivated: 0 } });
    expect(await snapshot(t.env.db.url)).toEqual(afterUpsert);
    // The changed and the new customers got their digests of the new file.
    expect(await digestsOf()).toEqual(upsertDigests);
  });

  it('an upsert reads the stored rows only of customers whose digest differs, and fills in missing digests', async () => {
    const digests = async () =>
      (await db.query(`SELECT ref, rows_digest FROM customers ORDER BY ref`)).rows as {
        ref: string;
        rows_digest: string | null;
      }[];
    const updatedAt = async () => (await db.query(`SELECT ref, updated_at FROM customers ORDER BY ref`)).rows;
    const contactIds = async () => (await db.query(`SELECT id FROM contacts ORDER BY id`)).rows;
    // The direct load and the staged one store the same digests.
    await emptyRegistry();
    await importText(t, file, { format: 'jsonl', chunk: 1000, localSource: false });
    const staged = await digests();
    await emptyRegistry();
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    const direct = await digests();
    expect(direct).toEqual(staged);
    expect(direct.every((d) => d.rows_digest !== null)).toBe(true);
    expect(new Set(direct.map((d) => d.rows_digest)).size).toBeGreaterThan(1);
    const snap = await snapshot(t.env.db.url);
    const ids = await contactIds();

    // Missing (as before the column existed) or wrong digests: the rows are compared, found equal, left alone, and
    // the file's digests stored, without touching updated_at.
    await db.query(`UPDATE customers SET rows_digest = NULL WHERE ref LIKE 'BULK-%'`);
    await db.query(`UPDATE customers SET rows_digest = '\\x2a' WHERE ref = 'ACME-001'`);
    const stamps = await updatedAt();
    const again = await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(again.customers).toEqual({ created: 0, updated: 53, deactivated: 0 });
    expect(await snapshot(t.env.db.url)).toEqual(snap);
    expect(await contactIds()).toEqual(ids);
    expect(await digests()).toEqual(direct);
    expect(await updatedAt()).toEqual(stamps);

    // A matching digest is trusted: a contact changed behind the importer's back (which nothing but an import may do
    // without clearing the digest) is not compared, so the same file leaves it as it is.
    await db.query(`UPDATE contacts SET name = 'changed elsewhere' WHERE email = 'ops@acme.example'`);
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect((await db.query(`SELECT name FROM contacts WHERE email = 'ops@acme.example'`)).rows[0].name).toBe(
      'changed elsewhere',
    );
    // Without the digest the difference is found and the file's contacts written again.
    await db.query(`UPDATE customers SET rows_digest = NULL WHERE ref = 'ACME-001'`);
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(await snapshot(t.env.db.url)).toEqual(snap);

    // Rows rewritten by an import that does not know the digest (an older version on this schema sets updated_at and
    // leaves rows_digest alone): the digest no longer holds, and the rows are compared.
    await db.query(`UPDATE contacts SET name = 'older importer' WHERE email = 'ops@acme.example'`);
    await db.query(`UPDATE subscriptions SET country = 'JP' WHERE product = 'claude-weights'`);
    await db.query(`UPDATE customers SET updated_at = now() - interval '1 minute' WHERE ref = 'ACME-001'`);
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(await snapshot(t.env.db.url)).toEqual(snap);

    // A changed customer gets the new file's digest with its new rows, so going back to the old file is found too.
    const changed = jsonl(
      ...customers.map((c: any) =>
        c.ref === 'KIWI-7' ? { ...c, name: 'Kiwi renamed', contacts: [{ email: 'new@kiwi.example' }] } : c,
      ),
    );
    await importText(t, changed, { format: 'jsonl', chunk: 1000 });
    expect((await snapshot(t.env.db.url)).contacts).toContainEqual(
      expect.objectContaining({ email: 'new@kiwi.example' }),
    );
    await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(await snapshot(t.env.db.url)).toEqual(snap);
  });

  it('a CSV file that merges a ref from rows apart stores no digest for it', async () => {
    await emptyRegistry();
    const HEADER =
      'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products\n';
    const csv =
      HEADER +
      'R-1,Merged,developer,DE,,,a@r.example,A,de,,claude-api\n' +
      'X-1,Between,developer,DE,,,x@x.example,X,de,,claude-api\n' +
      'R-1,Merged,developer,DE,,,b@r.example,B,de,,claude-api\n';
    expect((await importText(t, csv, { format: 'csv' })).applied).toBe(true);
    const digests = await db.query(`SELECT ref, rows_digest IS NULL AS none FROM customers ORDER BY ref`);
    expect(digests.rows).toEqual([
      { ref: 'R-1', none: true },
      { ref: 'X-1', none: true },
    ]);
    // No line's digest describes R-1's two contacts: a file with only the first of them is compared, and applied.
    const one = jsonl({
      ref: 'R-1',
      name: 'Merged',
      tier: 'developer',
      country: 'DE',
      contacts: [{ email: 'a@r.example', name: 'A', locale: 'de' }],
      subscriptions: [{ product: 'claude-api' }],
    });
    await importText(t, one, { format: 'jsonl' });
    const emails = await db.query(
      `SELECT t.email FROM contacts t JOIN customers c ON c.id = t.customer_id WHERE c.ref = 'R-1' ORDER BY t.email`,
    );
    expect(emails.rows).toEqual([{ email: 'a@r.example' }]);
  });

  it('a failure during the bulk apply leaves the registry empty and its indexes in place', async () => {
    await emptyRegistry();
    // A constraint the file breaks, found only when the rows are written.
    await db.query(`ALTER TABLE contacts ADD CONSTRAINT test_no_boom CHECK (name <> 'boom')`);
    try {
      const before = await schema();
      const bad = {
        ref: 'BOOM',
        name: 'Boom',
        tier: 'developer',
        country: 'DE',
        contacts: [{ email: 'x@boom.example', name: 'boom' }],
      };
      await expect(importText(t, file + jsonl(bad), { format: 'jsonl', chunk: 1000 })).rejects.toThrow(/test_no_boom/);
      expect((await db.query(`SELECT count(*)::int AS n FROM customers`)).rows[0].n).toBe(0);
      expect(await schema()).toEqual(before);
    } finally {
      await db.query(`ALTER TABLE contacts DROP CONSTRAINT test_no_boom`);
    }
    const ok = await importText(t, file, { format: 'jsonl', chunk: 1000 });
    expect(ok.applied).toBe(true);
  });
});
