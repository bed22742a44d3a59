// End to end: one real dispatch to contacts of many languages; each mail is read from the SMTP sink for its
// Content-Language, its words, its direction, and what a hostile customer name became.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Handlebars from 'handlebars';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, eventsQueue, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { SinkMessage, SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { compileMessage } from '../../src/notices/rendering/notice-renderer.messages';

const HOSTILE = '<script>alert(1)</script>\r\nBcc: victim@evil.example';
/** The name as the notice shows it: one line, the CR/LF gone. */
const ONE_LINE = '<script>alert(1)</script> Bcc: victim@evil.example';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt; Bcc: victim@evil.example';

// contact locale → the catalogue that must answer, and Germany (the destination) in CLDR's words for it.
const CASES = [
  { locale: 'es', catalogue: 'es', germany: 'Alemania' },
  { locale: 'pt-BR', catalogue: 'pt', germany: 'Alemanha' },
  { locale: 'zh-TW', catalogue: 'zh-Hant', germany: '德國' },
  { locale: 'ar', catalogue: 'ar', germany: 'ألمانيا' },
  { locale: 'he', catalogue: 'he', germany: 'גרמניה' },
  { locale: 'xx-YY', catalogue: 'en', germany: 'Germany' },
  { locale: 'tlh', catalogue: 'en', germany: 'Germany' },
];
const RTL = ['ar', 'he'];
const addressOf = (locale: string) => `c-${locale.toLowerCase()}@lang.example`;
const catalogue = (locale: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'templates', 'messages', `${locale}.json`), 'utf8')) as Record<
    string,
    string
  >;

describe('languages: one dispatch, every contact in its own language', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let queue: Queue;
  let support: string;
  const mail = (locale: string): SinkMessage => sink.messages.find((m) => m.envelope.to.includes(addressOf(locale)))!;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('languages', { env: { SMTP_URL: sink.url, RECONCILE_INTERVAL_MS: '200' } });
    support = (await t.userWithToken('support')).token;
    queue = eventsQueue(t.env.prefix);
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(t.env.db.url, [
      {
        ref: 'L-1',
        name: HOSTILE,
        tier: 'developer',
        country: 'DE',
        subs: ['api'],
        contacts: CASES.map((c, i) => ({
          email: addressOf(c.locale),
          locale: c.locale,
          name: i === 0 ? HOSTILE : `Contact ${c.locale}`,
        })),
      },
    ]);
    await queue.add(
      'event',
      {
        ...BASE_EVENT,
        eventId: 'lang-1',
        caseId: 'lang-case',
        type: 'suspension.issued',
        dispatch: 'auto',
        scope: { products: ['api'], regions: ['*'] },
      },
      { jobId: 'lang-1' },
    );
    await waitForEvent(t.url, support, 'lang-1');
    await waitFor(
      'event lang-1 completed',
      async () => {
        const res = await api(t.url, 'GET', '/api/v1/events/lang-1', { token: support });
        return res.body.status === 'completed' ? res.body : undefined;
      },
      30_000,
    );
  });
  afterAll(async () => {
    await queue.close();
    await t.close();
    await sink.close();
  });

  it('sends one mail per contact', () => {
    expect(sink.messages.map((m) => m.envelope.to).sort()).toEqual(CASES.map((c) => [addressOf(c.locale)]).sort());
  });

  it.each(CASES)(
    '$locale reads the $catalogue catalogue, says so in Content-Language, in its words',
    ({ locale, catalogue: used, germany }) => {
      const m = mail(locale);
      const messages = catalogue(used);
      expect(m.header('content-language')).toBe(used);
      const subject = compileMessage(messages['suspended.subject'], used, used).text!({
        customer: ONE_LINE,
        title: BASE_EVENT.title,
      });
      expect(m.subject).toBe(subject);
      if (used !== 'en')
        expect(m.subject).not.toBe(
          compileMessage(catalogue('en')['suspended.subject'], 'en', 'en').text!({
            customer: ONE_LINE,
            title: BASE_EVENT.title,
          }),
        );
      for (const part of [m.html!, m.text!]) expect(part).toContain(germany);
      expect(m.html).toContain(Handlebars.escapeExpression(messages['suspended.heading']));
      expect(m.text).toContain(messages['suspended.heading']);
      expect(m.text!).toContain(messages['layout.footer']);
    },
  );

  it.each(CASES)('$locale is written right to left exactly when its language is', ({ locale, catalogue: used }) => {
    const rtl = RTL.includes(used);
    expect(mail(locale).html).toMatch(
      new RegExp(`<html lang="${locale === 'xx-YY' || locale === 'tlh' ? 'en' : locale}" dir="${rtl ? 'rtl' : 'ltr'}"`),
    );
    expect(mail(locale).html!.includes('dir="rtl"')).toBe(rtl);
  });

  it.each(CASES)('$locale shows the hostile name as text and never lets it add a header', ({ locale }) => {
    const m = mail(locale);
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain(ESCAPED);
    expect(m.text).toContain(ONE_LINE);
    expect(m.subject).toContain(ONE_LINE);
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.header('bcc')).toBeUndefined();
    const head = m.raw.toString('latin1').split('\r\n\r\n')[0];
    expect(head).not.toMatch(/^Bcc:/im);
    expect(m.envelope.to).toEqual([addressOf(locale)]);
  });
});
