// Streams every row of an affected-customer list as CSV with constant memory (one query read through a cursor).
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AffectedRepository, toItem, type AffectedItem, type AffectedQuery } from './affected.repository';

/** Rows per cursor round trip and per write: few round trips and socket writes, still only a few hundred kB. */
const BATCH = 2000;

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
    const columns = withKind ? COLUMNS : COLUMNS.slice(0, 7);
    let rows = 0;
    // A batch of rows becomes one string and one write: a write per row made the socket, not the query, the limit.
    async function* csv(source: AsyncIterable<Record<string, any>>) {
      let batch: string[][] = [];
      let header = true;
      for await (const r of source) {
        batch.push(toRecord(toItem(r), withKind));
        if (batch.length === BATCH) {
          yield stringify(batch, { header, columns });
          rows += batch.length;
          batch = [];
          header = false;
        }
      }
      if (batch.length || header) yield stringify(batch, { header, columns });
      rows += batch.length;
    }
    await this.affected.stream(query, BATCH, (source) => pipeline(Readable.from(csv(source), { objectMode: false }), out));
    return rows;
  }
}
