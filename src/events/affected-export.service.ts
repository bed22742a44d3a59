// Streams every row of an affected-customer list as CSV with constant memory (one COPY of one query).
import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { AffectedRepository, type AffectedQuery } from './affected.repository';

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
  stream(query: AffectedQuery, withKind: boolean, out: Writable): Promise<number> {
    return this.affected.copyCsv(query, (withKind ? COLUMNS : COLUMNS.slice(0, 7)).join(','), out);
  }
}
