// Encodes a staged customer as one line of PostgreSQL COPY text format (arrays for its contacts and subscriptions).
import type { StagedCustomer } from './import.types';

/** Columns of the staging table, in COPY order. */
export const STAGING_COLUMNS = [
  'line', 'ref', 'name', 'tier', 'country', 'am_email', 'am_name',
  'c_email', 'c_name', 'c_locale', 'c_role', 'c_notices', 's_product', 's_country',
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

export function stagingRow(c: StagedCustomer): string {
  const contacts = c.contacts;
  return [
    String(c.line),
    copyField(c.ref),
    copyField(c.name),
    c.tier,
    c.country,
    copyField(c.amEmail),
    copyField(c.amName),
    copyField(textArray(contacts.map((x) => x.email))),
    copyField(textArray(contacts.map((x) => x.name))),
    copyField(textArray(contacts.map((x) => x.locale))),
    copyField(textArray(contacts.map((x) => x.role))),
    '{' + contacts.map((x) => (x.notices ? 't' : 'f')).join(',') + '}',
    copyField(textArray(c.subscriptions.map((s) => s.product))),
    textArray(c.subscriptions.map((s) => s.country)),
  ].join('\t') + '\n';
}
