// Stored totals of an applied event's affected list by one tier, account manager, country or product
// (event_facet_totals): each must be the list's own size, be what the first page of that filter answers, and stop
// being used for tier and account manager once a registry import changed a customer's tier or account manager.
// Every check uses a filter value not asked before, so the totals cache of the API process is never what answers.
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, postEventAndWait } from '../support/events';
import { withPg } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { importText, jsonl, seedProducts } from '../support/registry-import';

const CUSTOMERS = 48;

function customer(i: number, am = `am${(i >> 1) % 5}@vendor.example`) {
  const ref = `F${String(i).padStart(3, '0')}`;
  const country = ['JP', 'DE', 'SG'][i % 3];
  return {
    ref,
    name: `Facet ${i}`,
    tier: i % 2 ? 'developer' : 'enterprise',
    country,
    ...(i % 2 ? {} : { accountManager: { email: am, name: 'AM' } }),
    contacts: [{ email: `ops@${ref.toLowerCase()}.example` }],
    subscriptions: [{ product: 'claude-api' }, ...(i % 4 === 1 ? [{ product: 'claude-weights', country: 'SG' }] : [])],
  };
}

describe('stored totals of affected lists', () => {
  let t: TestApp;
  let support: string;

  /** Every row of the filtered list, read page by page (the rows are never a stored figure), and its total. */
  const list = async (query: string, token = support) => {
    const res = await api(t.url, 'GET', `/api/v1/events/facet-1/affected?pageSize=500&${query}`, { token });
    expect(res.status).toBe(200);
    return { total: res.body.total as number, rows: res.body.items.length as number };
  };
  const stored = (facet: string, value: string) =>
    withPg(t.env.db.url, async (c) => {
      const { rows } = await c.query(
        `SELECT customers FROM event_facet_totals f JOIN events e ON e.id = f.event_pk
          WHERE e.event_id = 'facet-1' AND f.facet = $1 AND f.value = $2`,
        [facet, value],
      );
      return rows[0]?.customers as number | undefined;
    });
  const setStored = (facet: string, value: string, n: number) =>
    withPg(t.env.db.url, async (c) => {
      const r = await c.query(
        `UPDATE event_facet_totals f SET customers = $3 FROM events e
          WHERE e.id = f.event_pk AND e.event_id = 'facet-1' AND f.facet = $1 AND f.value = $2`,
        [facet, value, n],
      );
      expect([facet, value, r.rowCount]).toEqual([facet, value, 1]);
    });

  beforeAll(async () => {
    t = await startTestApp('affected-facets');
    support = (await t.userWithToken('support')).token;
    await seedProducts(t);
    const rows = Array.from({ length: CUSTOMERS }, (_, i) => customer(i + 1));
    expect(await importText(t, jsonl(...rows), { format: 'jsonl', chunk: 4096 })).toMatchObject({ errorCount: 0 });
    await postEventAndWait(
      t.url,
      support,
      {
        ...BASE_EVENT,
        eventId: 'facet-1',
        caseId: 'facet-case',
        type: 'suspension.issued',
        scope: { products: ['claude-api', 'claude-weights'], regions: ['JP', 'SG'] },
        dispatch: 'review',
      },
      'awaiting_review',
    );
    // Written in the background after the apply.
    await waitFor('stored totals for facet-1', async () => (await stored('all', '')) !== undefined, 10_000);
  });
  afterAll(() => t.close());

  it('stores each total as the size of the list that filter gives', async () => {
    const filters: [string, string][] = [
      ['tier', 'enterprise'],
      ['tier', 'developer'],
      ['country', 'JP'],
      ['product', 'claude-api'],
      ['product', 'claude-weights'],
      ['accountManager', 'am0@vendor.example'],
    ];
    for (const [facet, value] of filters) {
      const { total, rows } = await list(`${facet}=${encodeURIComponent(value)}`);
      expect([facet, value, total]).toEqual([facet, value, rows]);
      expect([facet, value, await stored(facet, value)]).toEqual([facet, value, rows]);
      expect(rows).toBeGreaterThan(0);
    }
    expect(await stored('all', '')).toBe((await list('')).rows);
    // A country none of the event's subscriptions names has no row and no customers.
    expect(await stored('country', 'DE')).toBeUndefined();
    expect(await list('country=DE')).toEqual({ total: 0, rows: 0 });
  });

  it('answers the first page of a one-filter list from the stored total, for a viewer who sees everyone', async () => {
    await setStored('accountManager', 'am2@vendor.example', 4242);
    // The account manager is matched as the filter matches it (lower-cased).
    expect((await list('accountManager=AM2%40Vendor.example')).total).toBe(4242);
    // A search beside it, or an account manager's own view, is counted.
    const searched = await list('accountManager=am2%40vendor.example&q=Facet');
    expect(searched.total).toBe(searched.rows);
    const am2 = (await t.userWithToken('account_manager', 'am2@vendor.example')).token;
    const own = await list('tier=enterprise', am2);
    expect(own.total).toBe(own.rows);
    expect(own.rows).toBeGreaterThan(0);
  });

  it('keeps using them after an import that changes no tier and no account manager', async () => {
    await setStored('accountManager', 'am1@vendor.example', 555);
    const renamed = { ...customer(2), name: 'Renamed 2' };
    expect(await importText(t, jsonl(renamed), { format: 'jsonl' })).toMatchObject({ applied: true, errorCount: 0 });
    expect((await list('accountManager=am1%40vendor.example')).total).toBe(555);
  });

  it('counts tier and account-manager lists again after an import that changes one, and stores them anew', async () => {
    await setStored('accountManager', 'am3@vendor.example', 999);
    await setStored('country', 'SG', 777);
    const before = await list('accountManager=am4%40vendor.example&q=F');
    // One customer of am3 moves to am4.
    const moved = Array.from({ length: CUSTOMERS }, (_, i) => customer(i + 1)).find(
      (c) => c.accountManager?.email === 'am3@vendor.example',
    )!;
    const moving = jsonl({ ...moved, accountManager: { email: 'am4@vendor.example', name: 'AM' } });
    expect(await importText(t, moving, { format: 'jsonl' })).toMatchObject({ applied: true, errorCount: 0 });
    // The event's own rows never change: a country's stored total is still the one used.
    expect((await list('country=SG')).total).toBe(777);
    // An account manager's is counted (and this first stale read counts every total of the event again, behind).
    const am3 = await list('accountManager=am3%40vendor.example');
    expect(am3.total).toBe(am3.rows);
    const am4 = await list('accountManager=am4%40vendor.example');
    expect(am4).toEqual({ total: before.rows + 1, rows: before.rows + 1 });
    const current = () =>
      withPg(t.env.db.url, async (c) => {
        const { rows } = await c.query(
          `SELECT f.registry_generation = g.generation AS current FROM event_facet_totals f, registry_state g, events e
            WHERE e.event_id = 'facet-1' AND f.event_pk = e.id AND f.facet = 'all'`,
        );
        return rows[0]?.current === true;
      });
    await waitFor('the stale totals of facet-1 stored again', current, 10_000);
    // Stored anew from the registry as it is now: the tampered figures are gone, am4 has its new customer.
    expect(await stored('accountManager', 'am3@vendor.example')).toBe(am3.rows);
    expect(await stored('accountManager', 'am4@vendor.example')).toBe(am4.rows);
    expect(await stored('country', 'SG')).toBe((await list('country=SG&q=F')).rows);
  });
});
