import { startTestApp, TestApp } from '../support/app';
import { importText, jsonl, seedProducts, snapshot } from '../support/registry-import';

const acme = {
  ref: 'ACME-001',
  name: 'Acme GmbH',
  tier: 'enterprise',
  country: 'DE',
  accountManager: { email: 'Jane@Vendor.example', name: 'Jane Doe' },
  contacts: [{ email: 'Ops@Acme.example', name: 'Ops', locale: 'de', role: 'technical' }],
  subscriptions: [{ product: 'claude-api' }, { product: 'claude-api', country: 'FR' }],
};
const kiwi = {
  ref: 'KIWI-7',
  name: 'Kiwi Labs\r\nLine two <b> \\N {x} "q"\t, NULL',
  tier: 'developer',
  country: 'NZ',
  contacts: [{ email: 'a@kiwi.example', name: 'Ā', locale: 'pt-br', notices: false }, { email: 'b@kiwi.example' }],
  subscriptions: [{ product: 'claude-code' }],
};

describe('registry import (JSON Lines and CSV)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('registry-import');
    await seedProducts(t);
  });
  afterAll(() => t.close());

  it('imports JSON Lines: customers, lower-cased emails, default locale and destination, names with line breaks', async () => {
    const report = await importText(t, jsonl(acme, kiwi), { format: 'jsonl' });
    expect(report).toEqual({
      applied: true,
      dryRun: false,
      mode: 'upsert',
      customers: { created: 2, updated: 0, deactivated: 0 },
      contacts: 3,
      subscriptions: 3,
      errorCount: 0,
      errors: [],
    });
    const s = await snapshot(t.env.db.url);
    expect(s.customers).toEqual([
      {
        ref: 'ACME-001',
        name: 'Acme GmbH',
        tier: 'enterprise',
        country: 'DE',
        am_email: 'jane@vendor.example',
        am_name: 'Jane Doe',
        active: true,
      },
      {
        ref: 'KIWI-7',
        name: 'Kiwi Labs\r\nLine two <b> \\N {x} "q"\t, NULL',
        tier: 'developer',
        country: 'NZ',
        am_email: null,
        am_name: null,
        active: true,
      },
    ]);
    expect(s.contacts).toEqual([
      { ref: 'ACME-001', email: 'ops@acme.example', name: 'Ops', locale: 'de', role: 'technical', notices: true },
      { ref: 'KIWI-7', email: 'a@kiwi.example', name: 'Ā', locale: 'pt-BR', role: null, notices: false },
      { ref: 'KIWI-7', email: 'b@kiwi.example', name: '', locale: 'en', role: null, notices: true },
    ]);
    expect(s.subscriptions).toEqual([
      { ref: 'ACME-001', product: 'claude-api', country: 'DE' },
      { ref: 'ACME-001', product: 'claude-api', country: 'FR' },
      { ref: 'KIWI-7', product: 'claude-code', country: 'NZ' },
    ]);
  });

  it('upsert replaces the contacts and subscriptions of the customers in the file and leaves others alone', async () => {
    const changed = {
      ...acme,
      name: 'Acme AG',
      contacts: [{ email: 'legal@acme.example', role: 'legal' }],
      subscriptions: [{ product: 'claude-weights', country: 'SG' }],
    };
    const report = await importText(t, jsonl(changed), { format: 'jsonl' });
    expect(report).toMatchObject({
      applied: true,
      customers: { created: 0, updated: 1, deactivated: 0 },
      contacts: 1,
      subscriptions: 1,
    });
    const s = await snapshot(t.env.db.url);
    expect(s.customers).toContainEqual(expect.objectContaining({ ref: 'ACME-001', name: 'Acme AG' }));
    expect(s.contacts.filter((c: any) => c.ref === 'ACME-001')).toEqual([
      { ref: 'ACME-001', email: 'legal@acme.example', name: '', locale: 'en', role: 'legal', notices: true },
    ]);
    expect(s.subscriptions.filter((c: any) => c.ref === 'ACME-001')).toEqual([
      { ref: 'ACME-001', product: 'claude-weights', country: 'SG' },
    ]);
    expect(s.contacts.filter((c: any) => c.ref === 'KIWI-7')).toHaveLength(2);
  });

  it('dry run validates and reports what would happen, but changes nothing', async () => {
    const before = await snapshot(t.env.db.url);
    const report = await importText(t, jsonl({ ...acme, name: 'Changed' }, { ...kiwi, ref: 'NEW-1' }), {
      format: 'jsonl',
      mode: 'sync',
      dryRun: true,
    });
    expect(report).toMatchObject({
      applied: false,
      dryRun: true,
      mode: 'sync',
      customers: { created: 1, updated: 1, deactivated: 1 },
      contacts: 3,
      subscriptions: 3,
      errorCount: 0,
    });
    expect(await snapshot(t.env.db.url)).toEqual(before);
  });

  it('sync deactivates exactly the customers absent from the file, and reactivates those present', async () => {
    await importText(t, jsonl({ ...kiwi, ref: 'GONE-1' }, { ...kiwi, ref: 'GONE-2' }), { format: 'jsonl' });
    const report = await importText(t, jsonl(acme, kiwi), { format: 'jsonl', mode: 'sync' });
    expect(report).toMatchObject({
      applied: true,
      mode: 'sync',
      customers: { created: 0, updated: 2, deactivated: 2 },
    });
    const active = (await snapshot(t.env.db.url)).customers.map((c: any) => [c.ref, c.active]);
    expect(active).toEqual([
      ['ACME-001', true],
      ['GONE-1', false],
      ['GONE-2', false],
      ['KIWI-7', true],
    ]);
    const again = await importText(t, jsonl({ ...kiwi, ref: 'GONE-1' }), { format: 'jsonl' });
    expect(again.customers).toEqual({ created: 0, updated: 1, deactivated: 0 });
    expect((await snapshot(t.env.db.url)).customers).toContainEqual(
      expect.objectContaining({ ref: 'GONE-1', active: true }),
    );
  });
});

describe('registry import: CSV and JSON Lines describing the same registry', () => {
  const HEADER =
    'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products\n';
  const csv =
    HEADER +
    'ACME-001,Acme GmbH,enterprise,DE,Jane@Vendor.example,Jane Doe,Ops@Acme.example,Ops,de,technical,claude-api;claude-api@FR\n' +
    // A quoted name with a line break, a comma and quotes; a contact with no role; the same products in another order.
    '"KIWI-7","Kiwi ""Labs""\r\nLine two, <b>",developer,nz,,,a@kiwi.example,Ā,pt-br,,claude-code\n' +
    'KIWI-7,"Kiwi ""Labs""\r\nLine two, <b>",developer,NZ,,,b@kiwi.example,,,,claude-code\n' +
    'LONE-1,Lone,developer,JP,,,,,,,\n';
  const lines = jsonl(
    {
      ref: 'ACME-001',
      name: 'Acme GmbH',
      tier: 'enterprise',
      country: 'DE',
      accountManager: { email: 'jane@vendor.example', name: 'Jane Doe' },
      contacts: [{ email: 'ops@acme.example', name: 'Ops', locale: 'de', role: 'technical' }],
      subscriptions: [{ product: 'claude-api', country: 'FR' }, { product: 'claude-api' }],
    },
    {
      ref: 'KIWI-7',
      name: 'Kiwi "Labs"\r\nLine two, <b>',
      tier: 'developer',
      country: 'NZ',
      contacts: [{ email: 'a@kiwi.example', name: 'Ā', locale: 'pt-BR' }, { email: 'b@kiwi.example' }],
      subscriptions: [{ product: 'claude-code', country: 'NZ' }],
    },
    { ref: 'LONE-1', name: 'Lone', tier: 'developer', country: 'JP' },
  );

  it('gives the same database content', async () => {
    const a = await startTestApp('registry-same-csv');
    const b = await startTestApp('registry-same-jsonl');
    try {
      await seedProducts(a);
      await seedProducts(b);
      const ra = await importText(a, csv, { format: 'csv', chunk: 3 });
      const rb = await importText(b, lines, { format: 'jsonl' });
      expect(ra).toEqual(rb);
      expect(ra).toMatchObject({ applied: true, errorCount: 0, contacts: 3, subscriptions: 3 });
      const sa = await snapshot(a.env.db.url);
      expect(sa).toEqual(await snapshot(b.env.db.url));
      expect(sa.customers).toHaveLength(3);
      expect(sa.customers).toContainEqual(
        expect.objectContaining({ ref: 'KIWI-7', name: 'Kiwi "Labs"\r\nLine two, <b>' }),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});
