// Told, not just sent (SPEC §4): each provider's documented bounce and complaint payload ends the notice, suppresses the
// address, keeps the next event's notice from going out, and leaves the customer unreached when it had no other contact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOUNCE_PARSERS } from '../../src/notices/feedback/providers';
import { SnsConfirmer } from '../../src/notices/feedback/sns-confirmer';
import type { BounceType, WebhookProvider } from '../../src/notices/feedback/feedback.types';
import { api, startTestApp, type TestApp } from '../support/app';
import { BASE_EVENT, postEventAndWait } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const TOKEN = 'bounce-token-for-tests-0123456789';
const FIXTURES = join(__dirname, '..', 'fixtures', 'bounces');

interface Fixture {
  provider: WebhookProvider;
  file: string;
  contentType: string;
}

const FIXTURE_LIST: Fixture[] = [
  { provider: 'ses', file: 'ses/sns-notification-bounce.txt', contentType: 'text/plain; charset=UTF-8' },
  { provider: 'ses', file: 'ses/sns-notification-complaint.txt', contentType: 'text/plain; charset=UTF-8' },
  { provider: 'postmark', file: 'postmark/bounce-hard.json', contentType: 'application/json' },
  { provider: 'postmark', file: 'postmark/bounce-soft-with-dump.json', contentType: 'application/json' },
  { provider: 'postmark', file: 'postmark/spam-complaint.json', contentType: 'application/json' },
  { provider: 'sendgrid', file: 'sendgrid/batch-for-notice-1003.json', contentType: 'application/json' },
  { provider: 'mailgun', file: 'mailgun/failed-permanent-for-notice-1004.json', contentType: 'application/json' },
  { provider: 'mailgun', file: 'mailgun/complained.json', contentType: 'application/json' },
];

/** A fixture with each reported address replaced by one of this test's own, so every fixture has its own customers. */
interface Prepared extends Fixture {
  body: string;
  /** alias → the report type the fixture carries for it */
  addresses: Map<string, BounceType>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function prepare(f: Fixture, i: number): Prepared {
  let body = readFileSync(join(FIXTURES, f.file), 'utf8');
  const parsed = BOUNCE_PARSERS[f.provider].parse(body, f.contentType);
  if (parsed.kind !== 'reports') throw new Error(`${f.file} reports nothing`);
  const addresses = new Map<string, BounceType>();
  [...new Set(parsed.reports.map((r) => r.email.toLowerCase()))].forEach((email, k) => {
    const alias = `f${i}-${k}@bounce.example`;
    body = body.replace(new RegExp(escape(email), 'gi'), alias);
    // A batch may hold a soft bounce and then a hard one for the same address: the strongest decides the outcome.
    const types = parsed.reports.filter((r) => r.email.toLowerCase() === email).map((r) => r.type);
    const type = types.includes('hard') ? 'hard' : types.includes('complaint') ? 'complaint' : 'soft';
    addresses.set(alias, type);
  });
  return { ...f, body, addresses };
}

describe('bounces, complaints and suppression through the providers’ webhooks', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let support: string;
  const fixtures = FIXTURE_LIST.map(prepare);
  const aliases = fixtures.flatMap((f) => [...f.addresses.keys()]);

  const post = (provider: string, body: string, contentType: string, token: string | null = TOKEN) =>
    api(t.url, 'POST', `/webhooks/bounces/${provider}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`, {
      body,
      contentType,
    });
  const rows = (sql: string, params: unknown[] = []) =>
    withPg(t.env.db.url, async (c) => (await c.query(sql, params)).rows);
  const noticeOf = async (email: string, eventId: string) =>
    (
      await rows(
        `SELECT n.id::text, n.status, n.soft_bounces, n.feedback_reason FROM notices n JOIN events e ON e.id = n.event_pk
          WHERE n.email = $1 AND e.event_id = $2`,
        [email, eventId],
      )
    )[0];
  const publish = (eventId: string, extra: Record<string, unknown>) =>
    postEventAndWait(t.url, support, { ...BASE_EVENT, eventId, dispatch: 'auto', ...extra });

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('bounces', {
      env: { SMTP_URL: sink.url, RECONCILE_INTERVAL_MS: '200', BOUNCE_WEBHOOK_TOKEN: TOKEN },
    });
    support = (await t.userWithToken('support')).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(t.env.db.url, [
      ...aliases.map((email, i) => ({
        ref: `B-${i}`,
        name: `Bounce customer ${i}`,
        tier: 'developer' as const,
        country: 'DE',
        subs: ['api'],
        contacts: [{ email }],
      })),
      // Its first contact bounces, its second is fine: reached all the same.
      {
        ref: 'B-TWO',
        name: 'Two contacts',
        tier: 'enterprise' as const,
        country: 'DE',
        subs: ['api'],
        contacts: [{ email: 'dead@two.example' }, { email: 'alive@two.example' }],
      },
    ]);
    await publish('bounce-e1', {
      caseId: 'bounce-case',
      type: 'suspension.issued',
      scope: { products: ['api'], regions: ['DE'] },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('refuses a missing or wrong token (401), an unknown provider (404) and an unreadable payload (400), changing nothing', async () => {
    const f = fixtures[0];
    expect((await post(f.provider, f.body, f.contentType, null)).status).toBe(401);
    expect((await post(f.provider, f.body, f.contentType, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await post(f.provider, f.body, f.contentType, `${TOKEN}x`)).status).toBe(401);
    expect((await post('smtp2go', f.body, f.contentType)).status).toBe(404);
    for (const [provider, body, type] of [
      ['ses', '{"Type":"Notification","Message":"{not json"}', 'text/plain'],
      ['postmark', 'not json at all', 'application/json'],
      ['sendgrid', '{"event":"bounce"}', 'application/json'],
      ['mailgun', '\u0000\u0001binary', 'application/octet-stream'],
    ]) {
      const res = await post(provider, body, type);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^${provider} payload: `));
    }
    expect(await rows(`SELECT count(*)::int AS n FROM feedback_reports`)).toEqual([{ n: 0 }]);
    expect(await rows(`SELECT count(*)::int AS n FROM suppressions`)).toEqual([{ n: 0 }]);
    expect(await rows(`SELECT DISTINCT status FROM notices`)).toEqual([{ status: 'sent' }]);
  });

  it('confirms an SNS subscription only for a SubscribeURL of Amazon SNS', async () => {
    const confirm = jest.spyOn(t.app.get(SnsConfirmer), 'confirm').mockResolvedValue(true);
    const body = readFileSync(join(FIXTURES, 'ses/sns-subscription-confirmation.txt'), 'utf8');
    const ok = await post('ses', body, 'text/plain; charset=UTF-8');
    expect(ok.status).toBe(200);
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(confirm.mock.calls[0][0]).toMatch(/^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com\//);
    const evil = body.replace(/https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com/, 'http://169.254.169.254');
    expect((await post('ses', evil, 'text/plain')).status).toBe(400);
    expect(confirm).toHaveBeenCalledTimes(1);
    confirm.mockResolvedValue(false);
    expect((await post('ses', body, 'text/plain')).status).toBe(502);
    confirm.mockRestore();
  });

  it('each fixture ends the notice it reports (found by our Message-ID, or the latest sent), and a repeat changes nothing', async () => {
    for (const f of fixtures) {
      let body = f.body;
      // Fixtures that carry one of our Message-IDs name the notice to the (one) address they report.
      const [first] = [...f.addresses.keys()];
      const n = await noticeOf(first, 'bounce-e1');
      body = body.replace(/notice-100\d@vendor\.example/g, `notice-${n.id}@vendor.example`);
      const res = await post(f.provider, body, f.contentType);
      expect({ file: f.file, status: res.status }).toEqual({ file: f.file, status: 200 });
      expect(res.body.duplicates).toBe(0);
      const again = await post(f.provider, body, f.contentType);
      expect(again.status).toBe(200);
      expect(again.body.duplicates).toBe(again.body.received);
      expect(again.body.applied + again.body.suppressed).toBe(0);
    }
    for (const f of fixtures) {
      for (const [alias, type] of f.addresses) {
        const n = await noticeOf(alias, 'bounce-e1');
        const suppressed = (await rows(`SELECT source FROM suppressions WHERE email = $1`, [alias]))[0];
        if (type === 'soft') {
          expect({ alias, status: n.status, soft: n.soft_bounces, suppressed }).toEqual({
            alias,
            status: 'sent',
            soft: 1,
            suppressed: undefined,
          });
        } else {
          expect({ alias, status: n.status, source: suppressed?.source }).toEqual({
            alias,
            status: type === 'hard' ? 'bounced' : 'complained',
            source: f.provider,
          });
        }
      }
    }
  });

  it('an address no notice went to is recorded and ignored', async () => {
    const res = await api(t.url, 'POST', '/api/v1/bounces', {
      token: support,
      body: { email: 'nobody@nowhere.example', type: 'hard' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, unknown: 1, suppressed: 0 });
    expect(await rows(`SELECT outcome FROM feedback_reports WHERE email = 'nobody@nowhere.example'`)).toEqual([
      { outcome: 'unknown' },
    ]);
    expect(await rows(`SELECT * FROM suppressions WHERE email = 'nobody@nowhere.example'`)).toEqual([]);
  });

  it('the generic intake takes our Message-ID with or without <>, and checks its fields', async () => {
    const n = await noticeOf('dead@two.example', 'bounce-e1');
    const bad = await api(t.url, 'POST', '/api/v1/bounces', {
      token: support,
      body: { email: 'not-an-address', type: 'bouncy' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/email must be an email address/);
    expect(JSON.stringify(bad.body)).toMatch(/type must be one of hard, soft, complaint/);
    const res = await api(t.url, 'POST', '/api/v1/bounces', {
      token: support,
      body: {
        email: 'dead@two.example',
        type: 'hard',
        messageId: `<notice-${n.id}@vendor.example>`,
        reason: '550 5.1.1 no such user',
      },
    });
    expect(res.body).toMatchObject({ received: 1, applied: 1, suppressed: 1 });
    expect((await noticeOf('dead@two.example', 'bounce-e1')).status).toBe('bounced');
    const audit = await api(t.url, 'GET', '/api/v1/audit?action=suppression.add', {
      token: (await t.userWithToken('admin')).token,
    });
    expect(audit.body.items.map((a: { target: string }) => a.target)).toContain('dead@two.example');
  });

  it('the next event’s notices to suppressed addresses are stored suppressed and never sent; their customers are unreached', async () => {
    const before = sink.messages.length;
    const e2 = await publish('bounce-e2', {
      caseId: 'bounce-case-2',
      type: 'suspension.issued',
      scope: { products: ['api'], regions: ['DE'] },
    });
    const hardOrComplaint = fixtures.flatMap((f) =>
      [...f.addresses].filter(([, type]) => type !== 'soft').map(([a]) => a),
    );
    expect(hardOrComplaint.length).toBeGreaterThanOrEqual(6);
    const received = sink.messages.slice(before).map((m) => m.envelope.to[0]);
    for (const alias of [...hardOrComplaint, 'dead@two.example']) {
      expect({ alias, status: (await noticeOf(alias, 'bounce-e2')).status }).toEqual({ alias, status: 'suppressed' });
      expect(received).not.toContain(alias);
    }
    expect(received).toContain('alive@two.example');
    expect(e2.counts.suppressed).toBe(hardOrComplaint.length + 1);
    expect(e2.counts.sent).toBe(aliases.length - hardOrComplaint.length + 1);

    const unreached = await api(
      t.url,
      'GET',
      '/api/v1/events/bounce-e2/affected?deliveryStatus=unreached&pageSize=500',
      { token: support },
    );
    expect(unreached.status).toBe(200);
    const refs = unreached.body.items.map((c: { ref: string }) => c.ref).sort();
    const expected = hardOrComplaint.map((a) => `B-${aliases.indexOf(a)}`).sort();
    expect(refs).toEqual(expected);
    expect(unreached.body.total).toBe(expected.length);
    const csv = await api(t.url, 'GET', '/api/v1/events/bounce-e2/affected?deliveryStatus=unreached&format=csv', {
      token: support,
    });
    expect(csv.status).toBe(200);
    expect(String(csv.body).trim().split('\n')).toHaveLength(expected.length + 1);
  });

  it('support lists, adds and removes suppressions (audited); a removed address is mailed again', async () => {
    const list = await api(t.url, 'GET', '/api/v1/suppressions?q=bounce.example&pageSize=100', { token: support });
    expect(list.status).toBe(200);
    expect(list.body.total).toBeGreaterThanOrEqual(6);
    expect(list.body.items[0]).toEqual(
      expect.objectContaining({ email: expect.stringMatching(/@bounce\.example$/), reason: expect.any(String) }),
    );
    const added = await api(t.url, 'POST', '/api/v1/suppressions', {
      token: support,
      body: { email: 'Alive@Two.example', reason: 'asked to stop' },
    });
    expect(added.body).toEqual({ email: 'alive@two.example', added: true });
    expect(
      (
        await api(t.url, 'POST', '/api/v1/suppressions', {
          token: support,
          body: { email: 'alive@two.example', reason: 'again' },
        })
      ).body.added,
    ).toBe(false);
    const target = hardOrComplaintFirst();
    const removed = await api(t.url, 'DELETE', `/api/v1/suppressions/${encodeURIComponent(target)}`, {
      token: support,
    });
    expect(removed.status).toBe(200);
    expect(
      (await api(t.url, 'DELETE', `/api/v1/suppressions/${encodeURIComponent(target)}`, { token: support })).status,
    ).toBe(404);
    const am = await t.userWithToken('account_manager');
    expect((await api(t.url, 'GET', '/api/v1/suppressions', { token: am.token })).status).toBe(403);

    const before = sink.messages.length;
    await publish('bounce-e3', {
      caseId: 'bounce-case-3',
      type: 'suspension.issued',
      scope: { products: ['api'], regions: ['DE'] },
    });
    const received = sink.messages.slice(before).map((m) => m.envelope.to[0]);
    expect(received).toContain(target);
    expect(received).not.toContain('alive@two.example');
  });

  function hardOrComplaintFirst(): string {
    return fixtures.flatMap((f) => [...f.addresses].filter(([, type]) => type === 'hard').map(([a]) => a))[0];
  }
});
