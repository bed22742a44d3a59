// A customer's own status link (SPEC §4), followed from a received notice after several events of a case: what of theirs
// is suspended now, what each event changed for them, nothing of anyone else; forged links are 404, floods are 429.
import { startTestApp, type TestApp } from '../support/app';
import { BASE_EVENT, postEventAndWait } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const CASE = 'status-case';

describe("a customer's own status link", () => {
  let t: TestApp;
  let sink: SmtpSink;
  let support: string;
  let linkA: string;

  const publish = (eventId: string, extra: Record<string, unknown>) =>
    postEventAndWait(t.url, support, { ...BASE_EVENT, eventId, caseId: CASE, dispatch: 'auto', ...extra });
  const linkIn = (text: string | null) => {
    const m = /https?:\/\/\S+\/status\/[^\s/]+\/c\/[A-Za-z0-9_.-]+(\?lang=[A-Za-z-]+)?/.exec(text ?? '');
    if (!m) throw new Error(`no status link in:\n${text}`);
    return m[0];
  };
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(url.replace(/^https?:\/\/[^/]+/, t.url), { headers });

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('customer-status', {
      env: { SMTP_URL: sink.url, RECONCILE_INTERVAL_MS: '200', PUBLIC_BASE_URL: 'https://notices.vendor.example' },
    });
    support = (await t.userWithToken('support')).token;
    await insertProducts(t.env.db.url, [
      ['api', 'Hosted API', 'hosted-api'],
      ['weights', 'Model weights', 'model-weights'],
    ]);
    await insertCustomers(t.env.db.url, [
      {
        ref: 'ACME-1',
        name: 'Acme <b>GmbH</b>',
        tier: 'enterprise',
        country: 'DE',
        am: { email: 'am@vendor.example', name: 'Jane AM' },
        subs: ['api', 'weights', 'api@FR'],
        contacts: [{ email: 'ops@acme.example', locale: 'de' }],
      },
      {
        ref: 'BETA-2',
        name: 'Beta SARL',
        tier: 'developer',
        country: 'FR',
        subs: ['api'],
        contacts: [{ email: 'dev@beta.example', locale: 'fr' }],
      },
    ]);
    await publish('st-1', { type: 'suspension.issued', scope: { products: ['*'], regions: ['DE', 'FR'] } });
    await publish('st-2', { type: 'suspension.updated', scope: { products: ['api'], regions: ['DE', 'FR'] } });
    await publish('st-3', {
      type: 'license.granted',
      scope: { products: ['api'], regions: ['FR'] },
      conditions: ['No military end use', 'Quarterly reports'],
    });
    await publish('st-4', { type: 'license.denied', scope: { products: ['api'], regions: ['DE'] } });
    const mails = sink.messages.filter((m) => m.envelope.to.includes('ops@acme.example'));
    expect(mails).toHaveLength(4);
    linkA = linkIn(mails[mails.length - 1].text);
    // Every notice of the customer links to the same page; the HTML part has it too.
    for (const m of mails) expect(linkIn(m.text)).toBe(linkA);
    // Handlebars writes `=` in the URL as `&#x3D;`: the same link once the HTML is read.
    expect(mails[0].html!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).toContain(`href="${linkA}"`);
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('answers JSON in the SPEC’s shape: the suspended set now, and what each event changed for this customer', async () => {
    expect(linkA).toMatch(/^https:\/\/notices\.vendor\.example\/status\/status-case\/c\/[^?]+\?lang=de$/);
    const res = await get(linkA, { accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    const body = (await res.json()) as any;
    const stored = await withPg(
      t.env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT s.product, s.country::text AS country FROM case_suspensions s JOIN customers c ON c.id = s.customer_id
            WHERE s.case_id = $1 AND c.ref = 'ACME-1' ORDER BY 1, 2`,
            [CASE],
          )
        ).rows,
    );
    expect(body.suspended).toEqual(stored);
    expect(body.suspended).toEqual([{ product: 'api', country: 'DE' }]);
    expect(body.caseId).toBe(CASE);
    expect(body.customer).toEqual({ ref: 'ACME-1', name: 'Acme <b>GmbH</b>' });
    expect(body.timeline.map((e: { eventId: string; kind: string }) => [e.eventId, e.kind])).toEqual([
      ['st-1', 'suspended'],
      ['st-2', 'updated'],
      ['st-3', 'license-granted'],
      ['st-4', 'license-denied'],
    ]);
    expect(body.timeline[0].added).toEqual([
      { product: 'api', country: 'DE' },
      { product: 'api', country: 'FR' },
      { product: 'weights', country: 'DE' },
    ]);
    expect(body.timeline[1].removed).toEqual([{ product: 'weights', country: 'DE' }]);
    expect(body.timeline[2]).toMatchObject({
      removed: [{ product: 'api', country: 'FR' }],
      conditions: ['No military end use', 'Quarterly reports'],
    });
    expect(body.timeline[3]).toMatchObject({ type: 'license.denied', added: [], removed: [] });
  });

  it('shows the HTML page in the contact’s language with nothing of any other customer', async () => {
    const res = await get(linkA);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="de"');
    expect(html).toContain('Acme &lt;b&gt;GmbH&lt;/b&gt;');
    expect(html).toContain('ACME-1');
    expect(html).toContain('Deutschland');
    expect(html).toContain('No military end use');
    expect(html).not.toMatch(/BETA-2|Beta SARL|dev@beta\.example|ops@acme\.example|am@vendor\.example/);
    expect(html).toMatch(/<meta name="robots" content="noindex/);
    expect(html).toContain('Derzeit ausgesetzt');
    expect(html).toContain('Genehmigung für Sie erteilt');
    const en = await (await get(`${linkA.split('?')[0]}?lang=en`)).text();
    expect(en).toContain('Germany');
    expect(en).toContain('Suspended now');
    const ar = await (await get(`${linkA.split('?')[0]}?lang=ar-EG`)).text();
    expect(ar).toMatch(/<html lang="ar" dir="rtl">/);
    expect(ar).toContain('ألمانيا');
    // A language that is not shipped, or garbage, reads in English.
    for (const lang of ['tlh', '../../etc/passwd', '<script>']) {
      const page = await get(`${linkA.split('?')[0]}?lang=${encodeURIComponent(lang)}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html lang="en" dir="ltr">/);
    }
  });

  it('answers a tampered, foreign or unknown link with the same bare 404', async () => {
    const [base] = linkA.split('?');
    const token = base.slice(base.lastIndexOf('/') + 1);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const beta = linkIn(sink.messages.find((m) => m.envelope.to.includes('dev@beta.example'))!.text);
    const betaToken = beta.split('?')[0].slice(beta.split('?')[0].lastIndexOf('/') + 1);
    const bodies = new Set<string>();
    for (const path of [
      `/status/${CASE}/c/${flip(token, token.length - 3)}`,
      `/status/${CASE}/c/${flip(token, 1)}`,
      `/status/other-case/c/${token}`,
      `/status/${CASE}/c/${token}x`,
      `/status/${CASE}/c/${'A'.repeat(5000)}`,
      `/status/${CASE}/c/%27%22%3Cscript%3E`,
      `/status/${CASE}/c/${betaToken.split('.')[0]}.${token.split('.')[1]}`,
    ]) {
      const res = await fetch(t.url + path, {
        headers: { accept: 'application/json', 'x-forwarded-for': '198.51.100.7' },
      });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).not.toMatch(/token|tamper|secret|customer|case/i);
    // A NUL byte is refused as bad input before any lookup, like anywhere else in the service.
    expect((await fetch(`${t.url}/status/${CASE}/c/%00`, { headers: { accept: 'application/json' } })).status).toBe(
      400,
    );
    // Beta's own link opens Beta's page only.
    const b = (await (await get(beta, { accept: 'application/json' })).json()) as any;
    expect(b.customer.ref).toBe('BETA-2');
    expect(b.suspended).toEqual([]);
  });

  it('limits failed lookups per client address (429), for valid links too, and not for other addresses', async () => {
    const flood = { accept: 'application/json', 'x-forwarded-for': '203.0.113.50' };
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await fetch(`${t.url}/status/${CASE}/c/guess${i}.AAAA`, { headers: flood })).status);
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect((await get(linkA, flood)).status).toBe(429);
    expect((await get(linkA, { accept: 'application/json', 'x-forwarded-for': '203.0.113.51' })).status).toBe(200);
  });
});
