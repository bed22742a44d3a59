// Reads a CSV registry (RFC 4180, one row per contact) and groups consecutive rows of one ref into a customer.
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import * as rules from './field-rules';
import {
  MAX_REPORTED_ERRORS,
  type ImportError,
  type ReadItem,
  type StagedContact,
  type StagedCustomer,
} from './import.types';
import { LineTooLongError, MAX_LINE_BYTES, utf8Lines } from './utf8-lines';

export const CSV_COLUMNS = [
  'ref',
  'name',
  'tier',
  'country',
  'account_manager_email',
  'account_manager_name',
  'contact_email',
  'contact_name',
  'contact_locale',
  'contact_role',
  'products',
] as const;
/** Optional extra column: whether the contact receives notices (default true). */
const OPTIONAL_COLUMNS = ['contact_notices'];
const REQUIRED_COLUMNS = ['ref', 'name', 'tier', 'country'];
const CUSTOMER_COLUMNS = [
  'name',
  'tier',
  'country',
  'account_manager_email',
  'account_manager_name',
  'products',
] as const;

type Row = Record<string, string>;

interface Group {
  line: number;
  ref: string;
  /** Customer fields in comparable form, to find rows of the ref that disagree. */
  key: Record<(typeof CUSTOMER_COLUMNS)[number], string>;
  customer: StagedCustomer | null;
  emails: Set<string>;
}

/** Items in batches, like readJsonLines. */
export async function* readCsv(source: AsyncIterable<Buffer | string>): AsyncGenerator<ReadItem[]> {
  let batch: ReadItem[] = [];
  for await (const item of readCsvItems(source)) {
    batch.push(item);
    if (batch.length >= 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Errors the parser reports between two records (skipped rows, lines not UTF-8). A file of nothing but bad rows
 * yields no record to drain them at, so past the report's cap only their number is kept: a report lists the first
 * errors by line, and these all come after the kept ones.
 */
class ParserErrors {
  private kept: ImportError[] = [];
  private more = 0;
  private last: ImportError | null = null;

  push(e: ImportError): void {
    if (this.kept.length < MAX_REPORTED_ERRORS) this.kept.push(e);
    else {
      this.more++;
      this.last = e;
    }
  }

  *drain(): Generator<ReadItem> {
    const kept = this.kept.splice(0);
    for (const error of kept) yield { error };
    for (; this.more > 0; this.more--) yield { error: this.last as ImportError };
  }
}

async function* readCsvItems(source: AsyncIterable<Buffer | string>): AsyncGenerator<ReadItem> {
  const errors = new ParserErrors();
  let lastRecordEnd = 0;
  const parser = parse({
    info: true,
    skip_records_with_error: true,
    skip_empty_lines: true,
    max_record_size: MAX_LINE_BYTES,
    on_record: (record: string[], info: { lines: number }) => {
      lastRecordEnd = info.lines;
      return record;
    },
  });
  parser.on('skip', (e: Error & { lines?: number; code?: string }) => {
    if (e.code === 'CSV_MAX_RECORD_SIZE') {
      // A quote never closed (or a huge field) would otherwise be buffered to the end of the file.
      const line = lastRecordEnd + 1;
      parser.destroy(new LineTooLongError(line, `the CSV record starting on line ${line}`));
      return;
    }
    // csv-parse quotes the field in some messages, and a field may be up to MAX_LINE_BYTES long.
    const message = e.message.length > 300 ? `${e.message.slice(0, 300)}…` : e.message;
    errors.push({ line: e.lines ?? 0, field: '', message: `malformed CSV: ${message}` });
  });
  // Invalid UTF-8 lines are reported and parsing goes on, so one import reports every problem.
  const text = Readable.from(
    (async function* () {
      for await (const batch of utf8Lines(source)) {
        for (const line of batch.invalidLines) errors.push({ line, field: '', message: 'line is not valid UTF-8' });
        yield batch.text;
      }
    })(),
    { objectMode: false },
  );
  text.on('error', (e) => parser.destroy(e));
  text.pipe(parser);

  try {
    yield* groupRecords(parser as AsyncIterable<{ record: string[]; info: { lines: number } }>, errors);
  } catch (e) {
    // Errors found before a line too long still belong in the report.
    yield* errors.drain();
    throw e;
  } finally {
    text.destroy(); // stops reading the source
  }
}

async function* groupRecords(
  records: AsyncIterable<{ record: string[]; info: { lines: number } }>,
  parserErrors: ParserErrors,
): AsyncGenerator<ReadItem> {
  const errors: ImportError[] = [];
  let header: string[] | null = null;
  let group: Group | null = null;
  for await (const { record, info } of records) {
    const line = startLine(record, info.lines);
    yield* parserErrors.drain();
    if (!header) {
      header = record.map((h) => h.trim().toLowerCase());
      const problems = checkHeader(header);
      if (problems.length) {
        for (const message of problems) yield { error: { line, field: '', message } };
        return; // without a usable header no row can be read
      }
      continue;
    }
    const row: Row = {};
    header.forEach((h, i) => (row[h] = record[i] ?? ''));
    const ref = rules.ref(row.ref);
    if (!ref.ok) {
      yield { error: { line, field: 'ref', message: `ref ${ref.message}` } };
      continue;
    }
    if (!group || group.ref !== ref.value) {
      if (group?.customer) yield { customer: group.customer };
      group = startGroup(line, ref.value, row, errors);
    } else {
      for (const col of CUSTOMER_COLUMNS) {
        if (comparable(col, row[col] ?? '') !== group.key[col]) {
          errors.push({ line, field: col, message: `${col} disagrees with line ${group.line} for ref ${group.ref}` });
          group.customer = null;
        }
      }
    }
    addContact(group, row, line, errors);
    yield* drain(errors);
  }
  yield* parserErrors.drain();
  if (group?.customer) yield { customer: group.customer };
}

/** csv-parse tells the line a record ends on; a quoted field may span several lines. */
function startLine(record: string[], endLine: number): number {
  let breaks = 0;
  for (const f of record) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) breaks++;
  return endLine - breaks;
}

function* drain(errors: ImportError[]): Generator<ReadItem> {
  for (const error of errors.splice(0)) yield { error };
}

/** A column name as shown in a message: escaped, and cut short (a binary file's "header" can be megabytes). */
const shown = (name: string) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);

function checkHeader(header: string[]): string[] {
  const known = new Set<string>([...CSV_COLUMNS, ...OPTIONAL_COLUMNS]);
  const problems = header
    .filter((h) => !known.has(h))
    .map((h) => `unknown column ${shown(h)} (expected ${CSV_COLUMNS.join(',')})`);
  for (const r of REQUIRED_COLUMNS) if (!header.includes(r)) problems.push(`the header has no "${r}" column`);
  const dup = header.filter((h, i) => header.indexOf(h) !== i);
  for (const d of new Set(dup)) problems.push(`column ${shown(d)} appears twice in the header`);
  return problems;
}

function comparable(col: (typeof CUSTOMER_COLUMNS)[number], v: string): string {
  const t = v.trim();
  if (col === 'country') return t.toUpperCase();
  if (col === 'account_manager_email') return t.toLowerCase();
  if (col === 'products')
    return tokens(t)
      .map((p) => p.replace(/@(.*)$/, (_, c: string) => '@' + c.trim().toUpperCase()))
      .sort()
      .join(';');
  return t;
}

const tokens = (products: string) =>
  products
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);

function startGroup(line: number, ref: string, row: Row, errors: ImportError[]): Group {
  const key = Object.fromEntries(CUSTOMER_COLUMNS.map((c) => [c, comparable(c, row[c] ?? '')])) as Group['key'];
  const before = errors.length;
  const take = <T>(field: string, c: rules.Checked<T>): T | undefined => {
    if (c.ok) return c.value;
    errors.push({ line, field, message: `${field} ${c.message}` });
    return undefined;
  };
  const name = take('name', rules.text(row.name, { required: true }));
  const tier = take('tier', rules.tier(row.tier?.trim()));
  const country = take('country', rules.country(row.country));
  const amEmail = take('account_manager_email', rules.email(row.account_manager_email, false)) ?? null;
  const amName = take('account_manager_name', rules.text(row.account_manager_name, { required: false })) ?? null;
  if (!amEmail && amName)
    errors.push({
      line,
      field: 'account_manager_email',
      message: 'account_manager_email is required when account_manager_name is given',
    });
  const subs: { product: string; country: string }[] = [];
  for (const token of tokens(row.products ?? '')) {
    const s = take('products', rules.productToken(token, country ?? 'XX'));
    if (s) subs.push(s);
  }
  const valid = errors.length === before && name && tier && country;
  const customer: StagedCustomer | null = valid
    ? {
        line,
        ref,
        name,
        tier,
        country,
        amEmail,
        amName,
        contacts: [],
        subscriptions: rules.normalizeSubscriptions(subs),
      }
    : null;
  return { line, ref, key, customer, emails: new Set() };
}

function addContact(group: Group, row: Row, line: number, errors: ImportError[]): void {
  const given = ['contact_email', 'contact_name', 'contact_locale', 'contact_role', 'contact_notices'].filter((c) =>
    (row[c] ?? '').trim(),
  );
  if (!given.length) return;
  const before = errors.length;
  const take = <T>(field: string, c: rules.Checked<T>): T | undefined => {
    if (c.ok) return c.value;
    errors.push({ line, field, message: `${field} ${c.message}` });
    return undefined;
  };
  const email = take('contact_email', rules.email(row.contact_email));
  const contact: StagedContact = {
    email: email ?? '',
    name: take('contact_name', rules.text(row.contact_name, { required: false })) ?? '',
    locale: take('contact_locale', rules.locale(row.contact_locale?.trim())) ?? 'en',
    role: take('contact_role', rules.text(row.contact_role, { required: false, max: 200 })) ?? null,
    notices: take('contact_notices', rules.bool(row.contact_notices, true)) ?? true,
  };
  if (email && group.emails.has(email)) {
    errors.push({ line, field: 'contact_email', message: `contact_email ${email} appears twice for ref ${group.ref}` });
  }
  if (email) group.emails.add(email);
  if (errors.length === before && group.customer) group.customer.contacts.push(contact);
  else group.customer = null;
}
