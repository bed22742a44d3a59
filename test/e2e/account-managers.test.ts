// Account managers see, count and export only their own customers, and cannot steer outreach;
// CSV export streams every row with proper quoting; reconcile tells customers added since the last event.
import { parse } from 'csv-parse/sync';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';

const JANE = { email: 'jane@vendor.example', name: 'Jane' };
const BOB = { email: 'bob@vendor.example', name: 'Bob' };

describe('account-manager isolation, CSV export and reconcile', () => {
  let t: TestApp;
  let support: string;
  let jane: string;
  let bob: string;

  const get = (token: string, path: string) => api(t.url, 'GET', path, { token });

  beforeAll(async () => {
    t = await startTestApp('am');
    support = (await t.userWithToken('support')).token;
    jane = (await t.userWithToken('account_manager', JANE.email, JANE.name)).token;
    bob = (await t.userWithToken('account_manager', BOB.email, BOB.name)).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(t.env.db.url, [
      {
        ref: 'A1',
        name: 'Alpha, "the first"\nLtd',
        tier: 'enterprise',
        country: 'DE',
        am: JANE,
        subs: ['api'],
        contacts: [{ email: 'a1@x.example' }, { email: 'a1b@x.example' }],
      },
      {
        ref: 'A2',
        name: 'Alpha Two',
        tier: 'enterprise',
        country: 'FR',
        am: JANE,
        subs: ['api'],
        contacts: [{ email: 'a2@x.example' }],
      },
      {
        ref: 'B1',
        name: 'Bravo',
        tier: 'enterprise',
        country: 'DE',
        am: BOB,
        subs: ['api'],
        contacts: [{ email: 'b1@x.example' }],
      },
      {
        ref: 'D1',
        name: 'Delta',
        tier: 'developer',
        country: 'IT',
        subs: ['api'],
        contacts: [{ email: 'd1@x.example' }],
      },
    ]);
    await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: {
        ...BASE_EVENT,
        eventId: 'am-1',
        caseId: 'am-case',
        type: 'suspension.issued',
        scope: { products: ['api'], regions: ['*'] },
      },
    });
    await waitForEvent(t.url, support, 'am-1');
  });
  afterAll(() => t.close());

  it('limits lists, counts, details and exports to the manager’s own customers', async () => {
    expect((await get(support, '/api/v1/events/am-1')).body.counts.pending).toBe(5 + 2); // 5 contacts + 2 digests
    expect((await get(jane, '/api/v1/events/am-1')).body.counts.pending).toBe(3);
    expect((await get(bob, '/api/v1/events/am-1')).body.counts.pending).toBe(1);
    expect((await get(jane, '/api/v1/events?pageSize=10')).body.items[0].counts.pending).toBe(3);

    const refs = async (token: string, path: string) =>
      (await get(token, path)).body.items.map((i: any) => i.ref).sort();
    expect(await refs(jane, '/api/v1/events/am-1/affected')).toEqual(['A1', 'A2']);
    expect(await refs(bob, '/api/v1/events/am-1/affected')).toEqual(['B1']);
    expect(await refs(support, '/api/v1/events/am-1/affected')).toEqual(['A1', 'A2', 'B1', 'D1']);
    expect(await refs(jane, '/api/v1/cases/am-case/affected')).toEqual(['A1', 'A2']);
    expect(await refs(jane, '/api/v1/customers')).toEqual(['A1', 'A2']);
    expect((await get(jane, '/api/v1/events/am-1/affected?accountManager=bob@vendor.example')).body.total).toBe(0);

    const notices = (await get(jane, '/api/v1/events/am-1/notices')).body;
    expect(notices.items.map((n: any) => n.customerRef).sort()).toEqual(['A1', 'A1', 'A2']);

    expect((await get(jane, '/api/v1/customers/B1')).status).toBe(404);
    expect((await get(jane, '/api/v1/customers/D1')).status).toBe(404);
    expect((await get(jane, '/api/v1/customers/A1')).status).toBe(200);

    const csv = await get(jane, '/api/v1/events/am-1/affected?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.ref)).toEqual(['A1', 'A2']);
    const caseCsv = parse((await get(jane, '/api/v1/cases/am-case/affected?format=csv')).body as string, {
      columns: true,
    });
    expect(caseCsv.map((r: any) => r.ref)).toEqual(['A1', 'A2']);
  });

  it('refuses outreach control to account managers (403)', async () => {
    for (const action of ['approve', 'pause', 'resume', 'cancel', 'retry-failed']) {
      expect((await api(t.url, 'POST', `/api/v1/events/am-1/${action}`, { token: jane })).status).toBe(403);
    }
    expect(
      (await api(t.url, 'POST', '/api/v1/events/am-1/test-send', { token: jane, body: { email: JANE.email } })).status,
    ).toBe(403);
    expect((await api(t.url, 'POST', '/api/v1/events', { token: jane, body: {} })).status).toBe(403);
    expect((await api(t.url, 'POST', '/api/v1/cases/am-case/reconcile', { token: jane })).status).toBe(403);
  });

  it('exports every row as RFC 4180 CSV with a header, quoting commas, quotes and line breaks', async () => {
    const csv = await get(support, '/api/v1/events/am-1/affected?format=csv');
    const text = csv.body as string;
    expect(text.split('\n')[0]).toBe(
      'ref,name,tier,country,account_manager_email,account_manager_name,subscriptions,kind,delivery_status',
    );
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      ref: 'A1',
      name: 'Alpha, "the first"\nLtd',
      subscriptions: 'api@DE',
      kind: 'suspended',
      delivery_status: 'pending',
      account_manager_email: JANE.email,
    });
  });

  it('shows a customer’s current cases and notices in its detail', async () => {
    const a1 = (await get(support, '/api/v1/customers/A1')).body;
    expect(a1.cases).toEqual([
      expect.objectContaining({ caseId: 'am-case', suspended: [{ product: 'api', country: 'DE' }] }),
    ]);
    expect(a1.notices.map((n: any) => n.email).sort()).toEqual(['a1@x.example', 'a1b@x.example']);
  });

  it('reconcile tells customers added since the last event, once, through review', async () => {
    await insertCustomers(t.env.db.url, [
      {
        ref: 'N1',
        name: 'Newcomer',
        tier: 'developer',
        country: 'ES',
        subs: ['api'],
        contacts: [{ email: 'n1@x.example' }],
      },
    ]);
    const first = await api(t.url, 'POST', '/api/v1/cases/am-case/reconcile', { token: support });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      customers: 1,
      notices: 1,
      status: 'awaiting_review',
      eventId: 'am-case:reconcile:1',
    });
    expect(
      (await get(support, '/api/v1/events/am-case:reconcile:1/affected')).body.items.map((i: any) => i.ref),
    ).toEqual(['N1']);
    // Its affected totals are stored as after any apply (in the background).
    const stored = await waitFor(
      'stored totals of the reconcile event',
      () =>
        withPg(t.env.db.url, async (c) => {
          const { rows } = await c.query(
            `SELECT f.customers FROM event_facet_totals f JOIN events e ON e.id = f.event_pk
              WHERE e.event_id = 'am-case:reconcile:1' AND f.facet = 'all'`,
          );
          return rows.length ? { customers: rows[0].customers as number } : undefined;
        }),
      10_000,
    );
    expect(stored.customers).toBe(1);
    const second = await api(t.url, 'POST', '/api/v1/cases/am-case/reconcile', { token: support });
    expect(second.body).toMatchObject({ customers: 0, eventId: null });
    expect((await get(support, '/api/v1/cases/am-case')).body.suspendedCustomers).toBe(5);
  });
});
