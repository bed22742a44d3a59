// Several SMTP providers through a real dispatch (SPEC §4): with the first down, then answering 451 to everything, then
// back, every contact gets its notice exactly once, through the second while the first is out, and the first again
// once it is back; each notice keeps the provider that sent it.
import { parse } from 'csv-parse/sync';
import { api, startTestApp, type TestApp } from '../support/app';
import { BASE_EVENT, postEventAndWait } from '../support/events';
import { insertCustomers, insertProducts, withPg } from '../support/registry-fixture';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const CONTACTS = 40;

describe('two SMTP providers under a real dispatch', () => {
  let t: TestApp;
  let a: SmtpSink;
  let b: SmtpSink;
  let support: string;

  const dispatch = (eventId: string, caseId: string) =>
    postEventAndWait(t.url, support, {
      ...BASE_EVENT,
      eventId,
      caseId,
      type: 'suspension.issued',
      dispatch: 'auto',
      scope: { products: ['api'], regions: ['DE'] },
    });
  const providers = (eventId: string) =>
    withPg(
      t.env.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT n.provider, count(*)::int AS n FROM notices n JOIN events e ON e.id = n.event_pk
            WHERE e.event_id = $1 GROUP BY 1 ORDER BY 1`,
            [eventId],
          )
        ).rows,
    );
  const received = (eventId: string) =>
    [...a.messages, ...b.messages].filter((m) => m.header('x-event-id') === eventId).map((m) => m.messageId);

  beforeAll(async () => {
    [a, b] = await Promise.all([startSmtpSink(), startSmtpSink()]);
    t = await startTestApp('smtp-providers-dispatch', {
      env: {
        SMTP_URL: `${a.url},${b.url}`,
        SMTP_FAILURES_TO_SET_ASIDE: '2',
        SMTP_SET_ASIDE_MS: '500',
        MAIL_RETRY_BASE_MS: '100',
        RECONCILE_INTERVAL_MS: '200',
      },
    });
    support = (await t.userWithToken('support')).token;
    await insertProducts(t.env.db.url, [['api', 'Hosted API', 'hosted-api']]);
    await insertCustomers(
      t.env.db.url,
      Array.from({ length: CONTACTS }, (_, i) => ({
        ref: `S-${i}`,
        name: `Customer ${i}`,
        tier: 'developer' as const,
        country: 'DE',
        subs: ['api'],
        contacts: [{ email: `c${i}@s.example` }],
      })),
    );
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('goes through the second while the first is down or answers 451, and back to the first once it is back', async () => {
    const A = `127.0.0.1:${a.port}`;
    const B = `127.0.0.1:${b.port}`;

    await a.down();
    const e1 = await dispatch('prov-1', 'prov-case-1');
    expect(e1.counts.sent).toBe(CONTACTS);
    expect(await providers('prov-1')).toEqual([{ provider: B, n: CONTACTS }]);
    // The notices list and its CSV show which provider sent each notice.
    const list = await api(t.url, 'GET', '/api/v1/events/prov-1/notices?pageSize=5', { token: support });
    expect(list.body.items.every((n: { provider: string }) => n.provider === B)).toBe(true);
    const csv = await api(t.url, 'GET', '/api/v1/events/prov-1/notices?format=csv', { token: support });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(String(csv.body), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(CONTACTS);
    expect(new Set(rows.map((r) => `${r.status}/${r.provider}`))).toEqual(new Set([`sent/${B}`]));
    expect(new Set(rows.map((r) => r.customer_ref)).size).toBe(CONTACTS);

    await a.up();
    a.rejectRecipient(/.*/, 451, 'Greylisted, try again later');
    await new Promise((r) => setTimeout(r, 600));
    const e2 = await dispatch('prov-2', 'prov-case-2');
    expect(e2.counts.sent).toBe(CONTACTS);
    expect(await providers('prov-2')).toEqual([{ provider: B, n: CONTACTS }]);
    expect(a.messages).toHaveLength(0);

    a.clear();
    await new Promise((r) => setTimeout(r, 600));
    const e3 = await dispatch('prov-3', 'prov-case-3');
    expect(e3.counts.sent).toBe(CONTACTS);
    const back = await providers('prov-3');
    // The half-open trial and the sends already under way may still go to the second; the rest go to the first.
    expect(back.find((p: { provider: string }) => p.provider === A)?.n ?? 0).toBeGreaterThanOrEqual(CONTACTS - 10);

    for (const id of ['prov-1', 'prov-2', 'prov-3']) {
      const ids = received(id);
      expect({ id, mails: ids.length, distinct: new Set(ids).size }).toEqual({
        id,
        mails: CONTACTS,
        distinct: CONTACTS,
      });
    }
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith(`impact_smtp_provider_sends_total{provider="${B}"}`));
    const viaBAtTheEnd = back.find((p: { provider: string }) => p.provider === B)?.n ?? 0;
    expect(Number(line?.split(' ').pop())).toBe(2 * CONTACTS + viaBAtTheEnd);
    expect(metrics).toMatch(/impact_smtp_provider_failures_total\{provider="127\.0\.0\.1:\d+",kind="temporary"\} \d+/);
    expect(metrics).toMatch(/impact_smtp_provider_set_aside\{provider="127\.0\.0\.1:\d+",state="closed"\} 0/);
  });
});
