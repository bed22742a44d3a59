// Bad HTTP input: unknown fields (whitelist), oversized bodies, wrong types, SQL metacharacters in every list filter,
// and tokens that never reach a log line of the built service.
import { api, startTestApp, TestApp } from '../support/app';
import { freePort, kill, waitForOutput } from '../support/faults';
import { insertCustomers, insertProducts, withPg, type FixtureCustomer } from '../support/registry-fixture';
import { spawnService, waitFor } from '../support/service-process';
import { hashToken } from '../../src/auth/token-secret';

// Names hold the metacharacters, so a `q` search for one of them has an honest answer of exactly one customer.
const CUSTOMERS: FixtureCustomer[] = [
  {
    ref: 'M-1',
    name: `O'Brien "Quotes"; -- Ltd`,
    tier: 'enterprise',
    country: 'DE',
    am: { email: "o'brien@vendor.example", name: 'Ann' },
    contacts: [{ email: 'ops@m1.example' }],
    subs: ['api@DE', 'weights@FR'],
  },
  {
    ref: 'M-2',
    name: '100% Müller_GmbH',
    tier: 'developer',
    country: 'FR',
    contacts: [{ email: 'ops@m2.example' }],
    subs: ['api@FR'],
  },
  {
    ref: 'M-3',
    name: 'Back\\slash $1 日本',
    tier: 'developer',
    country: 'JP',
    contacts: [{ email: 'ops@m3.example' }],
    subs: ['weights@JP'],
  },
  {
    ref: 'M-4',
    name: 'Plain Corp',
    tier: 'enterprise',
    country: 'FR',
    am: { email: 'bob@vendor.example', name: 'Bob' },
    contacts: [{ email: 'a@m4.example' }, { email: 'b@m4.example' }],
    subs: ['api@FR'],
  },
];

const NASTY = [
  `'`,
  `"`,
  ';',
  '--',
  '%',
  '_',
  '\\',
  `' OR 1=1 --`,
  `' OR '1'='1`,
  '$1',
  '%_%',
  'ü',
  '日本',
  '🙂',
  '\u0000',
  "o'brien@vendor.example",
];

type Item = Record<string, any>;
const has = (s: unknown, v: string) => typeof s === 'string' && s.toLowerCase().includes(v.toLowerCase());
const subsHave = (key: 'product' | 'country') => (i: Item, v: string) =>
  (i.subscriptions as { product: string; country: string }[]).some((s) => s[key] === v);

/** A filter either takes only enum values (anything else is a 400), or keeps the items an honest filter keeps. */
type Filter = { name: string; enum: true } | { name: string; keep: (item: Item, v: string) => boolean };

const affectedFilters: Filter[] = [
  { name: 'tier', enum: true },
  { name: 'country', keep: subsHave('country') },
  { name: 'product', keep: subsHave('product') },
  { name: 'accountManager', keep: (i, v) => i.accountManager?.email === v.toLowerCase() },
  { name: 'deliveryStatus', enum: true },
  { name: 'q', keep: (i, v) => has(i.ref, v) || has(i.name, v) },
  { name: 'sort', enum: true },
];

describe('faults: bad HTTP input', () => {
  let t: TestApp;
  let admin: string;
  let support: string;

  beforeAll(async () => {
    t = await startTestApp('faults-bad-http');
    admin = (await t.userWithToken('admin')).token;
    support = (await t.userWithToken('support')).token;
    await insertProducts(t.env.db.url, [
      ['api', 'Hosted API', 'hosted-api'],
      ['weights', 'Weights', 'model-weights'],
    ]);
    await insertCustomers(t.env.db.url, CUSTOMERS);
    const ev = {
      eventId: 'ev-1',
      caseId: 'case-1',
      type: 'suspension.issued',
      occurredAt: '2026-11-26T09:00:00Z',
      title: 'Exports halted',
      summary: 'Plain text.',
      scope: { products: ['*'], regions: ['*'] },
      dispatch: 'review',
    };
    expect((await api(t.url, 'POST', '/api/v1/events', { token: support, body: ev })).status).toBe(202);
    await waitFor('event ev-1 awaiting review', async () => {
      const r = await api(t.url, 'GET', '/api/v1/events/ev-1', { token: support });
      return r.body.status === 'awaiting_review';
    });
  });
  afterAll(() => t.close());

  describe('unknown fields are rejected by the whitelist, naming the field', () => {
    it('POST /users', async () => {
      const email = 'intruder@vendor.example';
      const res = await api(t.url, 'POST', '/api/v1/users', {
        token: admin,
        body: { email, name: 'I', role: 'support', isAdmin: true },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/isAdmin/);
      const rows = await withPg(t.env.db.url, (c) => c.query(`SELECT 1 FROM users WHERE email = $1`, [email]));
      expect(rows.rowCount).toBe(0);
    });

    it('PUT /products/:code', async () => {
      const res = await api(t.url, 'PUT', '/api/v1/products/api', {
        token: support,
        body: { name: 'Renamed', category: 'software', price: 10 },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/price/);
      const rows = await withPg(t.env.db.url, (c) => c.query(`SELECT name, category FROM products WHERE code = 'api'`));
      expect(rows.rows).toEqual([{ name: 'Hosted API', category: 'hosted-api' }]);
    });

    it('POST /events/:id/test-send', async () => {
      const res = await api(t.url, 'POST', '/api/v1/events/ev-1/test-send', {
        token: support,
        body: { email: 'me@vendor.example', bcc: 'everyone@elsewhere.example' },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/bcc/);
    });

    it('an unknown query parameter', async () => {
      const res = await api(t.url, 'GET', '/api/v1/customers?admin=1', { token: support });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/admin/);
    });
  });

  describe('oversized bodies', () => {
    it('a 2 MB JSON event is a 413 in the JSON error shape', async () => {
      const body = JSON.stringify({ eventId: 'big-1', summary: 'x'.repeat(2 * 1024 * 1024) });
      const res = await api(t.url, 'POST', '/api/v1/events', { token: support, body });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      const rows = await withPg(t.env.db.url, (c) => c.query(`SELECT 1 FROM events WHERE event_id = 'big-1'`));
      expect(rows.rowCount).toBe(0);
    });

    // The import streams, so its whole body has no limit; each line (or CSV record) has one.
    it.each([
      [
        'application/x-ndjson',
        2,
        `{"ref":"OK-1","name":"Ok","tier":"developer","country":"FR"}\n{"ref":"BIG","name":"${'x'.repeat(2 * 1024 * 1024)}","tier":"developer","country":"FR"}\n`,
      ],
      ['text/csv', 3, `ref,name,tier,country\nOK-1,Ok,developer,FR\nBIG,"${'x,\n'.repeat(700 * 1024)}",developer,FR\n`],
    ])('a 2 MB line of %s in a registry import is reported as too long, nothing applied', async (type, line, body) => {
      const res = await api(t.url, 'POST', '/api/v1/registry/import', { token: support, body, contentType: type });
      expect(res.status).toBe(422);
      expect(res.body.applied).toBe(false);
      expect(res.body.errors).toContainEqual({
        line,
        field: '',
        message: expect.stringMatching(/too long|longer than 1 MB/),
      });
      const rows = await withPg(t.env.db.url, (c) => c.query(`SELECT ref FROM customers WHERE ref IN ('OK-1', 'BIG')`));
      expect(rows.rowCount).toBe(0);
    });
  });

  describe('wrong types are a 400 naming the parameter', () => {
    const cases: [string, RegExp][] = [
      ['page=abc', /page/],
      ['page=0', /page/],
      ['page=1.5', /page/],
      ['pageSize=100000', /pageSize/],
      ['pageSize=-1', /pageSize/],
      ['tier=vip', /tier/],
      ['q[]=a&q[]=b', /q/],
      ['q[x]=a', /q/],
    ];
    it.each(cases)('%s', async (query, field) => {
      for (const path of ['/api/v1/customers', '/api/v1/events/ev-1/affected', '/api/v1/cases/case-1/affected']) {
        const res = await api(t.url, 'GET', `${path}?${query}`, { token: support });
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.body.message).toMatch(field);
      }
    });
  });

  describe('SQL metacharacters in every filter of every list route', () => {
    const routes: { path: string; key: string; admin?: boolean; filters: Filter[] }[] = [
      {
        path: '/api/v1/events',
        key: 'eventId',
        filters: [
          { name: 'caseId', keep: (i, v) => i.caseId === v },
          { name: 'type', enum: true },
          { name: 'status', enum: true },
        ],
      },
      { path: '/api/v1/events/ev-1/affected', key: 'ref', filters: affectedFilters },
      {
        path: '/api/v1/events/ev-1/notices',
        key: 'id',
        filters: [
          { name: 'status', enum: true },
          { name: 'kind', enum: true },
          { name: 'q', keep: (i, v) => has(i.email, v) || has(i.customerRef, v) },
        ],
      },
      { path: '/api/v1/cases/case-1/affected', key: 'ref', filters: affectedFilters },
      {
        path: '/api/v1/customers',
        key: 'ref',
        filters: [
          { name: 'q', keep: (i, v) => has(i.ref, v) || has(i.name, v) },
          { name: 'tier', enum: true },
          { name: 'country', keep: (i, v) => i.country === v.trim().toUpperCase() },
          { name: 'product', keep: subsHave('product') },
          { name: 'accountManager', keep: (i, v) => i.accountManager?.email === v.trim().toLowerCase() },
        ],
      },
      { path: '/api/v1/audit', key: 'id', admin: true, filters: [{ name: 'action', keep: (i, v) => i.action === v }] },
    ];

    it.each(routes.map((r) => [r.path, r] as const))('%s', async (_path, route) => {
      const token = route.admin ? admin : support;
      const all = await api(t.url, 'GET', `${route.path}?pageSize=500`, { token });
      expect(all.status).toBe(200);
      expect(all.body.items.length).toBeGreaterThan(0);
      expect(all.body.total).toBe(all.body.items.length);
      const seen: string[] = [];
      for (const f of route.filters) {
        for (const v of NASTY) {
          const res = await api(t.url, 'GET', `${route.path}?pageSize=500&${f.name}=${encodeURIComponent(v)}`, {
            token,
          });
          const what = `${route.path}?${f.name}=${JSON.stringify(v)}`;
          if ('enum' in f) {
            expect([what, res.status]).toEqual([what, 400]);
            continue;
          }
          expect([what, res.status === 200 || res.status === 400 ? 'ok' : res.status]).toEqual([what, 'ok']);
          if (res.status !== 200) continue;
          const honest = (all.body.items as Item[]).filter((i) => f.keep(i, v)).map((i) => String(i[route.key]));
          const got = (res.body.items as Item[]).map((i) => String(i[route.key]));
          expect([what, res.body.total, got.sort()]).toEqual([what, honest.length, honest.sort()]);
          if (honest.length) seen.push(what);
        }
      }
      // The data is laid out so that some metacharacter filters must find rows: a broken escape would show.
      if (route.filters.some((f) => f.name === 'q')) expect(seen.length).toBeGreaterThan(0);
    });
  });

  it.each(['/api/v1/events/%s', '/api/v1/events/%s/affected', '/api/v1/cases/%s', '/api/v1/customers/%s'])(
    'SQL metacharacters in the path of %s are a 404 or a 400',
    async (pattern) => {
      for (const v of NASTY) {
        const what = pattern.replace('%s', JSON.stringify(v));
        const res = await api(t.url, 'GET', pattern.replace('%s', encodeURIComponent(v)), { token: support });
        expect([what, res.status === 404 || res.status === 400 ? 'ok' : res.status]).toEqual([what, 'ok']);
      }
    },
  );

  describe('tokens never reach the logs', () => {
    it('of the built service, at LOG_LEVEL=info: neither the token nor its hash', async () => {
      const { token } = await t.userWithToken('support');
      const wrong = `imp_${'A'.repeat(43)}`;
      const port = await freePort();
      const p = spawnService({ ...t.env.env, APP_ROLE: 'api', PORT: String(port), LOG_LEVEL: 'info' });
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitFor(
          'service up',
          async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200,
          30_000,
        );
        expect((await api(base, 'GET', '/api/v1/events', { token })).status).toBe(200);
        expect((await api(base, 'GET', '/api/v1/events', { token: wrong })).status).toBe(401);
        expect((await api(base, 'GET', `/api/v1/events?token=${token}`)).status).toBe(401);
        expect((await api(base, 'GET', `/api/v1/events?page=1&token=${token}`, { token })).status).toBe(400);
        expect((await api(base, 'GET', `/events?TOKEN=${token}`)).status).toBeLessThan(500);
        expect((await api(base, 'GET', `/login?next=%2Fevents&token=${token}`)).status).toBe(200);
        await waitForOutput(p, /\?page=1&token=\[redacted\]/);
      } finally {
        await kill(p, 'SIGTERM');
      }
      const out = p.output();
      expect(out).toMatch(/"url":"\/api\/v1\/events/); // requests were logged at all
      for (const secret of [token, wrong, hashToken(token), hashToken(wrong)]) {
        expect(out.split('\n').filter((l) => l.includes(secret))).toEqual([]);
      }
    });
  });
});
