import { Client } from 'pg';
import { api, startTestApp, TestApp } from '../support/app';
import { jsonl, snapshot } from '../support/registry-import';

const HEADER =
  'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products\n';

describe('registry over HTTP: catalog, streamed import, customers and account-manager visibility', () => {
  let t: TestApp;
  let admin: { token: string };
  let support: { token: string };
  let jane: { token: string };
  let bob: { token: string };

  beforeAll(async () => {
    t = await startTestApp('registry-api');
    admin = await t.userWithToken('admin');
    support = await t.userWithToken('support');
    jane = await t.userWithToken('account_manager', 'Jane.Doe@Vendor.example', 'Jane Doe');
    bob = await t.userWithToken('account_manager', 'bob@vendor.example', 'Bob');
  });
  afterAll(() => t.close());

  it('ships the built-in region groups: EU (27), EEA (30) and the UN continents', async () => {
    const res = await api(t.url, 'GET', '/api/v1/region-groups?pageSize=100', { token: jane.token });
    expect(res.status).toBe(200);
    const byCode = Object.fromEntries(res.body.items.map((g: any) => [g.code, g]));
    expect(byCode.EU.countries).toHaveLength(27);
    expect(byCode.EU.countries).toEqual(expect.arrayContaining(['DE', 'FR', 'GR', 'HR', 'IE']));
    expect(byCode.EU.countries).not.toContain('GB');
    expect(byCode.EEA.countries).toEqual([...byCode.EU.countries, 'IS', 'LI', 'NO'].sort());
    expect(byCode.EEA.builtin).toBe(true);
    for (const [code, member] of [
      ['AFRICA', 'NG'],
      ['AMERICAS', 'BR'],
      ['ASIA', 'JP'],
      ['EUROPE', 'DE'],
      ['OCEANIA', 'NZ'],
    ]) {
      expect(byCode[code].countries).toContain(member);
    }
    expect(byCode.EUROPE.countries).not.toContain('JP');
  });

  it('PUT products and region groups: support only, validated, audited, replacing a built-in group', async () => {
    const put = (token: string, path: string, body: unknown) => api(t.url, 'PUT', `/api/v1/${path}`, { token, body });
    expect((await put(jane.token, 'products/claude-api', { name: 'Claude API', category: 'hosted-api' })).status).toBe(
      403,
    );
    const bad = await put(support.token, 'products/Bad Code', { name: '', category: 'weights' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: any) => d.field).sort()).toEqual(['category', 'name']);
    expect((await put(support.token, 'products/Bad_Code', { name: 'X', category: 'software' })).status).toBe(400);
    for (const [code, name, category] of [
      ['claude-api', 'Claude API', 'hosted-api'],
      ['claude-code', 'Claude Code', 'software'],
      ['claude-weights', 'Weights', 'model-weights'],
    ]) {
      const res = await put(support.token, `products/${code}`, { name, category });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ code, name, category });
    }
    const renamed = await put(support.token, 'products/claude-weights', {
      name: 'Claude weights',
      category: 'model-weights',
    });
    expect(renamed.body.name).toBe('Claude weights');
    const list = await api(t.url, 'GET', '/api/v1/products', { token: jane.token });
    expect(list.body).toMatchObject({
      total: 3,
      page: 1,
      items: [{ code: 'claude-api' }, { code: 'claude-code' }, { code: 'claude-weights', name: 'Claude weights' }],
    });

    const unknown = await put(support.token, 'region-groups/NORDICS', {
      name: 'Nordics',
      countries: ['DK', 'SE', 'XX'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/XX/);
    expect((await put(support.token, 'region-groups/nordics', { name: 'Nordics', countries: ['DK'] })).status).toBe(
      400,
    );
    const nordics = await put(support.token, 'region-groups/NORDICS', {
      name: 'Nordics',
      countries: ['se', 'DK', 'NO', 'FI', 'IS'],
    });
    expect(nordics.status).toBe(200);
    expect(nordics.body).toEqual({
      code: 'NORDICS',
      name: 'Nordics',
      countries: ['DK', 'FI', 'IS', 'NO', 'SE'],
      builtin: false,
    });
    const eu = await put(support.token, 'region-groups/EU', { name: 'EU (ops)', countries: ['DE', 'FR'] });
    expect(eu.body).toMatchObject({ code: 'EU', countries: ['DE', 'FR'], builtin: false });

    const audit = await api(t.url, 'GET', '/api/v1/audit?pageSize=100', { token: admin.token });
    const actions = audit.body.items.map((i: any) => `${i.action} ${i.target}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'product.create product:claude-api',
        'product.update product:claude-weights',
        'region-group.create region-group:NORDICS',
        'region-group.update region-group:EU',
      ]),
    );
    expect(actions.filter((a: string) => a.startsWith('product.'))).toHaveLength(4);
  });

  it('streams an import of either content type; 422 with the report when invalid; 415 otherwise; support only', async () => {
    const ndjson = jsonl(
      {
        ref: 'J-1',
        name: 'Jane One',
        tier: 'enterprise',
        country: 'DE',
        accountManager: { email: 'jane.doe@vendor.example', name: 'Jane Doe' },
        contacts: [{ email: 'a@j1.example' }],
        subscriptions: [{ product: 'claude-api' }, { product: 'claude-weights', country: 'SG' }],
      },
      {
        ref: 'J-2',
        name: 'Jane Two',
        tier: 'enterprise',
        country: 'FR',
        accountManager: { email: 'JANE.DOE@vendor.example', name: 'Jane Doe' },
        subscriptions: [{ product: 'claude-code' }],
      },
    );
    const csv = `${HEADER}B-1,Bob One,enterprise,US,bob@vendor.example,Bob,x@b1.example,X,en,legal,claude-api\nD-1,Dev One,developer,JP,,,y@d1.example,Y,ja,,claude-code@JP\n`;

    const post = (token: string, body: string, contentType: string, query = '') =>
      api(t.url, 'POST', `/api/v1/registry/import${query}`, { token, body, contentType });
    expect((await post(jane.token, ndjson, 'application/x-ndjson')).status).toBe(403);
    const wrong = await post(support.token, ndjson, 'text/plain');
    expect(wrong.status).toBe(415);
    expect(wrong.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    expect((await post(support.token, '{}', 'application/json')).status).toBe(415);
    expect((await post(support.token, ndjson, 'application/x-ndjson; charset=iso-8859-1')).status).toBe(415);

    // A streamed request body (chunked, no Content-Length) of several chunks.
    const chunks = ndjson.match(/[\s\S]{1,50}/g) as string[];
    const streamed = await fetch(`${t.url}/api/v1/registry/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${support.token}`, 'content-type': 'application/x-ndjson' },
      body: new ReadableStream({
        start(controller) {
          for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(200);
    expect(await streamed.json()).toEqual({
      applied: true,
      dryRun: false,
      mode: 'upsert',
      customers: { created: 2, updated: 0, deactivated: 0 },
      contacts: 1,
      subscriptions: 3,
      errorCount: 0,
      errors: [],
    });

    const viaCsv = await post(support.token, csv, 'text/csv; charset=utf-8');
    expect(viaCsv.status).toBe(200);
    expect(viaCsv.body).toMatchObject({ applied: true, customers: { created: 2 } });

    const before = await snapshot(t.env.db.url);
    const invalid = await post(
      support.token,
      `${HEADER}Z-1,Zed,platinum,DE,,,z@z.example,,,,claude-api\n`,
      'text/csv',
      '?mode=sync',
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({
      applied: false,
      mode: 'sync',
      errorCount: 1,
      errors: [{ line: 2, field: 'tier' }],
    });
    const dry = await post(support.token, ndjson, 'application/x-ndjson', '?mode=sync&dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      applied: false,
      dryRun: true,
      customers: { created: 0, updated: 2, deactivated: 2 },
    });
    expect(await snapshot(t.env.db.url)).toEqual(before);
    expect((await post(support.token, ndjson, 'application/x-ndjson', '?mode=replace')).status).toBe(400);

    const audit = await api(t.url, 'GET', '/api/v1/audit?action=registry.import', { token: admin.token });
    expect(audit.body.total).toBe(4);
    expect(audit.body.items[audit.body.items.length - 1].details).toMatchObject({
      applied: true,
      format: 'jsonl',
      customers: { created: 2 },
    });
  });

  it('searches customers with filters, paged; detail with contacts, subscriptions, cases and notices', async () => {
    const search = (q: string, token = support.token) => api(t.url, 'GET', `/api/v1/customers${q}`, { token });
    const all = await search('');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
    expect(all.body.items.map((c: any) => c.ref)).toEqual(['B-1', 'D-1', 'J-1', 'J-2']);
    expect(all.body.items[2]).toEqual({
      ref: 'J-1',
      name: 'Jane One',
      tier: 'enterprise',
      country: 'DE',
      active: true,
      accountManager: { email: 'jane.doe@vendor.example', name: 'Jane Doe' },
      subscriptions: [
        { product: 'claude-api', country: 'DE' },
        { product: 'claude-weights', country: 'SG' },
      ],
    });
    const refs = async (q: string) => (await search(q)).body.items.map((c: any) => c.ref);
    expect(await refs('?q=one')).toEqual(['B-1', 'D-1', 'J-1']);
    expect(await refs('?q=j-2')).toEqual(['J-2']);
    expect(await refs('?q=%25')).toEqual([]);
    expect(await refs('?tier=developer')).toEqual(['D-1']);
    expect(await refs('?country=fr')).toEqual(['J-2']);
    expect(await refs('?product=claude-weights')).toEqual(['J-1']);
    expect(await refs('?accountManager=Bob@vendor.example')).toEqual(['B-1']);
    const paged = await search('?pageSize=3&page=2');
    expect(paged.body).toMatchObject({ total: 4, page: 2, pageSize: 3, items: [{ ref: 'J-2' }] });
    expect((await search('?tier=gold')).status).toBe(400);

    const detail = await api(t.url, 'GET', '/api/v1/customers/J-1', { token: support.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      ref: 'J-1',
      contacts: [{ email: 'a@j1.example', name: '', locale: 'en', role: null, notices: true }],
      subscriptions: [
        { product: 'claude-api', productName: 'Claude API', category: 'hosted-api', country: 'DE' },
        { product: 'claude-weights', productName: 'Claude weights', category: 'model-weights', country: 'SG' },
      ],
      cases: [],
      notices: [],
    });
    expect((await api(t.url, 'GET', '/api/v1/customers/NOPE', { token: support.token })).status).toBe(404);
  });

  it('shows an account manager only their own customers: others are 404 and lists are filtered', async () => {
    const janeList = await api(t.url, 'GET', '/api/v1/customers', { token: jane.token });
    expect(janeList.body.items.map((c: any) => c.ref)).toEqual(['J-1', 'J-2']);
    expect(janeList.body.total).toBe(2);
    const bobList = await api(t.url, 'GET', '/api/v1/customers?q=one', { token: bob.token });
    expect(bobList.body.items.map((c: any) => c.ref)).toEqual(['B-1']);
    // Asking for someone else's accounts by filter still yields nothing.
    const sneaky = await api(t.url, 'GET', '/api/v1/customers?accountManager=jane.doe@vendor.example', {
      token: bob.token,
    });
    expect(sneaky.body).toMatchObject({ total: 0, items: [] });
    expect((await api(t.url, 'GET', '/api/v1/customers/J-1', { token: jane.token })).status).toBe(200);
    const other = await api(t.url, 'GET', '/api/v1/customers/J-1', { token: bob.token });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'no customer J-1' });
    expect((await api(t.url, 'GET', '/api/v1/customers/D-1', { token: jane.token })).status).toBe(404);
    expect((await api(t.url, 'GET', '/api/v1/customers/D-1', { token: admin.token })).status).toBe(200);
  });

  it('documents the registry routes in the OpenAPI document', async () => {
    const doc = await api(t.url, 'GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/v1/registry/import',
      '/api/v1/customers',
      '/api/v1/customers/{ref}',
      '/api/v1/products/{code}',
      '/api/v1/region-groups/{code}',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('keeps the database constraints: no subscription to an unknown country or product can exist', async () => {
    const pg = new Client({ connectionString: t.env.db.url });
    await pg.connect();
    try {
      const [{ id }] = (await pg.query(`SELECT id FROM customers WHERE ref = 'J-1'`)).rows;
      await expect(
        pg.query(`INSERT INTO subscriptions (customer_id, product, country) VALUES ($1, 'claude-api', 'XX')`, [id]),
      ).rejects.toThrow(/foreign key/);
      await expect(
        pg.query(`INSERT INTO subscriptions (customer_id, product, country) VALUES ($1, 'nope', 'DE')`, [id]),
      ).rejects.toThrow(/foreign key/);
    } finally {
      await pg.end();
    }
  });
});
