// End to end: customers' webhook endpoints set through the API and told of every event of a case by signed
// deliveries that a receiver verifies with standardwebhooks, retried with the same webhook-id; what GET shows.
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { startWebhookTestApp, type WebhookTestApp } from '../support/webhook-app';
import { webLogin } from '../support/webhook-receiver';

const AM = { email: 'am.hook@vendor.example', name: 'Hook Manager' };
const CASE = 'wh-case';

describe('webhooks: signed deliveries per event and customer, retried with the same id', () => {
  let w: WebhookTestApp;
  const call = (method: string, path: string, body?: unknown, token?: string) => w.call(method, path, body, token);
  const setHook = (ref: string, path: string) => w.setHook(ref, path);
  const publish = (e: Record<string, unknown>, status?: string) => w.publish(e, status);
  const deliveries = (ref: string) => w.deliveries(ref);
  const event = (eventId: string, type: string, extra: Record<string, unknown> = {}) =>
    w.event(eventId, CASE, type, extra);

  beforeAll(async () => {
    w = await startWebhookTestApp('webhooks');
    await insertProducts(w.t.env.db.url, [
      ['api', 'Hosted API', 'hosted-api'],
      ['code', 'Code', 'software'],
    ]);
    await insertCustomers(w.t.env.db.url, [
      {
        ref: 'HOOK-1',
        name: 'Hooked AG',
        tier: 'enterprise',
        country: 'DE',
        am: AM,
        subs: ['api', 'api@FR', 'code'],
        contacts: [{ email: 'ops@hook1.example' }, { email: 'legal@hook1.example', locale: 'de' }],
      },
      { ref: 'HOOK-0', name: 'No Contacts Ltd', tier: 'enterprise', country: 'FR', subs: ['code'], contacts: [] },
      {
        ref: 'HANG-1',
        name: 'Slow Receiver SA',
        tier: 'developer',
        country: 'FR',
        subs: ['api'],
        contacts: [{ email: 'dev@hang.example' }],
      },
      {
        ref: 'PLAIN-1',
        name: 'Mail Only GmbH',
        tier: 'developer',
        country: 'DE',
        subs: ['api'],
        contacts: [{ email: 'dev@plain.example' }],
      },
    ]);
    // Every delivery to /hook-1 is refused once, then accepted; /hang never answers its first call.
    w.hooks.answers.set('/hook-1', (nth) => (nth === 1 ? 500 : 200));
    w.hooks.answers.set('/hang', (nth) => (nth === 1 ? 'hang' : 200));
  });
  afterAll(() => w.close());

  it('tells each customer with an endpoint once per event, verified by the receiver, the same webhook-id on the retry', async () => {
    const hook1 = await setHook('HOOK-1', '/hook-1');
    expect(hook1).toEqual({
      url: `${w.hooks.url}/hook-1`,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    await setHook('HOOK-0', '/hook-0');
    await setHook('HANG-1', '/hang');

    const issued = await publish(
      event('wh-1', 'suspension.issued', { scope: { products: ['api', 'code'], regions: ['DE', 'FR'] } }),
    );
    expect(issued.webhooks).toEqual({ pending: 0, sending: 0, sent: 3, retrying: 0, failed: 0, cancelled: 0 });
    await publish(
      event('wh-2', 'suspension.updated', {
        occurredAt: '2026-11-27T10:00:00Z',
        scope: { products: ['api'], regions: ['DE', 'FR'] },
      }),
    );
    await publish(
      event('wh-3', 'license.granted', {
        occurredAt: '2026-11-28T10:00:00Z',
        scope: { products: ['api'], regions: ['FR'] },
        conditions: ['No military end users.', 'Quarterly usage reports.'],
      }),
    );
    await publish(event('wh-4', 'suspension.lifted', { occurredAt: '2026-11-29T10:00:00Z' }));

    // Every request verified; each delivery was refused once and accepted once, with one webhook-id.
    expect(w.hooks.received.filter((r) => r.verifyError)).toEqual([]);
    const toHook1 = w.hooks.received.filter((r) => r.path === '/hook-1');
    expect(toHook1.map((r) => r.answer)).toEqual([500, 200, 500, 200, 500, 200, 500, 200]);
    for (let i = 0; i < toHook1.length; i += 2) {
      expect(toHook1[i + 1].id).toBe(toHook1[i].id);
      expect(toHook1[i].id).toMatch(/^whd_\d+$/);
    }
    expect(new Set(toHook1.map((r) => r.id)).size).toBe(4);
    const accepted = w.hooks.accepted('/hook-1').map((r) => r.verified as any);
    expect(accepted.map((p) => [p.type, p.eventId])).toEqual([
      ['notice.suspended', 'wh-1'],
      ['notice.updated', 'wh-2'],
      ['notice.license-granted', 'wh-3'],
      ['notice.restored', 'wh-4'],
    ]);
    expect(accepted[0]).toEqual({
      type: 'notice.suspended',
      caseId: CASE,
      eventId: 'wh-1',
      occurredAt: '2026-11-26T09:00:00.000Z',
      customer: { ref: 'HOOK-1' },
      suspended: [
        { product: 'api', country: 'DE' },
        { product: 'api', country: 'FR' },
        { product: 'code', country: 'DE' },
      ],
      added: [
        { product: 'api', country: 'DE' },
        { product: 'api', country: 'FR' },
        { product: 'code', country: 'DE' },
      ],
      removed: [],
      conditions: [],
      statusUrl: expect.stringMatching(new RegExp(`/status/${CASE}/c/[^/?]+$`)),
    });
    expect(accepted[1]).toMatchObject({ removed: [{ product: 'code', country: 'DE' }], added: [] });
    expect(accepted[1].suspended).toEqual([
      { product: 'api', country: 'DE' },
      { product: 'api', country: 'FR' },
    ]);
    expect(accepted[2]).toMatchObject({
      suspended: [{ product: 'api', country: 'DE' }],
      removed: [{ product: 'api', country: 'FR' }],
      conditions: ['No military end users.', 'Quarterly usage reports.'],
    });
    expect(accepted[3]).toMatchObject({ suspended: [], removed: [{ product: 'api', country: 'DE' }], conditions: [] });
    // The customer's own status page for the case, the link its mails carry.
    expect(new Set(accepted.map((p) => p.statusUrl)).size).toBe(1);
    const mail = w.sink.messages.find((m) => m.envelope.to[0] === 'ops@hook1.example')!;
    expect(mail.text).toContain(accepted[0].statusUrl);

    // One delivery per event and customer, not per contact (HOOK-1 has two contacts, HOOK-0 none).
    const rows = await deliveries('HOOK-1');
    expect(rows.map((d) => [d.event_id, d.kind, d.status, d.attempts, d.last_code])).toEqual([
      ['wh-1', 'suspended', 'sent', 2, 200],
      ['wh-2', 'updated', 'sent', 2, 200],
      ['wh-3', 'license-granted', 'sent', 2, 200],
      ['wh-4', 'restored', 'sent', 2, 200],
    ]);
    expect(w.sink.messages.filter((m) => m.envelope.to[0].endsWith('@hook1.example'))).toHaveLength(8);
    // HOOK-0 has no contacts: told by its webhook only, suspended by wh-1 and restored by wh-2's narrower scope.
    expect(w.hooks.accepted('/hook-0').map((r) => (r.verified as any).type)).toEqual([
      'notice.suspended',
      'notice.restored',
    ]);
    expect((await deliveries('PLAIN-1')).length).toBe(0);
  });

  it('times out a receiver that hangs and delivers on the retry', async () => {
    const toHang = w.hooks.received.filter((r) => r.path === '/hang' && (r.verified as any).eventId === 'wh-1');
    expect(toHang.map((r) => r.answer)).toEqual(['hang', 200]);
    expect(toHang[1].id).toBe(toHang[0].id);
    const [first] = await deliveries('HANG-1');
    expect(first).toMatchObject({ event_id: 'wh-1', status: 'sent', attempts: 2, last_code: 200 });
  });

  it('shows the endpoint and its latest deliveries to support and its own account manager, never the secret', async () => {
    const am = (await w.t.userWithToken('account_manager', AM.email)).token;
    const other = (await w.t.userWithToken('account_manager', 'someone.else@vendor.example')).token;
    const view = await call('GET', '/api/v1/customers/HOOK-1/webhook');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ url: `${w.hooks.url}/hook-1`, createdAt: expect.any(String) });
    expect(view.body.deliveries.map((d: any) => [d.eventId, d.kind, d.status, d.attempts, d.lastCode])).toEqual([
      ['wh-4', 'restored', 'sent', 2, 200],
      ['wh-3', 'license-granted', 'sent', 2, 200],
      ['wh-2', 'updated', 'sent', 2, 200],
      ['wh-1', 'suspended', 'sent', 2, 200],
    ]);
    expect(view.body.deliveries[0]).toEqual({
      eventId: 'wh-4',
      kind: 'restored',
      status: 'sent',
      attempts: 2,
      lastCode: 200,
      lastReply: 'HTTP 200: thanks',
      updatedAt: expect.any(String),
      sentAt: expect.any(String),
    });
    expect(JSON.stringify(view.body)).not.toContain('whsec_');
    expect((await call('GET', '/api/v1/customers/HOOK-1/webhook', undefined, am)).body.url).toBe(
      `${w.hooks.url}/hook-1`,
    );
    expect((await call('GET', '/api/v1/customers/HOOK-1/webhook', undefined, other)).status).toBe(404);
    expect((await call('PUT', '/api/v1/customers/HOOK-1/webhook', { url: `${w.hooks.url}/x` }, am)).status).toBe(403);
    expect((await call('GET', '/api/v1/customers/PLAIN-1/webhook')).status).toBe(404);
    expect((await call('GET', '/api/v1/customers/NOPE/webhook')).status).toBe(404);

    const page = await fetch(`${w.t.url}/customers/HOOK-1`, {
      headers: { cookie: await webLogin(w.t.url, w.support) },
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<h2>Webhook</h2>');
    expect(html).toContain(`${w.hooks.url}/hook-1`);
    expect(html).toContain('HTTP 200: thanks');
    expect(html).not.toContain('whsec_');
  });

  it('refuses a URL that is no webhook URL with a 400 naming the field, and rotates the secret on every PUT', async () => {
    const bad = await call('PUT', '/api/v1/customers/HOOK-1/webhook', { url: 'ftp://w.hooks.example.com/' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      message: 'url: webhook URL scheme "ftp:" is not allowed; use https or http',
      details: [{ field: 'url', message: 'webhook URL scheme "ftp:" is not allowed; use https or http' }],
    });
    expect((await call('PUT', '/api/v1/customers/HOOK-1/webhook', {})).status).toBe(400);
    expect((await call('PUT', '/api/v1/customers/NOPE/webhook', { url: `${w.hooks.url}/x` })).status).toBe(404);
    const before = w.hooks.secrets.get('/hook-1');
    const again = await setHook('HOOK-1', '/hook-1');
    expect(again.secret).not.toBe(before);
    const audit = await withPg(
      w.t.env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT action, target, details::text AS details FROM audit_log WHERE action LIKE 'customer.webhook.%' ORDER BY id`,
          )
        ).rows,
    );
    expect(audit.map((a) => `${a.action} ${a.target}`)).toEqual([
      'customer.webhook.set customer:HOOK-1',
      'customer.webhook.set customer:HOOK-0',
      'customer.webhook.set customer:HANG-1',
      'customer.webhook.set customer:HOOK-1',
    ]);
    expect(audit.some((a) => a.details.includes('whsec_'))).toBe(false);
  });
});
