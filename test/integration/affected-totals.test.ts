// Totals of filtered affected lists are counted once and reused for a while (AffectedTotalsCache): the key must tell
// filters and viewers apart, and delivery-state filters, which move while an event is sent, are counted every time.
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';

const JANE = { email: 'jane@vendor.example', name: 'Jane Doe' };
const BOB = { email: 'bob@vendor.example', name: 'Bob Roe' };

describe('filtered totals of an event’s affected list', () => {
  let t: TestApp;
  let support: string;
  let jane: string;
  const total = async (token: string, query: string) => {
    const res = await api(t.url, 'GET', `/api/v1/events/tot-1/affected?${query}`, { token });
    expect(res.status).toBe(200);
    return res.body.total as number;
  };

  beforeAll(async () => {
    t = await startTestApp('affected-totals');
    support = (await t.userWithToken('support')).token;
    jane = (await t.userWithToken('account_manager', JANE.email, JANE.name)).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    const customer = (ref: string, tier: 'developer' | 'enterprise', country: string, am?: typeof JANE) => ({
      ref,
      name: `Customer ${ref}`,
      tier,
      country,
      am,
      subs: [`api@${country}`],
      contacts: [{ email: `ops@${ref.toLowerCase()}.example` }],
    });
    await insertCustomers(t.env.db.url, [
      customer('E1', 'enterprise', 'JP', JANE),
      customer('E2', 'enterprise', 'DE', JANE),
      customer('E3', 'enterprise', 'JP', BOB),
      customer('D1', 'developer', 'JP'),
      customer('D2', 'developer', 'FR', JANE),
    ]);
    await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: {
        ...BASE_EVENT,
        eventId: 'tot-1',
        caseId: 'tot-case',
        type: 'suspension.issued',
        scope: { products: ['api'], regions: ['*'] },
      },
    });
    await waitForEvent(t.url, support, 'tot-1');
  });
  afterAll(() => t.close());

  it('keeps one total per filter and per viewer', async () => {
    expect(await total(support, 'tier=enterprise')).toBe(3);
    expect(await total(support, 'tier=developer')).toBe(2);
    expect(await total(support, 'country=JP')).toBe(3);
    expect(await total(support, 'country=JP&tier=enterprise')).toBe(2);
    expect(await total(jane, 'tier=enterprise')).toBe(2);
    expect(await total(jane, 'country=JP')).toBe(1);
    // Asked again (the second page of the same filter too), the totals stay each filter's and each viewer's own.
    expect(await total(support, 'tier=enterprise&page=2&pageSize=1')).toBe(3);
    expect(await total(jane, 'tier=enterprise')).toBe(2);
    expect(await total(support, 'tier=developer')).toBe(2);
  });

  it('reuses a filtered total for a while, and always counts delivery states afresh', async () => {
    expect(await total(support, 'q=Customer%20D')).toBe(2);
    expect(await total(support, 'deliveryStatus=unreached')).toBe(5);
    await withPg(t.env.db.url, async (c) => {
      // A registry change to a customer's name, and one contact's notice delivered.
      await c.query(`UPDATE customers SET name = 'Renamed' WHERE ref = 'D1'`);
      await c.query(
        `UPDATE notices SET status = 'sent', sent_at = now() WHERE email = 'ops@e1.example' AND customer_id IS NOT NULL`,
      );
    });
    // The name filter's total is the one counted a moment ago (until AFFECTED_TOTAL_TTL_MS), while its rows are
    // read fresh: D1 no longer matches.
    const named = await api(t.url, 'GET', '/api/v1/events/tot-1/affected?q=Customer%20D', { token: support });
    expect(named.body.total).toBe(2);
    expect(named.body.items.map((i: { ref: string }) => i.ref)).toEqual(['D2']);
    expect(await total(support, 'deliveryStatus=unreached')).toBe(4);
    // A filter not asked before is counted now.
    expect(await total(support, 'q=Renamed')).toBe(1);
  });
});
