// Streams every row of an affected-customer list as CSV with constant memory (keyset chunks on the unique ref).
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { Writable } from 'node:stream';
import { AffectedRepository, toItem, type AffectedItem, type AffectedQuery } from './affected.repository';

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
  constructor(private readonly affected: AffectedRepository) {}

  /** Writes the CSV of `query` (every row, in ref order) to `out`; resolves with the number of rows. */
  async stream(query: AffectedQuery, withKind: boolean, out: Writable): Promise<number> {
    const csv = stringify({ header: true, columns: withKind ? COLUMNS : COLUMNS.slice(0, 7) });
    csv.pipe(out);
    let last = '';
    let rows = 0;
    for (;;) {
      const page = await this.affected.chunk(query, last, CHUNK);
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
