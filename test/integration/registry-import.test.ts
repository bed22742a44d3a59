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
  name: 'Kiwi Labs\r\nLine two <b>',
  tier: 'developer',
  country: 'NZ',
  contacts: [
    { email: 'a@kiwi.example', name: 'Ā', locale: 'pt-br', notices: false },
    { email: 'b@kiwi.example' },
  ],
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
      { ref: 'ACME-001', name: 'Acme GmbH', tier: 'enterprise', country: 'DE', am_email: 'jane@vendor.example', am_name: 'Jane Doe', active: true },
      { ref: 'KIWI-7', name: 'Kiwi Labs\r\nLine two <b>', tier: 'developer', country: 'NZ', am_email: null, am_name: null, active: true },
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
    expect(report).toMatchObject({ applied: true, customers: { created: 0, updated: 1, deactivated: 0 }, contacts: 1, subscriptions: 1 });
    const s = await snapshot(t.env.db.url);
    expect(s.customers).toContainEqual(expect.objectContaining({ ref: 'ACME-001', name: 'Acme AG' }));
    expect(s.contacts.filter((c: any) => c.ref === 'ACME-001')).toEqual([
      { ref: 'ACME-001', email: 'legal@acme.example', name: '', locale: 'en', role: 'legal', notices: true },
    ]);
    expect(s.subscriptions.filter((c: any) => c.ref === 'ACME-001')).toEqual([{ ref: 'ACME-001', product: 'claude-weights', country: 'SG' }]);
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
});
