// A contact locale that looks like a path never reaches the file system: refused by the registry's CHECK, and a notice
// row that carries one anyway (notices copy the locale) is rendered from the loaded English templates.
import fs from 'node:fs';
import { startTestApp, TestApp } from '../support/app';
import { bulkEvent, seedBulk, waitForCompleted } from '../support/faults';
import { api } from '../support/app';
import { withPg } from '../support/registry-fixture';
import { SmtpSink, startSmtpSink } from '../support/smtp-sink';

const PATHS = ['../../etc/passwd', 'en/../../x', '/etc/passwd', '..\\..\\windows', 'de/../../../../tmp'];

describe('faults: path-like locales', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let support: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp('faults-locale', { env: { SMTP_URL: sink.url, RECONCILE_INTERVAL_MS: '200' } });
    support = (await t.userWithToken('support')).token;
    await seedBulk(t.env.db.url, PATHS.length);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('are refused as contact locales by the database', async () => {
    for (const locale of PATHS) {
      await expect(
        withPg(t.env.db.url, (c) => c.query(`UPDATE contacts SET locale = $1 WHERE email = 'c1@f.example'`, [locale])),
      ).rejects.toThrow(/contacts_locale_check/);
    }
  });

  it('are sent in English from the loaded templates, with no file opened by that name', async () => {
    const res = await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: { ...bulkEvent('loc-1'), dispatch: 'review' },
    });
    expect(res.status).toBe(202);
    await withPg(t.env.db.url, async (c) => {
      for (let i = 0; i < 50 && !(await c.query(`SELECT 1 FROM notices`)).rowCount; i++)
        await new Promise((r) => setTimeout(r, 100));
      // Notice rows copy the contact's locale and have no CHECK of their own: put the paths there directly.
      for (const [i, locale] of PATHS.entries())
        await c.query(`UPDATE notices SET locale = $1 WHERE email = $2`, [locale, `c${i + 1}@f.example`]);
    });
    const touched: string[] = [];
    const spies = (
      ['readFileSync', 'existsSync', 'statSync', 'openSync', 'readdirSync', 'createReadStream'] as const
    ).map((name) =>
      jest.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
        touched.push(String(args[0]));
        return (jest.requireActual('node:fs') as Record<string, (...a: unknown[]) => unknown>)[name](...args);
      }) as never),
    );
    try {
      expect((await api(t.url, 'POST', '/api/v1/events/loc-1/approve', { token: support })).status).toBeLessThan(300);
      expect((await waitForCompleted(t.env.db.url, 'loc-1')).byStatus).toEqual({ sent: PATHS.length });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(touched.filter((p) => /passwd|\.\.|windows|tmp/.test(p))).toEqual([]);
    for (const m of sink.messages) expect(m.html).toContain('<html lang="en"');
  });
});
