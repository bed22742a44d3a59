import { Queue } from 'bullmq';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, eventsQueue, waitForEvent } from '../support/events';
import { insertCustomers, insertGroup, insertProducts, noticeLines, withPg } from '../support/registry-fixture';

const JANE = { email: 'jane@vendor.example', name: 'Jane Doe' };
const CASE = 'case-lifecycle';

// Twice: as a superuser, where the lifecycle's bulk writes skip the per-row foreign-key triggers under table and row
// locks, and as a role that is not one, where the ordinary triggers run. Both must give the same rows.
describe.each([
  ['a superuser (bulk writes)', false],
  ['a role that is not a superuser (per-row foreign-key checks)', true],
])(
  'case lifecycle as %s: matching by country and product, notice rows per the lifecycle table',
  (_label, nonSuperuser) => {
    let t: TestApp;
    let support: string;
    let queue: Queue;

    const publish = async (e: Record<string, unknown>) => {
      await queue.add('event', { ...BASE_EVENT, caseId: CASE, ...e }, { jobId: String(e.eventId) });
      return waitForEvent(t.url, support, String(e.eventId));
    };

    beforeAll(async () => {
      t = await startTestApp('lifecycle', { nonSuperuser });
      const [{ su }] = await withPg(t.env.env.DATABASE_URL, (c) =>
        c.query(`SELECT current_setting('is_superuser') AS su`).then((r) => r.rows),
      );
      expect(su).toBe(nonSuperuser ? 'off' : 'on');
      support = (await t.userWithToken('support')).token;
      queue = eventsQueue(t.env.prefix);
      const db = t.env.db.url;
      await insertProducts(db, [
        ['api', 'Hosted API', 'hosted-api'],
        ['code', 'Code CLI', 'software'],
        ['weights', 'Open weights', 'model-weights'],
      ]);
      await insertGroup(db, 'TESTGRP', ['FR', 'IT']);
      await insertCustomers(db, [
        {
          ref: 'C1',
          name: 'Dev DE',
          tier: 'developer',
          country: 'DE',
          subs: ['weights@SG', 'api@DE'], // not in the order `affected` lists them
          contacts: [{ email: 'a@c1.example' }, { email: 'b@c1.example', notices: false }],
        },
        {
          ref: 'C2',
          name: 'Ent FR',
          tier: 'enterprise',
          country: 'FR',
          am: JANE,
          subs: ['api@FR', 'code@FR'],
          contacts: [
            { email: 'ops@c2.example', locale: 'fr' },
            { email: 'legal@c2.example', locale: 'de' },
          ],
        },
        {
          ref: 'C3',
          name: 'Dev US',
          tier: 'developer',
          country: 'US',
          subs: ['api@US'],
          contacts: [{ email: 'x@c3.example' }],
        },
        {
          ref: 'C4',
          name: 'Ent JP',
          tier: 'enterprise',
          country: 'JP',
          am: JANE,
          subs: ['weights@JP'],
          contacts: [{ email: 'y@c4.example', locale: 'ja' }],
        },
        {
          ref: 'C5',
          name: 'Dev IT',
          tier: 'developer',
          country: 'IT',
          subs: ['code@IT'],
          contacts: [{ email: 'z@c5.example' }],
        },
        {
          ref: 'C6',
          name: 'Gone BR',
          tier: 'developer',
          country: 'BR',
          active: false,
          subs: ['api@BR'],
          contacts: [{ email: 'w@c6.example' }],
        },
      ]);
    });
    afterAll(async () => {
      await queue.close();
      await t.close();
    });

    it('issued: everyone in scope but the excluded country, the inactive customer and contacts without notices', async () => {
      const ev = await publish({
        eventId: 'e1',
        type: 'suspension.issued',
        scope: { products: ['*'], regions: ['*'], excludeRegions: ['US'] },
      });
      expect(ev).toMatchObject({ status: 'awaiting_review', reasons: [], counts: { pending: 6 } });
      expect(await noticeLines(t.env.db.url, 'e1')).toEqual([
        'am-digest - jane@vendor.example',
        'suspended C1 a@c1.example',
        'suspended C2 legal@c2.example',
        'suspended C2 ops@c2.example',
        'suspended C4 y@c4.example',
        'suspended C5 z@c5.example',
      ]);
      const c1 = await withPg(t.env.db.url, (c) =>
        c.query(
          `SELECT affected, added FROM event_customers ec JOIN customers cu ON cu.id = ec.customer_id WHERE cu.ref = 'C1'`,
        ),
      );
      expect(c1.rows[0].affected).toEqual([
        { product: 'api', country: 'DE' },
        { product: 'weights', country: 'SG' },
      ]);
      // Every affected subscription was added: no second copy is stored (readers take affected for NULL).
      expect(c1.rows[0].added).toBeNull();
    });

    it('updated: category and group scopes; newly in S suspended, gone restored, still in S updated', async () => {
      await insertCustomers(t.env.db.url, [
        {
          ref: 'C7',
          name: 'Dev SG',
          tier: 'developer',
          country: 'SG',
          subs: ['api@SG'],
          contacts: [{ email: 's@c7.example' }],
        },
      ]);
      const ev = await publish({
        eventId: 'e2',
        type: 'suspension.updated',
        scope: {
          products: ['category:hosted-api', 'category:model-weights'],
          regions: ['*'],
          excludeRegions: ['US', 'group:TESTGRP'],
        },
      });
      expect(ev.status).toBe('awaiting_review');
      expect(await noticeLines(t.env.db.url, 'e2')).toEqual([
        'am-digest - jane@vendor.example',
        'restored C2 legal@c2.example',
        'restored C2 ops@c2.example',
        'restored C5 z@c5.example',
        'suspended C7 s@c7.example',
        'updated C1 a@c1.example',
        'updated C4 y@c4.example',
      ]);
      const affected = await api(t.url, 'GET', `/api/v1/cases/${CASE}/affected`, { token: support });
      expect(affected.body.items.map((i: { ref: string }) => i.ref)).toEqual(['C1', 'C4', 'C7']);
    });

    it('license.granted: releases what the licence covers and tells only those customers, with conditions', async () => {
      const ev = await publish({
        eventId: 'e3',
        type: 'license.granted',
        conditions: ['No military end use'],
        scope: { products: ['weights'], regions: ['SG'] },
      });
      expect(ev.status).toBe('awaiting_review');
      expect(await noticeLines(t.env.db.url, 'e3')).toEqual(['license-granted C1 a@c1.example']);
      const row = await withPg(t.env.db.url, (c) =>
        c.query(
          `SELECT affected, removed FROM event_customers ec JOIN events e ON e.id = ec.event_pk WHERE e.event_id = 'e3'`,
        ),
      );
      expect(row.rows[0]).toEqual({
        affected: [{ product: 'api', country: 'DE' }],
        removed: [{ product: 'weights', country: 'SG' }],
      });
    });

    it('license.denied: tells customers whose suspended subscriptions it covers (tier filter), S unchanged', async () => {
      const ev = await publish({
        eventId: 'e4',
        type: 'license.denied',
        scope: { products: ['*'], regions: ['JP', 'SG'], tiers: ['enterprise'] },
      });
      expect(ev.status).toBe('awaiting_review');
      expect(await noticeLines(t.env.db.url, 'e4')).toEqual([
        'am-digest - jane@vendor.example',
        'license-denied C4 y@c4.example',
      ]);
      const c = await api(t.url, 'GET', `/api/v1/cases/${CASE}`, { token: support });
      expect(c.body).toMatchObject({ status: 'open', suspendedCustomers: 3, suspendedSubscriptions: 3 });
    });

    it('suspension.lifted: everyone still suspended is restored and the case closes', async () => {
      const ev = await publish({ eventId: 'e5', type: 'suspension.lifted' });
      expect(ev.status).toBe('awaiting_review');
      expect(await noticeLines(t.env.db.url, 'e5')).toEqual([
        'am-digest - jane@vendor.example',
        'restored C1 a@c1.example',
        'restored C4 y@c4.example',
        'restored C7 s@c7.example',
      ]);
      const c = await api(t.url, 'GET', `/api/v1/cases/${CASE}`, { token: support });
      expect(c.body).toMatchObject({ status: 'closed', suspendedCustomers: 0 });
      expect(c.body.timeline.map((e: { eventId: string }) => e.eventId)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    });

    it('an event that hits nobody completes at once', async () => {
      const ev = await publish({
        eventId: 'e6',
        caseId: 'case-empty',
        type: 'suspension.issued',
        scope: { products: ['code'], regions: ['JP'] },
      });
      expect(ev).toMatchObject({ status: 'completed', customersAffected: 0 });
    });
  },
);
