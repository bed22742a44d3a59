// End to end: events on the queue → notice rows → mails at a real SMTP server, each contact exactly once.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, eventsQueue, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';

const AM = { email: 'am.jane@vendor.example', name: 'Jane Manager' };

describe('dispatch: localized mails, exactly once, retries and failures', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let queue: Queue;
  let support: string;
  let templates: string;

  const publish = async (e: Record<string, unknown>) => {
    await queue.add('event', { ...BASE_EVENT, dispatch: 'auto', ...e }, { jobId: String(e.eventId) });
    await waitForEvent(t.url, support, String(e.eventId));
    return waitFor(
      `event ${e.eventId} completed`,
      async () => {
        const res = await api(t.url, 'GET', `/api/v1/events/${e.eventId}`, { token: support });
        return res.body.status === 'completed' ? res.body : undefined;
      },
      30_000,
    );
  };
  const notice = (email: string, eventId: string) =>
    withPg(
      t.env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT n.* FROM notices n JOIN events e ON e.id = n.event_pk WHERE n.email = $1 AND e.event_id = $2`,
            [email, eventId],
          )
        ).rows[0],
    );

  beforeAll(async () => {
    sink = await startSmtpSink();
    // A copy of the templates with one deliberately broken template: the English message of license-denied
    // (one set of templates serves every tier and locale now, so the break is in en's catalogue).
    templates = mkdtempSync(join(tmpdir(), 'impact-templates-'));
    cpSync('templates', templates, { recursive: true });
    const en = join(templates, 'messages/en.json');
    writeFileSync(
      en,
      JSON.stringify({
        ...JSON.parse(readFileSync(en, 'utf8')),
        'license-denied.intro': '{productCount, plural, broken',
      }),
    );
    t = await startTestApp('dispatch', {
      env: {
        SMTP_URL: sink.url,
        MAIL_RETRY_BASE_MS: '100',
        RECONCILE_INTERVAL_MS: '200',
        MAIL_MAX_ATTEMPTS: '3',
        TEMPLATES_DIR: templates,
        SUPPORT_EMAIL: 'help@vendor.example',
      },
    });
    support = (await t.userWithToken('support')).token;
    queue = eventsQueue(t.env.prefix);
    await insertProducts(t.env.db.url, [
      ['api', 'Hosted API', 'hosted-api'],
      ['weights', 'Open weights', 'model-weights'],
    ]);
    await insertCustomers(t.env.db.url, [
      {
        ref: 'D-EN',
        name: 'English Dev',
        tier: 'developer',
        country: 'GB',
        subs: ['api'],
        contacts: [{ email: 'en@d.example' }],
      },
      {
        ref: 'D-DE',
        name: 'Deutsche GmbH',
        tier: 'enterprise',
        country: 'DE',
        am: AM,
        subs: ['api', 'weights@FR'],
        contacts: [
          { email: 'de@d.example', locale: 'de' },
          { email: 'legal@d.example', locale: 'fr' },
        ],
      },
      {
        ref: 'D-JA',
        name: '日本株式会社',
        tier: 'enterprise',
        country: 'JP',
        am: AM,
        subs: ['api'],
        contacts: [{ email: 'ja@d.example', locale: 'ja' }],
      },
      {
        ref: 'D-PT',
        name: 'Brasil Ltda',
        tier: 'developer',
        country: 'BR',
        subs: ['api'],
        contacts: [{ email: 'pt@d.example', locale: 'pt-BR', name: 'Evil\r\nBcc: victim@evil.example' }],
      },
      {
        ref: 'D-XSS',
        name: '<script>alert(1)</script>',
        tier: 'developer',
        country: 'US',
        subs: ['api@CA'],
        contacts: [{ email: 'xss@d.example' }],
      },
      {
        ref: 'D-RETRY',
        name: 'Retry Co',
        tier: 'developer',
        country: 'SG',
        subs: ['weights'],
        contacts: [{ email: 'retry@d.example' }],
      },
    ]);
  });
  afterAll(async () => {
    await queue.close();
    await t.close();
    await sink.close();
  });

  it('mails every contact exactly once, in their language, with the right headers and Reply-To', async () => {
    const ev = await publish({
      eventId: 'd1',
      caseId: 'dcase',
      type: 'suspension.issued',
      scope: { products: ['api'], regions: ['*'] },
    });
    expect(ev.counts).toMatchObject({ sent: 7, failed: 0, pending: 0 });
    const to = sink.messages.map((m) => m.envelope.to.join(',')).sort();
    expect(to).toEqual([
      'am.jane@vendor.example',
      'de@d.example',
      'en@d.example',
      'ja@d.example',
      'legal@d.example',
      'pt@d.example',
      'xss@d.example',
    ]);
    const by = (addr: string) => sink.messages.find((m) => m.envelope.to.includes(addr))!;

    expect(by('de@d.example').html).toContain('Deutschland');
    expect(by('legal@d.example').html).toContain('Allemagne');
    expect(by('ja@d.example').html).toContain('日本');
    expect(by('pt@d.example').html).toContain('Brasil'); // pt-BR reads the pt catalogue (it fell back to English before pt shipped)
    for (const m of sink.messages) {
      expect(m.header('x-case-id')).toBe('dcase');
      expect(m.header('x-event-id')).toBe('d1');
      expect(m.messageId).toMatch(/^<notice-\d+@vendor\.example>$/);
    }
    expect(by('de@d.example').header('x-notice-kind')).toBe('suspended');
    expect(by('de@d.example').header('x-customer-ref')).toBe('D-DE');
    expect(by('de@d.example').header('reply-to')).toContain(AM.email);
    expect(by('de@d.example').html).toContain(AM.name);
    expect(by('en@d.example').header('reply-to')).toContain('help@vendor.example');
    const digest = by(AM.email);
    expect(digest.header('x-notice-kind')).toBe('am-digest');
    expect(digest.header('x-customer-ref')).toBeUndefined();
    expect(digest.html).toContain('D-DE');
    expect(digest.html).toContain('D-JA');
    expect(digest.html).not.toContain('D-EN');
  });

  it('escapes markup from the registry and never lets a name add a header or a recipient', () => {
    const xss = sink.messages.find((m) => m.envelope.to.includes('xss@d.example'))!;
    expect(xss.html).not.toContain('<script>alert(1)</script>');
    expect(xss.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const pt = sink.messages.find((m) => m.envelope.to.includes('pt@d.example'))!;
    expect(pt.envelope.to).toEqual(['pt@d.example']);
    expect(pt.header('bcc')).toBeUndefined();
    expect(pt.raw.toString('latin1')).not.toMatch(/^Bcc:/im);
    expect(sink.messages.every((m) => m.envelope.to.length === 1)).toBe(true);
  });

  it('retries a 451 and sends the identical Message-ID; fails a 550 at once with the reply kept', async () => {
    sink.clear();
    sink.reply('data', 451, '4.3.0 Try again later');
    await publish({
      eventId: 'd2',
      caseId: 'rcase',
      type: 'suspension.issued',
      scope: { products: ['weights'], regions: ['SG'] },
    });
    const retried = await notice('retry@d.example', 'd2');
    expect(retried).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = sink.transactions.filter((x) => x.message.envelope.to.includes('retry@d.example'));
    expect(attempts.map((a) => a.reply.code)).toEqual([451, 250]);
    expect(attempts[0].message.messageId).toBe(attempts[1].message.messageId);

    sink.clear();
    sink.rejectRecipient('retry@d.example', 550, '5.1.1 No such user');
    await publish({ eventId: 'd3', caseId: 'rcase', type: 'suspension.lifted' });
    const failed = await notice('retry@d.example', 'd3');
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_code: 550 });
    expect(failed.last_reply).toMatch(/No such user/);
  });

  it('fails the notices of a broken template with the error and sends nothing for them', async () => {
    sink.clear();
    await publish({
      eventId: 'd4',
      caseId: 'dcase',
      type: 'license.denied',
      scope: { products: ['api'], regions: ['GB', 'DE'] },
    });
    const broken = await notice('en@d.example', 'd4');
    expect(broken.status).toBe('failed');
    expect(broken.last_reply).toMatch(/license-denied\.intro/);
    expect(sink.messages.some((m) => m.envelope.to.includes('en@d.example'))).toBe(false);
    // The German and French catalogues are fine: those contacts got theirs.
    expect(sink.messages.filter((m) => m.header('x-notice-kind') === 'license-denied').length).toBe(2);
  });
});
