// The web pages in a real browser: support reviews, approves and watches an event send; an account manager sees only
// their customers; forms without the CSRF token are refused; the public status page shows no customer data.
import { readFileSync } from 'node:fs';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, type FixtureCustomer } from '../support/registry-fixture';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { Browser, logIn, openBrowser } from './browser';

const JANE = { email: 'jane@vendor.example', name: 'Jane Manager' };
const BOB = { email: 'bob@vendor.example', name: 'Bob Manager' };
const DE = 30;
const FR = 20;

function customers(): FixtureCustomer[] {
  const de = Array.from({ length: DE }, (_, i) => ({
    ref: `DE-${String(i).padStart(3, '0')}`,
    name: `Kunde ${i} GmbH`,
    tier: (i % 3 === 0 ? 'enterprise' : 'developer') as 'enterprise' | 'developer',
    country: 'DE',
    am: i % 2 === 0 ? JANE : BOB,
    contacts: [{ email: `ops${i}@de.example`, locale: i % 4 === 0 ? 'de' : 'en' }],
    subs: ['api', ...(i % 5 === 0 ? ['weights@SG'] : [])],
  }));
  const fr = Array.from({ length: FR }, (_, i) => ({
    ref: `FR-${String(i).padStart(3, '0')}`,
    name: `Client ${i} SAS`,
    tier: 'developer' as const,
    country: 'FR',
    am: BOB,
    contacts: [{ email: `ops${i}@fr.example`, locale: 'fr' }],
    subs: ['api'],
  }));
  return [...de, ...fr];
}

const janeRefs = customers()
  .filter((c) => c.am === JANE)
  .map((c) => c.ref)
  .sort();

describe('web pages in Chromium', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let support: string;
  let am: string;
  let admin: string;
  let browser: Browser;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('web', {
      env: { SMTP_URL: sink.url, MAIL_RATE_PER_SECOND: '15', RECONCILE_INTERVAL_MS: '200' },
    });
    support = (await t.userWithToken('support', 'sam@vendor.example', 'Sam Support')).token;
    am = (await t.userWithToken('account_manager', JANE.email, JANE.name)).token;
    admin = (await t.userWithToken('admin')).token;
    await insertProducts(t.env.db.url, [
      ['api', 'Hosted API', 'hosted-api'],
      ['weights', 'Model weights', 'model-weights'],
    ]);
    await insertCustomers(t.env.db.url, customers());
    const event = {
      ...BASE_EVENT,
      eventId: 'web-1',
      caseId: 'web-case',
      type: 'suspension.issued',
      dispatch: 'review',
      title: 'Exports of AI models halted <pending> review',
      scope: { products: ['*'], regions: ['DE', 'FR', 'SG'] },
    };
    expect((await api(t.url, 'POST', '/api/v1/events', { token: support, body: event })).status).toBe(202);
    expect((await waitForEvent(t.url, support, 'web-1')).status).toBe('awaiting_review');
    await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: { ...event, eventId: 'web-bad', caseId: 'other', scope: { products: ['nope'], regions: ['DE'] } },
    });
    browser = await openBrowser(t.url);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  it('sends a reading request without a session to the login page, and sets a signed HttpOnly SameSite=Strict cookie on login', async () => {
    const { page, context } = browser;
    const res = await page.goto('/events/web-1');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(res!.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByLabel('API token').fill('imp_not-a-real-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');

    await logIn(page, support, '/events/web-1');
    expect(new URL(page.url()).pathname).toBe('/events/web-1');
    const session = (await context.cookies()).find((c) => c.name === 'impact_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session.value).toMatch(/^s%3A/); // cookie-parser's signature prefix
    expect(session.value).not.toContain(support);
  });

  it('lists events with their status, and rejected ones with their reasons', async () => {
    const { page } = browser;
    await page.goto('/events');
    const row = page.getByRole('row', { name: /web-1/ });
    await expect(row.textContent()).resolves.toMatch(/awaiting review/);
    await page.getByLabel('Status').selectOption('rejected');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(new URL(page.url()).searchParams.get('status')).toBe('rejected');
    const rejected = await page.locator('table.events tbody').textContent();
    expect(rejected).toContain('web-bad');
    expect(rejected).toMatch(/nope/);
    expect(rejected).not.toContain('web-1');
  });

  it('support reads the preview, approves, watches progress reach 100% live, and downloads the CSV', async () => {
    const { page } = browser;
    await page.goto('/events/web-1');
    await expect(page.locator('#event-status').textContent()).resolves.toBe('awaiting review');
    // Breakdown bars: 50 customers in DE and FR, 3 with weights in SG (0, 5, ... 25 of DE → 6).
    const byCountry = page.locator('figure.bars', { hasText: 'By destination country' });
    await expect(byCountry.getByRole('row', { name: /Germany \(DE\)/ }).textContent()).resolves.toContain(String(DE));
    await expect(byCountry.getByRole('row', { name: /Singapore \(SG\)/ }).textContent()).resolves.toContain('6');
    await expect(
      page.locator('figure.bars', { hasText: 'By product' }).getByRole('row', { name: /api/ }).textContent(),
    ).resolves.toContain(String(DE + FR));
    // The first preview is open, rendered in a sandboxed iframe, with the title escaped as text.
    const frame = page.frameLocator('iframe.mail-preview').first();
    await expect(frame.locator('body').textContent()).resolves.toContain(
      'Exports of AI models halted <pending> review',
    );
    expect(await page.locator('iframe.mail-preview').first().getAttribute('sandbox')).toBe('');
    expect(await page.locator('details.sample').count()).toBeGreaterThanOrEqual(4); // suspended × {developer, enterprise} × {en, de, fr} + digests
    await expect(page.locator('details.sample summary').allTextContents()).resolves.toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^suspended · developer · fr/),
        expect.stringMatching(/^am digest · account managers · en/),
      ]),
    );
    expect(sink.messages).toHaveLength(0);

    await page.getByRole('button', { name: 'Approve and send' }).click();
    await page.waitForURL(/did=approve/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Approved');
    // From here on the page is not reloaded: the script polls and updates the bar, the counts and the buttons.
    await page.evaluate('window.__sameDocument = true');
    const seen = new Set<number>();
    const deadline = Date.now() + 60_000;
    for (;;) {
      seen.add(Number(await page.locator('#progress').getAttribute('value')));
      if ((await page.evaluate('document.getElementById("progress").value')) === 100) break;
      if (Date.now() > deadline) throw new Error(`progress stuck at ${[...seen].join(', ')}`);
      await page.waitForTimeout(200);
    }
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(seen.size).toBeGreaterThan(2); // it moved in steps while sending
    await page.locator('#event-status', { hasText: /^completed$/ }).waitFor();
    await expect(page.locator('#progress-text').textContent()).resolves.toContain('100%');
    await expect(page.locator('[data-count="sent"]').textContent()).resolves.toBe(String(DE + FR + 2)); // + 2 digests
    // Progress by who is told first, digests, enterprise, developers, each complete (updated live, no reload).
    const classes = await page
      .locator('table.classes tr')
      .evaluateAll((rows) =>
        rows.map((r) => [r.getAttribute('data-class'), r.querySelector('[data-class-text]')!.textContent]),
      );
    expect(classes).toEqual([
      ['digests', '2 of 2'],
      ['enterprise', '10 of 10'],
      ['developer', `${DE + FR - 10} of ${DE + FR - 10}`],
    ]);
    expect(await page.getByRole('button', { name: 'Pause' }).isHidden()).toBe(true);
    const recipients = sink.messages
      .filter((m) => m.header('x-notice-kind') === 'suspended')
      .map((m) => m.envelope.to[0]);
    expect(new Set(recipients).size).toBe(DE + FR);

    await page.getByRole('link', { name: 'Affected customers' }).click();
    await page.getByLabel('Destination country').fill('DE');
    await page.getByLabel('Tier', { exact: true }).selectOption('enterprise');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = await page.locator('table.affected tbody tr').count();
    expect(rows).toBe(10); // DE-000, 003, ... 027
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-link').click()]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toMatch(/^ref,name,tier,country/);
    const refs = csv.slice(1).map((l) => l.split(',')[0]);
    expect(refs).toEqual(Array.from({ length: 10 }, (_, i) => `DE-${String(i * 3).padStart(3, '0')}`));
    expect(csv.slice(1).every((l) => l.includes(',enterprise,DE,'))).toBe(true);
    expect(csv.slice(1).every((l) => /,sent(,|$)/.test(l))).toBe(true);
  });

  it('refuses a form posted without (or with a wrong) CSRF token with 403', async () => {
    const { page, context } = browser;
    await page.goto('/events/web-1');
    const token = await page.locator('input[name=_csrf]').first().inputValue();
    const without = await context.request.post('/events/web-1/actions/retry-failed', {
      form: { x: '1' },
      maxRedirects: 0,
    });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain('security token');
    const wrong = await context.request.post('/events/web-1/test-send', {
      form: { _csrf: token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')), email: 'x@y.example' },
    });
    expect(wrong.status()).toBe(403);
    const logout = await context.request.post('/logout', { form: {}, maxRedirects: 0 });
    expect(logout.status()).toBe(403);
    // A cross-site page cannot read the token, and the cookie alone is not enough: the session is still there.
    const upload = await context.request.post('/registry/import', {
      multipart: { mode: 'upsert', file: { name: 'r.csv', mimeType: 'text/csv', buffer: Buffer.from('ref\n') } },
    });
    expect(upload.status()).toBe(403);
    // The same request with the page's token goes through.
    const ok = await context.request.post('/events/web-1/test-send', {
      form: { _csrf: token, email: 'qa@vendor.example' },
      maxRedirects: 0,
    });
    expect(ok.status()).toBe(303);
    expect(sink.messages.some((m) => m.envelope.to[0] === 'qa@vendor.example')).toBe(true);
  });

  it('support imports a registry file through the form and reads the report', async () => {
    const { page } = browser;
    await page.goto('/registry/import');
    const header =
      'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products';
    const good = `${header}\nNEW-1,Neue AG,enterprise,AT,jane@vendor.example,Jane Manager,it@neue.example,IT,de,technical,api;weights@SG\n`;
    await page
      .getByLabel('File')
      .setInputFiles({ name: 'registry.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.locator('#h-report').textContent()).resolves.toContain('registry.csv');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Applied (upsert)');
    await expect(page.locator('dl.facts').textContent()).resolves.toMatch(/Customers created\s*1/);

    const bad = `${header}\nBAD-1,Bad,enterprise,DE,,,not-an-email,,en,,api\nBAD-2,Bad,gold,DE,,,ok@bad.example,,en,,api\n`;
    await page.getByLabel('Dry run').check();
    await page.getByLabel('File').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/registry/import')),
      page.getByRole('button', { name: 'Import' }).click(),
    ]);
    expect(res.status()).toBe(422);
    const errors = await page.locator('#h-report + p + dl + table tbody').textContent();
    expect(errors).toMatch(/^2\s*contact_email/);
    expect(errors).toMatch(/3\s*tier/);
    const customer = await page.goto('/customers/NEW-1');
    expect(customer!.status()).toBe(200);
    expect((await page.goto('/customers/BAD-1'))!.status()).toBe(404);
  });

  it('support composes an event, previews who would be told what, and publishes it', async () => {
    const { page } = browser;
    await page.goto('/compose');
    await page.getByLabel('Event id').fill('web-2');
    await page.getByLabel('Case id').fill('web-case-2');
    await page.getByLabel('Title').fill('Model weights to Singapore halted');
    await page.getByLabel('Summary (shown in every notice)').fill('Weights may not be exported to SG.');
    await page.getByLabel(/^Products/).fill('weights');
    await page.getByLabel(/^Regions/).fill('SG');
    await page.getByRole('button', { name: 'Preview who would be told what' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/7 customers would be told/); // 6 DE + NEW-1
    await expect(page.frameLocator('iframe.mail-preview').first().locator('body').textContent()).resolves.toContain(
      'Model weights to Singapore halted',
    );
    expect(await page.getByLabel('Event id').inputValue()).toBe('web-2'); // the form keeps what was typed
    expect((await api(t.url, 'GET', '/api/v1/events/web-2', { token: support })).status).toBe(404); // nothing stored

    await page.getByLabel(/^Regions/).fill('group:NOPE');
    await page.getByRole('button', { name: 'Preview who would be told what' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('NOPE');

    await page.getByLabel(/^Regions/).fill('SG');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/\/events\/web-2$/);
    await page.locator('#event-status', { hasText: /^awaiting review$/ }).waitFor({ timeout: 20_000 });
    await expect(page.getByRole('row', { name: /Singapore/ }).textContent()).resolves.toContain('7');
  });

  it('shows an account manager only their customers and no outreach buttons', async () => {
    const amBrowser = await openBrowser(t.url);
    try {
      const { page, context } = amBrowser;
      await logIn(page, am, '/events/web-1');
      await expect(page.locator('#event-status').textContent()).resolves.toBe('completed');
      expect(await page.locator('form[action*="/actions/"]').count()).toBe(0);
      expect(await page.locator('form.test-send').count()).toBe(0);
      expect(await page.locator('iframe.mail-preview').count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Compose an event' }).count()).toBe(0);
      await expect(page.locator('[data-count="sent"]').textContent()).resolves.toBe(String(janeRefs.length));

      await page.goto('/events/web-1/affected?pageSize=100');
      const refs = (await page.locator('table.affected tbody tr td:first-child .meta').allTextContents()).sort();
      expect(refs).toEqual(janeRefs);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-link').click()]);
      const csvRefs = readFileSync((await download.path())!, 'utf8')
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(',')[0]);
      expect(csvRefs.sort()).toEqual(janeRefs);

      await page.goto('/customers');
      // NEW-1 was imported with Jane as its account manager.
      expect((await page.locator('table.customers tbody tr td:first-child .meta').allTextContents()).sort()).toEqual(
        [...janeRefs, 'NEW-1'].sort(),
      );
      const other = await page.goto('/customers/FR-001');
      expect(other!.status()).toBe(404);
      const mine = await page.goto(`/customers/${janeRefs[0]}`);
      expect(mine!.status()).toBe(200);
      await expect(page.locator('main').textContent()).resolves.toContain('ops0@de.example');

      const token = await page.locator('input[name=_csrf]').first().inputValue();
      const act = await context.request.post('/events/web-1/actions/cancel', {
        form: { _csrf: token },
        maxRedirects: 0,
      });
      expect(act.status()).toBe(403);
      expect((await page.goto('/admin/queues'))!.status()).toBe(403);
      expect((await page.goto('/compose'))!.status()).toBe(403);
    } finally {
      await amBrowser.close();
    }
  });

  it('serves the public status page without login and without customer data', async () => {
    const res = await fetch(`${t.url}/status/web-case`);
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).toContain('Exports of AI models halted &lt;pending&gt; review');
    expect(html).toContain(BASE_EVENT.summary);
    expect(html).not.toMatch(/Kunde|Client \d|@de\.example|jane@/);
    expect((await fetch(`${t.url}/status/other`)).status).toBe(404);
  });

  it('lets support add an address to the suppression list and take it off again (an account manager may not)', async () => {
    const { page } = browser;
    await page.goto('/suppressions');
    await page.fill('#s-email', 'Gone@Old.example');
    await page.fill('#s-reason', 'mailbox closed <b>for good</b>');
    await Promise.all([
      page.waitForURL(/did=added/),
      page.click('form[method=post][action="/suppressions"] button[type=submit]'),
    ]);
    const row = page.locator('tbody tr', { hasText: 'gone@old.example' });
    await expect(row.textContent()).resolves.toContain('mailbox closed <b>for good</b>');
    await expect(row.textContent()).resolves.toContain('sam@vendor.example');
    const listed = await api(t.url, 'GET', '/api/v1/suppressions?q=old.example', { token: support });
    expect(listed.body.items.map((s: { email: string }) => s.email)).toEqual(['gone@old.example']);
    await Promise.all([page.waitForURL(/did=removed/), row.locator('button').click()]);
    await expect(page.locator('main').textContent()).resolves.not.toContain('gone@old.example');
    expect((await api(t.url, 'GET', '/api/v1/suppressions?q=old.example', { token: support })).body.total).toBe(0);
    const audit = await api(t.url, 'GET', '/api/v1/audit?pageSize=200', { token: admin });
    const actions = audit.body.items
      .filter((a: { target: string }) => a.target === 'gone@old.example')
      .map((a: { action: string }) => a.action);
    expect(actions.sort()).toEqual(['suppression.add', 'suppression.remove']);
    const amBrowser = await openBrowser(t.url);
    try {
      await logIn(amBrowser.page, am, '/events');
      expect((await amBrowser.page.goto('/suppressions'))!.status()).toBe(403);
    } finally {
      await amBrowser.close();
    }
  });

  it('opens bull-board for admins only', async () => {
    const adminBrowser = await openBrowser(t.url);
    try {
      await logIn(adminBrowser.page, admin, '/admin/queues');
      await adminBrowser.page.waitForSelector('text=notice-dispatch', { timeout: 20_000 });
    } finally {
      await adminBrowser.close();
    }
    const res = await browser.page.goto('/admin/queues'); // support
    expect(res!.status()).toBe(403);
  });
});
