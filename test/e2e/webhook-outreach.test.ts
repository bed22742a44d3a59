// End to end: support's controls over webhook deliveries (cancel, retry-failed), the reconciler re-creating their
// work from PostgreSQL, a redirect that is not followed, and an endpoint removed.
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { startWebhookTestApp, type WebhookTestApp } from '../support/webhook-app';
import { guardConnects } from '../support/webhook-receiver';

describe('webhooks: cancel, retry-failed, reconciler, redirects, removal', () => {
  let w: WebhookTestApp;
  const guard = guardConnects();
  const call = (method: string, path: string, body?: unknown, token?: string) => w.call(method, path, body, token);
  const setHook = (ref: string, path: string) => w.setHook(ref, path);
  const until = (eventId: string, status: string) => w.until(eventId, status);
  const publish = (e: Record<string, unknown>, status?: string) => w.publish(e, status);
  const deliveries = (ref: string) => w.deliveries(ref);
  const event = (eventId: string, caseId: string, extra: Record<string, unknown> = {}) =>
    w.event(eventId, caseId, 'suspension.issued', { scope: { products: ['code'], regions: ['FR'] }, ...extra });

  beforeAll(async () => {
    w = await startWebhookTestApp('webhook-outreach');
    await insertProducts(w.t.env.db.url, [['code', 'Code', 'software']]);
    // No contacts: every event of these tests tells HOOK-0 by its webhook only.
    await insertCustomers(w.t.env.db.url, [
      { ref: 'HOOK-0', name: 'No Contacts Ltd', tier: 'enterprise', country: 'FR', subs: ['code'], contacts: [] },
    ]);
  });
  afterAll(async () => {
    await w.close();
    guard.restore();
  });

  it('does not follow a redirect: a 302 is a failed attempt and its target is never connected to', async () => {
    w.hooks.answers.set('/redirect', () => ({
      status: 302,
      headers: { location: 'http://169.254.169.254/latest/meta-data/' },
    }));
    await setHook('HOOK-0', '/redirect');
    guard.connects.length = 0;
    await publish(event('wh-r1', 'wh-redirect'));
    const [d] = (await deliveries('HOOK-0')).filter((r) => r.event_id === 'wh-r1');
    expect(d).toMatchObject({ status: 'failed', attempts: 3, last_code: 302, last_reply: 'HTTP 302' });
    expect(w.hooks.received.filter((r) => r.path === '/redirect')).toHaveLength(3);
    expect(guard.connects.filter((a) => a.startsWith('169.254'))).toEqual([]);
  });

  it('cancel stops deliveries not sent yet; retry-failed sends failed ones again', async () => {
    // Awaiting review: the delivery waits as pending, and a cancel ends it cancelled.
    await publish(
      {
        ...event('wh-c1', 'wh-cancel'),
        dispatch: 'review',
      },
      'awaiting_review',
    );
    expect((await call('GET', '/api/v1/events/wh-c1')).body.webhooks).toMatchObject({ pending: 1 });
    const cancel = await call('POST', '/api/v1/events/wh-c1/cancel');
    expect(cancel.body).toMatchObject({ status: 'cancelled', webhooks: 1 });
    expect((await call('GET', '/api/v1/events/wh-c1')).body.webhooks).toEqual({
      pending: 0,
      sending: 0,
      sent: 0,
      retrying: 0,
      failed: 0,
      cancelled: 1,
    });
    const requests = w.hooks.received.length;

    // A receiver down for every attempt: failed after MAIL_MAX_ATTEMPTS; once it is back, retry-failed delivers.
    w.hooks.answers.set('/redirect', () => 503);
    const failed = await publish(event('wh-f1', 'wh-fail'));
    expect(failed.webhooks).toMatchObject({ failed: 1, sent: 0 });
    expect(w.hooks.received.slice(requests).map((r) => r.answer)).toEqual([503, 503, 503]);
    w.hooks.answers.set('/redirect', () => 200);
    const retry = await call('POST', '/api/v1/events/wh-f1/retry-failed');
    expect(retry.body).toMatchObject({ status: 'dispatching', notices: 0, webhooks: 1 });
    expect((await until('wh-f1', 'completed')).webhooks).toMatchObject({ failed: 0, sent: 1 });
    const last = w.hooks.received.at(-1)!;
    expect((last.verified as any).eventId).toBe('wh-f1');
    expect(w.hooks.received.slice(requests).every((r) => r.id === last.id)).toBe(true);
  });

  it('re-creates webhook work from PostgreSQL when the queue holds none (Redis lost)', async () => {
    await publish(
      {
        ...event('wh-q1', 'wh-queue'),
        dispatch: 'review',
      },
      'awaiting_review',
    );
    // Dispatching with no pump job anywhere, as after Redis lost the jobs of an approval: only the reconciler's
    // pass over PostgreSQL can start the webhook pumps again.
    await withPg(w.t.env.db.url, (c) => c.query(`UPDATE events SET status = 'dispatching' WHERE event_id = 'wh-q1'`));
    const done = await until('wh-q1', 'completed');
    expect(done.webhooks).toMatchObject({ sent: 1, pending: 0 });
    expect(w.hooks.accepted('/redirect').some((r) => (r.verified as any).eventId === 'wh-q1')).toBe(true);
  });

  it('removes the endpoint: 204, then 404; an event after it plans no delivery', async () => {
    expect((await call('DELETE', '/api/v1/customers/HOOK-0/webhook')).status).toBe(204);
    expect((await call('DELETE', '/api/v1/customers/HOOK-0/webhook')).status).toBe(404);
    expect((await call('GET', '/api/v1/customers/HOOK-0/webhook')).status).toBe(404);
    const done = await publish(event('wh-d1', 'wh-deleted'));
    expect(done.webhooks.sent + done.webhooks.pending).toBe(0);
    expect((await deliveries('HOOK-0')).some((d) => d.event_id === 'wh-d1')).toBe(false);
  });
});
