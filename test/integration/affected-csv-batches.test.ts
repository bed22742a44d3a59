// The CSV export is one COPY … TO STDOUT in CSV format: for an event and a case with awkward names (commas, quotes,
// line breaks, CR, non-ASCII, empty fields), the bytes must be what csv-stringify writes for the same rows as the JSON
// pages list them (the format the export always had). COPY takes no bind parameters, so the filters' values are
// written into it as literals: hostile ones must be matched as text, like the JSON pages match them.
import { Queue } from 'bullmq';
import { stringify } from 'csv-stringify/sync';
import { api, startTestApp, TestApp } from '../support/app';
import { BASE_EVENT, eventsQueue, waitForEvent } from '../support/events';
import { withPg } from '../support/registry-fixture';
import { waitFor } from '../support/service-process';
import { importText, jsonl, seedProducts } from '../support/registry-import';

const CUSTOMERS = 4100;
const NAMES = [
  'Alpha, Ltd',
  'The "Best" Co',
  'Line\nBreak GmbH',
  'Carriage\rReturn',
  'Café Ünïcode 株式会社',
  '  spaced  ',
  '=SUM(A1)',
  "O'Brien \\ Sons $1",
  '',
];

function customer(i: number) {
  const ref = `C${String(i).padStart(5, '0')}`;
  return {
    ref,
    name: `${NAMES[i % NAMES.length]}${i}`,
    tier: i % 3 ? 'developer' : 'enterprise',
    country: i % 2 ? 'JP' : 'DE',
    ...(i % 5 === 0
      ? { accountManager: { email: 'jane@vendor.example', ...(i % 10 === 0 ? { name: 'Jane, "AM"' } : {}) } }
      : {}),
    contacts: [{ email: `ops@${ref.toLowerCase()}.example` }],
    subscriptions:
      i % 4 ? [{ product: 'claude-api' }, { product: 'claude-weights', country: 'SG' }] : [{ product: 'claude-api' }],
  };
}

async function csv(t: TestApp, token: string, path: string): Promise<string> {
  const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

async function allItems(t: TestApp, token: string, path: string): Promise<any[]> {
  const items: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api(t.url, 'GET', `${path}${path.includes('?') ? '&' : '?'}page=${page}&pageSize=500`, {
      token,
    });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    if (items.length >= res.body.total) return items;
  }
}

const record = (i: any, withKind: boolean) => [
  i.ref,
  i.name,
  i.tier,
  i.country,
  i.accountManager?.email ?? '',
  i.accountManager?.name ?? '',
  i.subscriptions.map((s: any) => `${s.product}@${s.country}`).join(';'),
  ...(withKind ? [i.kind ?? '', i.deliveryStatus ?? ''] : []),
];

const HEADER = [
  'ref',
  'name',
  'tier',
  'country',
  'account_manager_email',
  'account_manager_name',
  'subscriptions',
  'kind',
  'delivery_status',
];

describe('affected CSV export: formatted by PostgreSQL COPY', () => {
  let t: TestApp;
  let token: string;
  let queue: Queue;

  beforeAll(async () => {
    t = await startTestApp('affected-csv');
    token = (await t.userWithToken('support')).token;
    queue = eventsQueue(t.env.prefix);
    await seedProducts(t);
    const report = await importText(t, jsonl(...Array.from({ length: CUSTOMERS }, (_, i) => customer(i + 1))), {
      format: 'jsonl',
      chunk: 65536,
    });
    expect(report).toMatchObject({ applied: true, errorCount: 0 });
  });
  afterAll(async () => {
    await queue.close();
    await t.close();
  });

  it('an event and a case: the same bytes as csv-stringify over the JSON pages', async () => {
    await queue.add(
      'event',
      {
        ...BASE_EVENT,
        eventId: 'csv-1',
        caseId: 'case-csv',
        type: 'suspension.issued',
        scope: { products: ['claude-api', 'claude-weights'], regions: ['JP', 'SG'] },
      },
      { jobId: 'csv-1' },
    );
    const ev = await waitForEvent(t.url, token, 'csv-1');
    expect(ev.status).toBe('awaiting_review');

    // Mixed delivery states (and customers without any notice), so the export's per-customer state is compared too.
    await withPg(t.env.db.url, async (c) => {
      await c.query(`UPDATE notices SET status = 'sent' WHERE id % 3 = 0`);
      await c.query(`UPDATE notices SET status = 'failed' WHERE id % 7 = 0`);
      await c.query(`DELETE FROM notices WHERE id % 11 = 0`);
      // Values the import never stores (it trims text and turns empty fields into NULL) but the table allows (names
      // must not be empty): a padded name, an account manager with an empty name, an empty account manager email.
      await c.query(`UPDATE customers SET name = '  padded  ' WHERE ref = 'C00003'`);
      await c.query(`UPDATE customers SET am_name = '' WHERE ref = 'C00005'`);
      await c.query(`UPDATE customers SET am_email = '', am_name = 'Orphan' WHERE ref = 'C00015'`);
    });
    const items = await allItems(t, token, '/api/v1/events/csv-1/affected');
    const byRef = new Map(items.map((i) => [i.ref, i]));
    expect(byRef.get('C00003')?.name).toBe('  padded  ');
    expect(byRef.get('C00005')?.accountManager).toEqual({ email: 'jane@vendor.example', name: '' });
    expect(byRef.get('C00015')?.accountManager).toBeNull();
    expect(new Set(items.map((i) => i.deliveryStatus))).toEqual(new Set(['pending', 'sent', 'failed', 'none']));
    // The 2,050 odd customers are in JP; of the even ones in DE, those with SG weights (i = 2 mod 4) are told too:
    // 3,075 rows.
    expect(items.length).toBe(3075);
    expect(items.some((i) => /[\n\r",]/.test(i.name))).toBe(true);
    const eventCsv = await csv(t, token, '/api/v1/events/csv-1/affected?format=csv');
    expect(eventCsv).toBe(
      stringify(
        items.map((i) => record(i, true)),
        { header: true, columns: HEADER },
      ),
    );

    const caseItems = await allItems(t, token, '/api/v1/cases/case-csv/affected');
    expect(caseItems.length).toBe(items.length);
    const caseCsv = await csv(t, token, '/api/v1/cases/case-csv/affected?format=csv');
    expect(caseCsv).toBe(
      stringify(
        caseItems.map((i) => record(i, false)),
        { header: true, columns: HEADER.slice(0, 7) },
      ),
    );
  });

  it('filters with hostile values (quotes, backslashes, $n, SQL) give the rows the JSON pages give', async () => {
    const filters: Record<string, string>[] = [
      { q: "O'Brien \\ Sons" },
      { q: "'; DROP TABLE customers; --" },
      { q: '$1' },
      { q: "\\'" },
      { q: '%' },
      { accountManager: "jane@vendor.example' OR 'a'='a" },
      { accountManager: 'JANE@vendor.example', tier: 'enterprise' },
      { country: 'SG', product: 'claude-weights' },
    ];
    let nonEmpty = 0;
    for (const f of filters) {
      const query = new URLSearchParams(f).toString();
      const items = await allItems(t, token, `/api/v1/events/csv-1/affected?${query}`);
      if (items.length) nonEmpty++;
      const text = await csv(t, token, `/api/v1/events/csv-1/affected?format=csv&${query}`);
      expect([query, text]).toEqual([
        query,
        stringify(
          items.map((i) => record(i, true)),
          { header: true, columns: HEADER },
        ),
      ]);
    }
    // The name's text, "$1", the account manager with the tier and the country with the product match rows; "%" and
    // "\\'" are matched as text (no name holds them) and the injections match nothing.
    expect(nonEmpty).toBe(4);
    await withPg(t.env.db.url, async (c) => {
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM customers`);
      expect(rows[0].n).toBe(CUSTOMERS);
    });
  });

  it("an account manager's export holds their customers only, as their JSON pages do", async () => {
    const am = await t.userWithToken('account_manager', 'jane@vendor.example');
    const items = await allItems(t, am.token, '/api/v1/events/csv-1/affected');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.accountManager?.email === 'jane@vendor.example')).toBe(true);
    const text = await csv(t, am.token, '/api/v1/events/csv-1/affected?format=csv');
    expect(text).toBe(
      stringify(
        items.map((i) => record(i, true)),
        { header: true, columns: HEADER },
      ),
    );
  });

  it('downloads abandoned mid-stream leave no COPY behind and every connection usable', async () => {
    const whole = await csv(t, token, '/api/v1/events/csv-1/affected?format=csv');
    for (let i = 0; i < 12; i++) {
      const abort = new AbortController();
      const res = await fetch(`${t.url}/api/v1/events/csv-1/affected?format=csv`, {
        headers: { authorization: `Bearer ${token}` },
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
    // More abandoned exports than the pool has connections: a connection left mid-COPY would now fail or hang these.
    for (let i = 0; i < 3; i++) expect(await csv(t, token, '/api/v1/events/csv-1/affected?format=csv')).toBe(whole);
    const res = await api(t.url, 'GET', '/api/v1/events/csv-1/affected?pageSize=5', { token });
    expect(res.status).toBe(200);
    await withPg(t.env.db.url, (c) =>
      waitFor(
        'no COPY session left running',
        async () => {
          const { rows } = await c.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (%' AND state <> 'idle'`,
          );
          return rows[0].n === 0;
        },
        10_000,
      ),
    );
  });

  it('a list with no rows is the header alone', async () => {
    const text = await csv(t, token, '/api/v1/events/csv-1/affected?format=csv&q=no-such-customer');
    expect(text).toBe(`${HEADER.join(',')}\n`);
  });
});
