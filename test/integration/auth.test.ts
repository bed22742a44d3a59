import { Client } from 'pg';
import { AUTH_FAILURES_ALLOWED } from '../../src/auth/auth.guard';
import { api, startTestApp, TestApp } from '../support/app';

describe('auth: tokens, roles and audit', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  let support: { id: string; token: string };
  let am: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp('auth');
    admin = await t.userWithToken('admin');
    support = await t.userWithToken('support');
    am = await t.userWithToken('account_manager');
  });
  afterAll(() => t.close());

  it('answers 401 without a token or with an unknown one', async () => {
    const none = await api(t.url, 'GET', '/api/v1/audit');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/Bearer/) });
    const bad = await api(t.url, 'GET', '/api/v1/audit', { token: 'imp_' + 'x'.repeat(43) });
    expect(bad.status).toBe(401);
  });

  it('lets only admins reach admin routes: 403 for support and account managers', async () => {
    for (const [who, token, status] of [
      ['admin', admin.token, 200],
      ['support', support.token, 403],
      ['account_manager', am.token, 403],
    ] as const) {
      const res = await api(t.url, 'GET', '/api/v1/audit', { token });
      expect({ who, status: res.status }).toEqual({ who, status });
    }
    const create = await api(t.url, 'POST', '/api/v1/users', {
      token: support.token,
      body: { email: 'x@vendor.example', name: 'X', role: 'support' },
    });
    expect(create.status).toBe(403);
    expect(create.body.message).toMatch(/needs the admin role/);
  });

  it('creates a user and a token that works, is stored only as a hash, and stops working once revoked', async () => {
    const created = await api(t.url, 'POST', '/api/v1/users', {
      token: admin.token,
      body: { email: 'New.Person@Vendor.example', name: 'New Person', role: 'admin' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      email: 'new.person@vendor.example',
      name: 'New Person',
      role: 'admin',
    });

    const tok = await api(t.url, 'POST', `/api/v1/users/${created.body.id}/tokens`, { token: admin.token, body: {} });
    expect(tok.status).toBe(201);
    expect(tok.body.token).toMatch(/^imp_[A-Za-z0-9_-]{43}$/);
    expect((await api(t.url, 'GET', '/api/v1/audit', { token: tok.body.token })).status).toBe(200);

    const pg = new Client({ connectionString: t.env.db.url });
    await pg.connect();
    try {
      const rows = await pg.query('SELECT token_hash, last_used_at FROM api_tokens WHERE id = $1', [tok.body.id]);
      expect(rows.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows.rows[0].last_used_at).not.toBeNull();
      const dump = await pg.query(
        `SELECT count(*)::int AS n FROM api_tokens WHERE row_to_json(api_tokens)::text LIKE '%' || $1 || '%'`,
        [tok.body.token.slice(4, 30)],
      );
      expect(dump.rows[0].n).toBe(0);
    } finally {
      await pg.end();
    }

    const del = await api(t.url, 'DELETE', `/api/v1/tokens/${tok.body.id}`, { token: admin.token });
    expect(del.status).toBe(204);
    expect((await api(t.url, 'GET', '/api/v1/audit', { token: tok.body.token })).status).toBe(401);
    expect((await api(t.url, 'DELETE', `/api/v1/tokens/${tok.body.id}`, { token: admin.token })).status).toBe(404);

    const audit = await api(t.url, 'GET', '/api/v1/audit?pageSize=100', { token: admin.token });
    const actions = audit.body.items.map((i: { action: string }) => i.action);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'token.create', 'token.revoke']));
    expect(audit.body).toMatchObject({ page: 1, pageSize: 100, total: expect.any(Number) });
  });

  it('rejects bad input with every field error and unknown fields', async () => {
    const res = await api(t.url, 'POST', '/api/v1/users', {
      token: admin.token,
      body: { email: 'nope', name: '', role: 'boss', extra: 1 },
    });
    expect(res.status).toBe(400);
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'extra', 'name', 'role']));
  });

  it('throttles repeated failed authentication from one address', async () => {
    let last = 0;
    for (let i = 0; i < AUTH_FAILURES_ALLOWED + 2; i++) {
      last = (await api(t.url, 'GET', '/api/v1/audit', { token: 'imp_wrong' })).status;
    }
    expect(last).toBe(429);
  });

  it('serves /health without a token', async () => {
    const res = await api(t.url, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.info).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });
});
