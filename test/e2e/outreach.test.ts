// The review flow of SPEC §5: a review event waits; preview and test-send; approve sends; pause, resume, cancel, retry-failed.
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';

const N = 90;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outreach control: review, preview, test-send, approve, pause/resume, cancel, retry-failed', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let support: string;
  let admin: string;

  const event = (eventId: string, caseId: string, country: string) => ({
    ...BASE_EVENT,
    eventId,
    caseId,
    type: 'suspension.issued',
    dispatch: 'review',
    scope: { products: ['api'], regions: [country] },
  });
  const post = (path: string, body?: unknown) => api(t.url, 'POST', path, { token: support, body: body ?? {} });
  const status = async (id: string) => (await api(t.url, 'GET', `/api/v1/events/${id}`, { token: support })).body;
  const until = (id: string, s: string) =>
    waitFor(`${id} ${s}`, async () => ((await status(id)).status === s ? status(id) : undefined), 30_000);
  const mailsTo = (suffix: string) => sink.messages.filter((m) => m.envelope.to[0].endsWith(suffix));

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('outreach', {
      env: { SMTP_URL: sink.url, MAIL_RATE_PER_SECOND: '30', RECONCILE_INTERVAL_MS: '200', MAIL_RETRY_BASE_MS: '100' },
    });
    support = (await t.userWithToken('support')).token;
    admin = (await t.userWithToken('admin')).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    for (const country of ['DE', 'FR', 'IT']) {
      await insertCustomers(
        t.env.db.url,
        Array.from({ length: N }, (_, i) => ({
          ref: `${country}-${i}`,
          name: `Customer ${country} ${i}`,
          tier: 'developer' as const,
          country,
          subs: ['api'],
          contacts: [{ email: `c${i}@${country.toLowerCase()}.example` }],
        })),
      );
    }
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('previews, waits for review, test-sends, then sends on approval; pause stops and resume finishes, once each', async () => {
    const preview = await post('/api/v1/events/preview', event('o1', 'ocase-1', 'DE'));
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      accepted: true,
      counts: { customers: N, notices: N, byTier: { developer: N }, byCountry: { DE: N } },
    });
    expect(preview.body.samples.length).toBeGreaterThan(0);
    expect(preview.body.samples[0]).toMatchObject({
      kind: 'suspended',
      tier: 'developer',
      subject: expect.any(String),
    });
    // The preview stored nothing.
    expect((await api(t.url, 'GET', '/api/v1/cases/ocase-1', { token: support })).status).toBe(404);

    expect((await post('/api/v1/events', event('o1', 'ocase-1', 'DE'))).status).toBe(202);
    await waitForEvent(t.url, support, 'o1');
    await sleep(800);
    expect((await status('o1')).status).toBe('awaiting_review');
    expect(mailsTo('@de.example')).toHaveLength(0);

    const test = await post('/api/v1/events/o1/test-send', { email: 'me@vendor.example' });
    expect(test.status).toBe(200);
    expect(test.body.notices).toEqual([
      expect.objectContaining({ kind: 'suspended', tier: 'developer', status: 'sent' }),
    ]);
    const testMail = sink.messages.find((m) => m.envelope.to[0] === 'me@vendor.example')!;
    expect(testMail.subject).toMatch(/TEST/);
    expect(mailsTo('@de.example')).toHaveLength(0);
    expect((await status('o1')).counts.sent).toBe(0);

    expect((await post('/api/v1/events/o1/approve')).body).toMatchObject({ status: 'dispatching', notices: N });
    await waitFor('some mails', async () => mailsTo('@de.example').length >= 20);
    expect((await post('/api/v1/events/o1/pause')).body.status).toBe('paused');
    await sleep(1000);
    const atPause = mailsTo('@de.example').length;
    await sleep(1500);
    expect(mailsTo('@de.example').length).toBe(atPause);
    expect(atPause).toBeLessThan(N);
    const paused = await status('o1');
    expect(paused.counts.sending).toBe(0);
    expect(paused.counts.sent).toBe(atPause);

    expect((await post('/api/v1/events/o1/resume')).body.status).toBe('dispatching');
    await until('o1', 'completed');
    const to = mailsTo('@de.example').map((m) => m.envelope.to[0]);
    expect(new Set(to).size).toBe(N);
    expect(to).toHaveLength(N);
  });

  it('cancel stops the rest: sent stay sent, the others become cancelled', async () => {
    await post('/api/v1/events', event('o2', 'ocase-2', 'FR'));
    await until('o2', 'awaiting_review');
    await post('/api/v1/events/o2/approve');
    await waitFor('some mails', async () => mailsTo('@fr.example').length >= 10);
    const cancel = await post('/api/v1/events/o2/cancel');
    expect(cancel.body.status).toBe('cancelled');
    await sleep(1500);
    const sent = mailsTo('@fr.example').length;
    await sleep(1000);
    expect(mailsTo('@fr.example').length).toBe(sent);
    const s = await status('o2');
    expect(s.counts.sent).toBe(sent);
    expect(s.counts.sent + s.counts.cancelled).toBe(N);
    expect(s.counts.cancelled).toBeGreaterThan(0);
  });

  it('retry-failed resends only the failed notices', async () => {
    sink.rejectRecipient(/^c[0-4]@it\.example$/, 550, '5.1.1 Mailbox unavailable');
    await post('/api/v1/events', { ...event('o3', 'ocase-3', 'IT'), dispatch: 'auto' });
    await until('o3', 'completed');
    expect((await status('o3')).counts).toMatchObject({ sent: N - 5, failed: 5 });
    sink.clear();
    const retry = await post('/api/v1/events/o3/retry-failed');
    expect(retry.body).toMatchObject({ status: 'dispatching', notices: 5 });
    await until('o3', 'completed');
    expect(
      mailsTo('@it.example')
        .map((m) => m.envelope.to[0])
        .sort(),
    ).toEqual(['c0@it.example', 'c1@it.example', 'c2@it.example', 'c3@it.example', 'c4@it.example']);
    expect((await status('o3')).counts).toMatchObject({ sent: N, failed: 0 });
  });

  it('answers 409 with the reason when an action does not apply, and audits every action with its notice count', async () => {
    const res = await post('/api/v1/events/o3/approve');
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      'cannot approve event o3: it is completed; approve applies to awaiting_review events',
    );
    expect((await post('/api/v1/events/o3/retry-failed')).status).toBe(409);
    expect((await post('/api/v1/events/nope/pause')).status).toBe(404);
    const audit = await api(t.url, 'GET', '/api/v1/audit?pageSize=100', { token: admin });
    const actions = audit.body.items.map((a: any) => `${a.action} ${a.target} ${a.details.notices ?? ''}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        `event.approve event:o1 ${N}`,
        'event.pause event:o1 0',
        'event.resume event:o1 0',
        'event.test-send event:o1 1',
        'event.retry-failed event:o3 5',
        expect.stringMatching(/^event.cancel event:o2 \d+$/),
      ]),
    );
    const rows = await withPg(t.env.db.url, (c) =>
      c.query(`SELECT actor_email FROM audit_log WHERE action = 'event.approve'`),
    );
    expect(rows.rows[0].actor_email).toMatch(/^support-/);
  });
});
