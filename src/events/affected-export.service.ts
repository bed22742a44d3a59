// Streams every row of an affected-customer list as CSV with constant memory (keyset pages of the same query).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { toItem, type AffectedItem } from './affected.repository';

const CHUNK = 5000;

const COLUMNS = ['ref', 'name', 'tier', 'country', 'account_manager_email', 'account_manager_name', 'subscriptions', 'kind', 'delivery_status'];

function toRecord(i: AffectedItem, withKind: boolean): string[] {
  const rec = [
    i.ref,
    i.name,
    i.tier,
    i.country,
    i.accountManager?.email ?? '',
    i.accountManager?.name ?? '',
    i.subscriptions.map((s) => `${s.product}@${s.country}`).join(';'),
  ];
  return withKind ? [...rec, i.kind ?? '', i.deliveryStatus ?? ''] : rec;
}

@Injectable()
export class AffectedExportService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes the CSV of `query` (rows ordered by ref) to `out`; resolves with the number of rows. */
  async stream(query: { sql: string; params: unknown[] }, withKind: boolean, out: Writable): Promise<number> {
    const csv = stringify({ header: true, columns: withKind ? COLUMNS : COLUMNS.slice(0, 7) });
    csv.pipe(out);
    // Keyset paging on the unique ref: the base query's ORDER BY is replaced by ref order.
    const base = query.sql.replace(/ORDER BY [^)]*$/s, '');
    let last = '';
    let rows = 0;
    for (;;) {
      const n = query.params.length;
      const page = await this.dataSource.query(
        `SELECT * FROM (${base}) x WHERE x.ref COLLATE "C" > $${n + 1} ORDER BY x.ref COLLATE "C" LIMIT ${CHUNK}`,
        [...query.params, last],
      );
      for (const r of page) {
        if (!csv.write(toRecord(toItem(r), withKind))) await new Promise((res) => csv.once('drain', res));
      }
      rows += page.length;
      if (page.length < CHUNK) break;
      last = page[page.length - 1].ref;
    }
    await new Promise<void>((resolve, reject) => {
      out.once('finish', resolve);
      out.once('error', reject);
      csv.end();
    });
    return rows;
  }
}
