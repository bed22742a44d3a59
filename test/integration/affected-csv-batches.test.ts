// The CSV export writes rows in batches: across batch boundaries, and with no rows at all, the bytes must be what
// one csv-stringify stream over every row writes (the format the export always had).
import { stringify } from 'csv-stringify';
import { Writable } from 'node:stream';
import { AffectedExportService } from '../../src/events/affected-export.service';
import type { AffectedQuery, AffectedRepository } from '../../src/events/affected.repository';

const HEADER = ['ref', 'name', 'tier', 'country', 'account_manager_email', 'account_manager_name', 'subscriptions', 'kind', 'delivery_status'];

function row(i: number): Record<string, any> {
  return {
    ref: `C${String(i).padStart(6, '0')}`,
    name: i % 7 === 0 ? `Alpha, "the ${i}"\nLtd` : `Customer ${i}`,
    tier: i % 3 ? 'developer' : 'enterprise',
    country: 'JP',
    am_email: i % 5 ? null : 'jane@vendor.example',
    am_name: i % 10 ? null : 'Jane',
    subscriptions: i % 4 ? [{ product: 'api', country: 'JP' }, { product: 'weights', country: 'SG' }] : [],
    kind: 'suspended',
    delivery_status: 'pending',
  };
}

function fakeRepository(rows: Record<string, any>[]): AffectedRepository {
  return {
    stream: async (_q: AffectedQuery, _batch: number, consume: (r: AsyncIterable<Record<string, any>>) => Promise<unknown>) =>
      consume((async function* () {
        yield* rows;
      })()),
  } as unknown as AffectedRepository;
}

async function exportCsv(rows: Record<string, any>[]): Promise<{ text: string; count: number }> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const count = await new AffectedExportService(fakeRepository(rows)).stream({} as AffectedQuery, true, out);
  return { text: Buffer.concat(chunks).toString('utf8'), count };
}

async function expected(rows: Record<string, any>[]): Promise<string> {
  const csv = stringify({ header: true, columns: HEADER });
  let text = '';
  csv.on('data', (d) => (text += d));
  const done = new Promise((resolve) => csv.on('end', resolve));
  for (const r of rows) {
    csv.write([r.ref, r.name, r.tier, r.country, r.am_email ?? '', r.am_email ? (r.am_name ?? '') : '',
      r.subscriptions.map((s: any) => `${s.product}@${s.country}`).join(';'), r.kind, r.delivery_status]);
  }
  csv.end();
  await done;
  return text;
}

describe('affected CSV export in batches', () => {
  it.each([0, 1, 1999, 2000, 2001, 4500])('%i rows: same bytes as one csv-stringify stream', async (n) => {
    const rows = Array.from({ length: n }, (_, i) => row(i + 1));
    const { text, count } = await exportCsv(rows);
    expect(count).toBe(n);
    expect(text).toBe(await expected(rows));
    expect(text.split('\n')[0]).toBe(HEADER.join(','));
  });
});
