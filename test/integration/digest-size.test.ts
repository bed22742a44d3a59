// Digests stay small (SPEC §4): an account manager with 50,000 affected accounts gets totals, the 100 most affected
// accounts and a link to the full list, in a message under 512 KB, built exactly as the sender builds it.
import { NoticeRepository, DIGEST_TOP } from '../../src/notices/notice.repository';
import { buildMailMessage } from '../../src/notices/channels/email/mail-message.builder';
import { buildRawMessage } from '../../src/notices/channels/email/raw-message.builder';
import { renderInput } from '../../src/notices/rendering/notice-input.factory';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { api, startTestApp, type TestApp } from '../support/app';
import { BASE_EVENT, waitForEvent } from '../support/events';
import { withPg } from '../support/registry-fixture';

const ACCOUNTS = 50_000;
const AM = 'big.am@vendor.example';

describe('an account manager digest of 50,000 accounts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('digest-size');
    await withPg(t.env.db.url, async (c) => {
      await c.query(
        `INSERT INTO products (code, name, category) VALUES ('api', 'Hosted API', 'hosted-api'), ('weights', 'Model weights', 'model-weights')`,
      );
      await c.query(
        `INSERT INTO customers (ref, name, tier, country, am_email, am_name)
         SELECT 'BIG-' || lpad(g::text, 6, '0'), 'Account ' || g, CASE WHEN g % 5 = 0 THEN 'enterprise' ELSE 'developer' END,
                (ARRAY['DE','FR','JP','BR','US','SG'])[1 + g % 6], $2, 'Big AM'
           FROM generate_series(1, $1) g`,
        [ACCOUNTS, AM],
      );
      await c.query(
        `INSERT INTO contacts (customer_id, email, name) SELECT id, lower(ref) || '@big.example', name FROM customers`,
      );
      // Every account uses the API where it is; every seventh the weights in three more countries (the most affected).
      await c.query(
        `INSERT INTO subscriptions (customer_id, product, country) SELECT id, 'api', country FROM customers`,
      );
      await c.query(
        `INSERT INTO subscriptions (customer_id, product, country)
         SELECT id, 'weights', x FROM customers CROSS JOIN unnest(ARRAY['CA','MX','IN']) x WHERE id % 7 = 0`,
      );
    });
  }, 120_000);
  afterAll(async () => t?.close());

  it('is under 512 KB with totals over every account, the 100 most affected, and the link to the full list', async () => {
    const support = (await t.userWithToken('support')).token;
    const res = await api(t.url, 'POST', '/api/v1/events', {
      token: support,
      body: {
        ...BASE_EVENT,
        eventId: 'big-1',
        caseId: 'big-case',
        type: 'suspension.issued',
        dispatch: 'review',
        scope: { products: ['*'], regions: ['*'] },
      },
    });
    expect(res.status).toBe(202);
    const view = await waitForEvent(t.url, support, 'big-1', 60_000);
    expect(view.status).toBe('awaiting_review');

    const notices = t.app.get(NoticeRepository);
    const [{ id: eventPk }] = await withPg(
      t.env.db.url,
      async (c) => (await c.query(`SELECT id::text FROM events WHERE event_id = 'big-1'`)).rows,
    );
    const [digestRow] = await withPg(
      t.env.db.url,
      async (c) =>
        (await c.query(`SELECT id::text FROM notices WHERE event_pk = $1 AND kind = 'am-digest'`, [eventPk])).rows,
    );
    const [claimed] = await notices.loadForRender([digestRow.id]);
    const data = await notices.digestAccounts(eventPk, AM);
    expect(data.total).toBe(ACCOUNTS);
    expect(data.accounts).toHaveLength(DIGEST_TOP);
    expect(data.byKind).toEqual([{ key: 'suspended', n: ACCOUNTS }]);
    expect(data.byProduct).toEqual([
      { key: 'api', n: ACCOUNTS },
      { key: 'weights', n: Math.floor(ACCOUNTS / 7) },
    ]);
    expect(data.byCountry.reduce((n, c) => n + c.n, 0)).toBeGreaterThanOrEqual(ACCOUNTS);
    // The most affected first: every listed account has the weights too.
    expect(data.accounts.every((a) => a.affected.length === 4)).toBe(true);

    const renderer = NoticeRenderer.load('templates');
    const payload = (await notices.eventPayload(eventPk))!.payload;
    const ctx = {
      eventPk,
      event: payload,
      products: await notices.products(),
      statusUrl: 'https://notices.vendor.example/status/big-case',
    };
    const input = renderInput(ctx, claimed, data);
    const rendered = renderer.render(input);
    const config = {
      MAIL_FROM: 'Export Compliance <notices@vendor.example>',
      MAIL_DOMAIN: 'vendor.example',
      SUPPORT_EMAIL: 's@vendor.example',
    };
    const bytes = buildRawMessage(buildMailMessage(input, rendered, config));
    expect(bytes.length).toBeLessThan(512 * 1024);
    expect(rendered.text).toContain('50,000');
    expect(rendered.text).toContain('Model weights (weights): 7,142');
    expect(rendered.text).toContain('Hosted API (api): 50,000');
    expect(rendered.text).toContain(
      'https://notices.vendor.example/events/big-1/affected?accountManager=big.am%40vendor.example',
    );
    const listed = rendered.text.match(/BIG-\d{6}/g) ?? [];
    expect(new Set(listed).size).toBe(DIGEST_TOP);
    // Attribute values are escaped (`=` as `&#x3D;`): the same link once the HTML is read.
    expect(rendered.html.replace(/&#x3D;/g, '=')).toContain(
      'href="https://notices.vendor.example/events/big-1/affected?accountManager=big.am%40vendor.example"',
    );
  }, 120_000);
});
