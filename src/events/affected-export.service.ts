// Streams every row of an affected-customer list as CSV with constant memory (one query read through a cursor).
import { Injectable } from '@nestjs/common';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AffectedRepository, type AffectedQuery } from './affected.repository';

/** Rows per cursor round trip and per write: few round trips and socket writes, still only a few hundred kB. */
const BATCH = 2000;

const COLUMNS = [
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

@Injectable()
export class AffectedExportService {
  constructor(private readonly affected: AffectedRepository) {}

  /** Writes the CSV of `query` (every row, in ref order) to `out`; resolves with the number of rows. */
  async stream(query: AffectedQuery, withKind: boolean, out: Writable): Promise<number> {
    const header = (withKind ? COLUMNS : COLUMNS.slice(0, 7)).join(',');
    let rows = 0;
    // The lines come formatted from PostgreSQL; a batch of them becomes one write (a write per row made the socket
    // the limit).
    async function* csv(source: AsyncIterable<{ line: string }>) {
      let batch: string[] = [header];
      for await (const r of source) {
        batch.push(r.line);
        if (batch.length === BATCH) {
          yield batch.join('\n') + '\n';
          rows += batch.length;
          batch = [];
        }
      }
      if (batch.length) yield batch.join('\n') + '\n';
      rows += batch.length;
    }
    await this.affected.csvLines(query, BATCH, (source) =>
      pipeline(Readable.from(csv(source), { objectMode: false }), out),
    );
    return rows - 1;
  }
}
