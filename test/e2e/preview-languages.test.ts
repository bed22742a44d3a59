// Preview in any language (issue 14): the dry run lists the languages the event's contacts read, with counts, and
// renders its samples in a chosen locale (falling back like a contact's); the event page offers the same.
import { api, startTestApp, type TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts } from '../support/registry-fixture';

describe('previews in a chosen language', () => {
  let t: TestApp;
  let support: string;
  const event = {
    ...BASE_EVENT,
    eventId: 'pl-1',
    caseId: 'pl-case',
    type: 'suspension.issued',
    scope: { products: ['api'], regions: ['*'] },
  };

  beforeAll(async () => {
    t = await startTestApp('preview-languages');
    support = (await t.userWithToken('support')).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(t.env.db.url, [
      {
        ref: 'P-1',
        name: 'Uno SA',
        tier: 'developer',
        country: 'ES',
        subs: ['api'],
        contacts: [
          { email: 'a@p.example', locale: 'es' },
          { email: 'b@p.example', locale: 'es-MX' },
        ],
      },
      {
        ref: 'P-2',
        name: 'Dois Ltda',
        tier: 'enterprise',
        country: 'BR',
        am: { email: 'am@vendor.example', name: 'AM' },
        subs: ['api'],
        contacts: [{ email: 'c@p.example', locale: 'pt-BR' }],
      },
      {
        ref: 'P-3',
        name: 'Three Ltd',
        tier: 'developer',
        country: 'GB',
        subs: ['api'],
        contacts: [{ email: 'd@p.example', locale: 'tlh' }],
      },
    ]);
  });
  afterAll(async () => t?.close());

  it('lists the contacts’ languages with counts and the catalogue each is written from', async () => {
    const res = await api(t.url, 'POST', '/api/v1/events/preview', { token: support, body: event });
    expect(res.status).toBe(200);
    expect(res.body.locales).toEqual([
      { locale: 'es', notices: 1, catalogue: 'es' },
      { locale: 'es-MX', notices: 1, catalogue: 'es' },
      { locale: 'pt-BR', notices: 1, catalogue: 'pt' },
      { locale: 'tlh', notices: 1, catalogue: 'en' },
    ]);
    // Without a locale: one sample per kind × tier × contact locale, each in its own catalogue.
    const own = res.body.samples.filter((s: { kind: string }) => s.kind !== 'am-digest');
    expect(own.map((s: { locale: string; templateLocale: string }) => [s.locale, s.templateLocale]).sort()).toEqual([
      ['es', 'es'],
      ['es-MX', 'es'],
      ['pt-BR', 'pt'],
      ['tlh', 'en'],
    ]);
  });

  it('renders every kind × tier in the chosen language', async () => {
    const ja = await api(t.url, 'POST', '/api/v1/events/preview?locale=ja', { token: support, body: event });
    expect(ja.status).toBe(200);
    const samples = ja.body.samples as {
      kind: string;
      tier: string | null;
      templateLocale: string;
      subject: string;
      html: string;
    }[];
    expect(samples.map((s) => `${s.kind}/${s.tier}`).sort()).toEqual([
      'am-digest/null',
      'suspended/developer',
      'suspended/enterprise',
    ]);
    for (const s of samples) {
      expect(s.templateLocale).toBe('ja');
      expect(s.html).toContain('<html lang="ja"');
    }
    const ar = await api(t.url, 'POST', '/api/v1/events/preview?locale=ar-SA', { token: support, body: event });
    expect(
      ar.body.samples.every(
        (s: { templateLocale: string; html: string }) => s.templateLocale === 'ar' && s.html.includes('dir="rtl"'),
      ),
    ).toBe(true);
    const zh = await api(t.url, 'POST', '/api/v1/events/preview?locale=zh-TW', { token: support, body: event });
    expect(zh.body.samples[0].templateLocale).toBe('zh-Hant');
    const bad = await api(t.url, 'POST', '/api/v1/events/preview?locale=../../etc', { token: support, body: event });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/locale must be a BCP 47 language tag/);
  });

  it('the event page renders its previews in the chosen language', async () => {
    const res = await api(t.url, 'POST', '/api/v1/events', { token: support, body: event });
    expect(res.status).toBe(202);
    await waitForEvent(t.url, support, 'pl-1');
    // Log in as a browser would: the form's CSRF token and cookie, then the session cookie.
    const form = await fetch(`${t.url}/login`);
    const csrfCookies = form.headers.getSetCookie().map((c) => c.split(';')[0]);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
    const login = await fetch(`${t.url}/login`, {
      method: 'POST',
      headers: { cookie: csrfCookies.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: support, _csrf: csrf }),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const cookie = [...csrfCookies, ...login.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
    const page = await (await fetch(`${t.url}/events/pl-1?previewLocale=de`, { headers: { cookie } })).text();
    expect(page).toContain('rendered in <strong>de</strong>');
    expect(page).toMatch(/<option value="pt-BR">pt-BR · 1 notice\(s\) \(written in pt\)<\/option>/);
    expect(page).toContain('template de');
    expect(page).not.toContain('template es');
  });
});
