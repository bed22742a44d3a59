// Webhook targets a production deployment (WEBHOOK_ALLOW_PRIVATE unset) refuses: when set, and at delivery time, when
// a stored name now resolves to a private address (DNS rebinding): the call is refused before connecting, and retried.
import dns from 'node:dns';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { guardConnects } from '../support/webhook-receiver';

const REBOUND = 'hooks.customer.test';

describe('webhook targets without WEBHOOK_ALLOW_PRIVATE', () => {
  let t: TestApp;
  let support: string;
  const guard = guardConnects();
  const lookups: string[] = [];
  const realLookup = dns.lookup;

  const webhookOf = async (ref: string) =>
    (await api(t.url, 'GET', `/api/v1/customers/${ref}/webhook`, { token: support })).body;

  beforeAll(async () => {
    // The customer's name resolves to a private address now (it may have been public when the URL was set). Installed
    // before the app starts, so its connect-time check wraps this resolver as it would wrap the system's.
    jest.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: unknown, callback: unknown) => {
      if (hostname !== REBOUND) return (realLookup as any)(hostname, options, callback);
      lookups.push(hostname);
      const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      setImmediate(() => (all ? cb(null, [{ address: '10.0.0.7', family: 4 }]) : cb(null, '10.0.0.7', 4)));
    }) as typeof dns.lookup);
    t = await startTestApp('webhook-targets', {
      env: { MAIL_RETRY_BASE_MS: '400', MAIL_MAX_ATTEMPTS: '3', RECONCILE_INTERVAL_MS: '200' },
    });
    support = (await t.userWithToken('support')).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(t.env.db.url, [
      { ref: 'REBIND-1', name: 'Rebound Corp', tier: 'enterprise', country: 'DE', subs: ['api'], contacts: [] },
    ]);
  });
  afterAll(async () => {
    await t.close();
    jest.restoreAllMocks();
    guard.restore();
  });

  it.each([
    ['ftp://hooks.example.com/in', 'webhook URL scheme "ftp:" is not allowed; use https'],
    ['http://hooks.example.com/in', 'webhook URL scheme "http:" is not allowed; use https'],
    ['https://127.0.0.1/in', 'webhook URL host 127.0.0.1 is not a public address (loopback)'],
    ['https://10.0.0.1/in', 'webhook URL host 10.0.0.1 is not a public address (private)'],
    [
      'https://169.254.169.254/latest/meta-data/',
      'webhook URL host 169.254.169.254 is not a public address (link-local)',
    ],
    ['https://[::1]/in', 'webhook URL host [::1] is not a public address (loopback)'],
    ['https://localhost/in', 'webhook URL host localhost is not a public address (loopback name)'],
  ])('PUT refuses %s with 400 and stores nothing', async (url, reason) => {
    const res = await api(t.url, 'PUT', '/api/v1/customers/REBIND-1/webhook', { token: support, body: { url } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `url: ${reason}`,
      details: [{ field: 'url', message: reason }],
    });
    expect((await api(t.url, 'GET', '/api/v1/customers/REBIND-1/webhook', { token: support })).status).toBe(404);
  });

  it('refuses, at connect time, a stored name that now resolves to a private address: retrying with the reason, then failed', async () => {
    const put = await api(t.url, 'PUT', '/api/v1/customers/REBIND-1/webhook', {
      token: support,
      body: { url: `https://${REBOUND}/in` },
    });
    expect(put.status).toBe(200);
    guard.connects.length = 0;
    const e = {
      ...BASE_EVENT,
      eventId: 'rb-1',
      caseId: 'rb-case',
      type: 'suspension.issued',
      dispatch: 'auto',
      scope: { products: ['api'], regions: ['DE'] },
    };
    expect((await api(t.url, 'POST', '/api/v1/events', { token: support, body: e })).status).toBe(202);
    await waitForEvent(t.url, support, 'rb-1');
    const reason = `refused to connect to ${REBOUND} (10.0.0.7): not a public address (private)`;
    const retrying = await waitFor('a retrying delivery', async () => {
      const d = (await webhookOf('REBIND-1')).deliveries?.[0];
      return d?.status === 'retrying' ? d : undefined;
    });
    expect(retrying).toMatchObject({ eventId: 'rb-1', attempts: 1, lastCode: null, lastReply: reason });
    const failed = await waitFor(
      'a failed delivery',
      async () => {
        const d = (await webhookOf('REBIND-1')).deliveries?.[0];
        return d?.status === 'failed' ? d : undefined;
      },
      20_000,
    );
    expect(failed).toMatchObject({ attempts: 3, lastCode: null, lastReply: reason, sentAt: null });
    const event = await waitFor('the event completed', async () => {
      const res = await api(t.url, 'GET', '/api/v1/events/rb-1', { token: support });
      return res.body.status === 'completed' ? res.body : undefined;
    });
    expect(event.webhooks).toEqual({ pending: 0, sending: 0, sent: 0, retrying: 0, failed: 1, cancelled: 0 });
    // Resolved on every attempt, never connected to.
    expect(lookups.length).toBeGreaterThanOrEqual(3);
    expect(guard.connects.filter((a) => a === '10.0.0.7')).toEqual([]);
  });
});
