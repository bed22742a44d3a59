// Encodes a staged customer as one line of PostgreSQL COPY text format (arrays for its contacts and subscriptions).
import { hash } from 'node:crypto';
import type { StagedCustomer } from './import.types';

/** Columns of the staging table, in COPY order. */
export const STAGING_COLUMNS = [
  'seq',
  'line',
  'ref',
  'name',
  'tier',
  'country',
  'am_email',
  'am_name',
  'c_email',
  'c_name',
  'c_locale',
  'c_role',
  'c_notices',
  's_product',
  's_country',
  'w_url',
  'rows_digest',
] as const;

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** COPY text escaping of one field value; null is \N. */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return COPY_SPECIAL.test(v) ? v.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]) : v;
}

/** A PostgreSQL array literal of text values, every element quoted (so NULL, commas and braces stay data). */
export function textArray(values: (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    out += v === null ? 'NULL' : '"' + (/["\\]/.test(v) ? v.replace(/["\\]/g, '\\$&') : v) + '"';
  }
  return out + '}';
}

/** `seq` numbers the staged rows 1, 2, 3…: a fresh apply derives the new customers' ids from it. */
export function stagingRow(c: StagedCustomer, seq: number): string {
  return numberedRow(seq, stagingRowTail(c));
}

/** A row from `stagingRowTail` with its `seq` column put in front. */
export function numberedRow(seq: number, tail: string): string {
  return `${seq}\t${tail}`;
}

/** The staging row without its leading `seq` column (parsed on a worker thread, numbered in file order later). */
export function stagingRowTail(c: StagedCustomer): string {
  const a = listTexts(c);
  return (
    `${c.line}\t${copyField(c.ref)}\t${copyField(c.name)}\t${c.tier}\t${c.country}\t${copyField(c.amEmail)}\t${copyField(c.amName)}\t` +
    `${copyField(a.emails)}\t${copyField(a.names)}\t${a.locales}\t${copyField(a.roles)}\t${a.notices}\t${a.products}\t${a.countries}\t` +
    `${copyField(c.webhookUrl ?? null)}\t${rowsDigest(a)}\n`
  );
}

/** A customer's contacts and subscriptions as the staging table's array literals, in its column order. */
function listTexts(c: StagedCustomer) {
  const emails: string[] = [];
  const names: string[] = [];
  const locales: string[] = [];
  const roles: (string | null)[] = [];
  const notices: string[] = [];
  for (const x of c.contacts) {
    emails.push(x.email);
    names.push(x.name);
    locales.push(x.locale);
    roles.push(x.role);
    notices.push(x.notices ? 't' : 'f');
  }
  const products: string[] = [];
  const countries: string[] = [];
  for (const s of c.subscriptions) {
    products.push(s.product);
    countries.push(s.country);
  }
  return {
    emails: textArray(emails),
    names: textArray(names),
    locales: textArray(locales),
    roles: textArray(roles),
    notices: `{${notices.join(',')}}`,
    products: textArray(products),
    countries: textArray(countries),
  };
}

/**
 * `customers.rows_digest`, as a COPY text field: the first 128 bits of SHA-256 over the customer's contacts and
 * subscriptions (the array literals, which quote every element), in bytea's hex form. An upsert compares the stored
 * rows only of customers whose digest differs from the file's (or is NULL), so only what imports write may be
 * digested: anything else that writes contacts or subscriptions must set it to NULL.
 */
function rowsDigest(a: ReturnType<typeof listTexts>): string {
  const text = `${a.emails}\t${a.names}\t${a.locales}\t${a.roles}\t${a.notices}\t${a.products}\t${a.countries}`;
  // One-shot hex output is the cheapest form here (no Buffer per customer); the backslash is COPY's escape.
  return '\\\\x' + hash('sha256', text, 'hex').slice(0, 32);
}

/** The registry tables an empty registry's JSON Lines load writes straight into, with their COPY columns. */
export const DIRECT_COLUMNS = {
  customers: ['id', 'ref', 'name', 'tier', 'country', 'am_email', 'am_name', 'rows_digest'],
  contacts: ['customer_id', 'email', 'name', 'locale', 'role', 'notices'],
  subscriptions: ['customer_id', 'product', 'country'],
  customer_webhooks: ['customer_id', 'url', 'secret'],
} as const;

export type DirectTable = keyof typeof DIRECT_COLUMNS;

/** COPY text for each of DIRECT_COLUMNS' tables. */
export type DirectRows = Record<DirectTable, string>;

export const emptyDirectRows = (): DirectRows => ({
  customers: '',
  contacts: '',
  subscriptions: '',
  customer_webhooks: '',
});

/**
 * Appends a customer's rows of the registry tables to `out`, its id being `idBase + line - 1` (a line number is
 * known where the line is parsed, unlike its place among the valid customers); contacts and subscriptions in the
 * order the staging arrays hold them, and the endpoint with `secret` when the line sets one.
 */
export function appendDirectRows(out: DirectRows, c: StagedCustomer, idBase: number, secret: () => string): void {
  const id = idBase + c.line - 1;
  out.customers +=
    `${id}\t${copyField(c.ref)}\t${copyField(c.name)}\t${c.tier}\t${c.country}\t` +
    `${copyField(c.amEmail)}\t${copyField(c.amName)}\t${rowsDigest(listTexts(c))}\n`;
  for (const x of c.contacts) {
    out.contacts += `${id}\t${copyField(x.email)}\t${copyField(x.name)}\t${copyField(x.locale)}\t${copyField(x.role)}\t${x.notices ? 't' : 'f'}\n`;
  }
  for (const s of c.subscriptions) out.subscriptions += `${id}\t${copyField(s.product)}\t${s.country}\n`;
  if (c.webhookUrl) out.customer_webhooks += `${id}\t${copyField(c.webhookUrl)}\t${secret()}\n`;
}
