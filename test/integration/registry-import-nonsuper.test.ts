// Imports as a role that is not a superuser: the apply then relies on the ordinary foreign-key triggers.
import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/app';
import { importText, jsonl, seedProducts, snapshot } from '../support/registry-import';

describe('registry import as a non-superuser role', () => {
  let t: TestApp;
  let dbUrl: string;
  let appUrl: string;

  beforeAll(async () => {
    t = await startTestApp('registry-nonsuper', { nonSuperuser: true });
    dbUrl = t.env.db.url;
    appUrl = t.env.db.appUrl;
    await seedProducts(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('applies, replaces and syncs the same way', async () => {
    const a = {
      ref: 'A',
      name: 'A',
      tier: 'developer',
      country: 'DE',
      contacts: [{ email: 'a@a.example' }],
      subscriptions: [{ product: 'claude-api' }, { product: 'claude-code', country: 'US' }],
    };
    const b = {
      ref: 'B',
      name: 'B',
      tier: 'enterprise',
      country: 'JP',
      accountManager: { email: 'am@vendor.example', name: 'AM' },
      subscriptions: [{ product: 'claude-api' }],
    };
    expect(await importText(t, jsonl(a, b), { format: 'jsonl' })).toMatchObject({
      applied: true,
      customers: { created: 2 },
      contacts: 1,
      subscriptions: 3,
    });
    const report = await importText(t, jsonl({ ...a, subscriptions: [{ product: 'claude-weights' }] }), {
      format: 'jsonl',
      mode: 'sync',
    });
    expect(report).toMatchObject({
      applied: true,
      customers: { created: 0, updated: 1, deactivated: 1 },
      subscriptions: 1,
    });
    const s = await snapshot(dbUrl);
    expect(s.customers.map((c: any) => [c.ref, c.active])).toEqual([
      ['A', true],
      ['B', false],
    ]);
    // A deactivated customer keeps its rows; only the customers in the file are replaced.
    expect(s.subscriptions).toEqual([
      { ref: 'A', product: 'claude-weights', country: 'DE' },
      { ref: 'B', product: 'claude-api', country: 'JP' },
    ]);
    // The app really ran as a role without the superuser shortcut.
    const pg = new Client({ connectionString: appUrl });
    await pg.connect();
    try {
      expect((await pg.query(`SELECT current_setting('is_superuser') AS su`)).rows[0].su).toBe('off');
    } finally {
      await pg.end();
    }
  });
});
