// Screenshots of the main pages and of notices in ar, ja and zh-Hant for docs/ (run with SCREENSHOTS=1 npx jest test/browser/screenshots.test.ts).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sampleRenderInput } from '../../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { insertCustomers, insertProducts, type FixtureCustomer } from '../support/registry-fixture';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { Browser, logIn, openBrowser } from './browser';

const DOCS = join(__dirname, '..', '..', 'docs');
const run = process.env.SCREENSHOTS === '1' ? describe : describe.skip;

const COUNTRIES = ['DE', 'FR', 'JP', 'SG', 'BR', 'IN', 'GB', 'CA', 'KR', 'AU'];
const LOCALES: Record<string, string> = { DE: 'de', FR: 'fr', JP: 'ja', BR: 'pt-BR' };
const AMS = [
  { email: 'jane@vendor.example', name: 'Jane Doe' },
  { email: 'kenji@vendor.example', name: 'Kenji Sato' },
];
const NAMES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
  'Soylent',
  'Cyberdyne',
  'Aperture',
];

function registry(): FixtureCustomer[] {
  return Array.from({ length: 160 }, (_, i) => {
    const country = COUNTRIES[(i * 7) % COUNTRIES.length];
    const enterprise = i % 4 === 0;
    return {
      ref: `CRM-${String(1000 + i)}`,
      name: `${NAMES[i % NAMES.length]} ${country} ${enterprise ? 'Holdings' : 'Labs'} ${i}`,
      tier: enterprise ? 'enterprise' : 'developer',
      country,
      am: enterprise ? AMS[(i / 4) % 2] : undefined,
      contacts: [
        { email: `ops${i}@customer${i}.example`, name: `Ops ${i}`, locale: LOCALES[country] ?? 'en' },
        ...(enterprise ? [{ email: `legal${i}@customer${i}.example`, name: `Legal ${i}`, locale: 'en' }] : []),
      ],
      subs: ['claude-api', ...(i % 3 === 0 ? ['claude-weights'] : []), ...(i % 5 === 0 ? ['claude-code@US'] : [])],
    };
  });
}

run('screenshots of the web pages', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let support: string;
  let browser: Browser;
  const shot = (name: string) => browser.page.screenshot({ path: join(DOCS, name), fullPage: true });

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('shots', {
      env: { SMTP_URL: sink.url, MAIL_RATE_PER_SECOND: '12', RECONCILE_INTERVAL_MS: '200' },
    });
    support = (await t.userWithToken('support', 'sam@vendor.example', 'Sam Support')).token;
    await insertProducts(t.env.db.url, [
      ['claude-api', 'Claude API', 'hosted-api'],
      ['claude-weights', 'Claude model weights', 'model-weights'],
      ['claude-code', 'Claude Code', 'software'],
    ]);
    await insertCustomers(t.env.db.url, registry());
    const post = (body: unknown) => api(t.url, 'POST', '/api/v1/events', { token: support, body });
    await post({
      ...BASE_EVENT,
      eventId: 'bis-2026-11-26-001',
      caseId: 'export-halt-2026-11',
      type: 'suspension.issued',
      dispatch: 'auto',
      scope: { products: ['*'], regions: ['*'], excludeRegions: ['US'] },
    });
    await waitForEvent(t.url, support, 'bis-2026-11-26-001');
    await api(t.url, 'POST', '/api/v1/events/bis-2026-11-26-001/pause', { token: support });
    await api(t.url, 'POST', '/api/v1/events/bis-2026-11-26-001/resume', { token: support });
    await post({
      ...BASE_EVENT,
      eventId: 'broken-1',
      caseId: 'export-halt-2026-11',
      type: 'license.granted',
      title: '',
      scope: { products: ['claude-gpu'], regions: ['group:MARS'] },
    });
    browser = await openBrowser(t.url, { width: 1280, height: 860 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  it('takes them', async () => {
    const { page } = browser;
    await logIn(page, support, '/events');
    // Wait for the first event to finish, then publish a second one for review and approve it, to catch it mid-send.
    const until = async (id: string, status: string) => {
      for (let i = 0; i < 240; i++) {
        if ((await api(t.url, 'GET', `/api/v1/events/${id}`, { token: support })).body.status === status) return;
        await page.waitForTimeout(500);
      }
      throw new Error(`${id} never ${status}`);
    };
    await until('bis-2026-11-26-001', 'completed');
    await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: {
        ...BASE_EVENT,
        eventId: 'bis-2026-12-03-002',
        caseId: 'export-halt-2026-11',
        type: 'suspension.updated',
        dispatch: 'review',
        title: 'Scope clarified: hosted API and model weights only',
        summary: 'The halt now covers hosted API access and model weights. Software downloads are restored.',
        scope: {
          products: ['category:hosted-api', 'category:model-weights'],
          regions: ['*'],
          excludeRegions: ['US', 'GB', 'CA', 'AU'],
        },
      },
    });
    await until('bis-2026-12-03-002', 'awaiting_review');
    await page.goto('/events');
    await shot('web-events.png');

    await page.goto('/events/bis-2026-12-03-002');
    await shot('web-event-review.png');
    await page.getByRole('button', { name: 'Approve and send' }).click();
    await page.waitForURL(/did=approve/);
    await page.waitForTimeout(4000);
    await shot('web-event-sending.png');
    await until('bis-2026-12-03-002', 'completed');
    // A full-page capture leaves iframes blank, so the mail preview gets its own picture.
    await page.reload();
    const preview = page.locator('details.sample').nth(3);
    await preview.locator('summary').first().click();
    await preview.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await preview.screenshot({ path: join(DOCS, 'web-event-preview.png') });

    await page.goto('/events/bis-2026-12-03-002/affected?pageSize=25');
    await shot('web-affected.png');
    await page.goto('/customers/CRM-1000');
    await shot('web-customer.png');
    await page.goto('/cases/export-halt-2026-11?pageSize=10');
    await shot('web-case.png');
    await page.goto('/status/export-halt-2026-11');
    await shot('web-status.png');
  }, 240_000);
});

// One notice per script that needs its own fonts, rendered as Chromium shows it (real glyphs, rtl for Arabic).
const MAILS = [
  {
    file: 'mail-suspended-ar.png',
    kind: 'suspended',
    tier: 'enterprise',
    locale: 'ar',
    customer: 'شركة النخبة للتقنية ذ.م.م',
    recipient: 'فريق العمليات',
  },
  {
    file: 'mail-license-granted-ja.png',
    kind: 'license-granted',
    tier: 'developer',
    locale: 'ja',
    customer: '富士データ株式会社',
    recipient: '佐藤 健',
  },
  {
    file: 'mail-updated-zh-Hant.png',
    kind: 'updated',
    tier: 'enterprise',
    locale: 'zh-TW',
    customer: '華星科技股份有限公司',
    recipient: '王偉',
  },
] as const;

run('screenshots of notices in scripts beyond Latin', () => {
  let browser: Browser;
  beforeAll(async () => {
    // Installs Debian's fonts-noto-cjk and fonts-noto-core when missing (as root), else says what to install.
    execFileSync('bash', [join(__dirname, '..', 'support', 'ensure-fonts.sh')], { stdio: 'inherit' });
    browser = await openBrowser('http://127.0.0.1', { width: 720, height: 900 });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(MAILS)(
    '$file',
    async ({ file, kind, tier, locale, customer, recipient }) => {
      const renderer = NoticeRenderer.load(join(__dirname, '..', '..', 'templates'));
      const input = sampleRenderInput(kind, tier, locale);
      const out = renderer.render({
        ...input,
        recipient: { ...input.recipient, name: recipient },
        customer: {
          ...input.customer!,
          name: customer,
          accountManager: tier === 'enterprise' ? { name: 'Jane Doe', email: 'jane.doe@vendor.example' } : null,
        },
      });
      await browser.page.setContent(out.html, { waitUntil: 'load' });
      await browser.page.screenshot({ path: join(DOCS, file), fullPage: true });
    },
    60_000,
  );
});
