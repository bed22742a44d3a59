// Small view-model builders shared by the pages: query parsing, pagers, bars, country names.
import type { ArgumentMetadata, Type } from '@nestjs/common';
import countries from 'i18n-iso-countries';
import { appValidationPipe } from '../common/validation';
import { FINAL_DELIVERY_STATUSES } from '../domain/notice.types';

countries.registerLocale(require('i18n-iso-countries/langs/en.json'));

const pipe = appValidationPipe();

/** Validates a page's query with the API's DTO; empty form fields count as absent. */
export async function parseQuery<T extends object>(
  dto: Type<T>,
  raw: Record<string, unknown>,
  drop: string[] = [],
): Promise<T> {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => v !== '' && v !== undefined && !drop.includes(k)),
  );
  const meta: ArgumentMetadata = { type: 'query', metatype: dto };
  return (await pipe.transform(present, meta)) as T;
}

/** A query string of the non-empty values, e.g. to keep filters in pager and CSV links. */
export function queryString(values: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface Pager {
  page: number;
  pages: number;
  total: number;
  from: number;
  to: number;
  prevHref: string | null;
  nextHref: string | null;
}

export function pager(
  base: string,
  filters: Record<string, unknown>,
  p: { page: number; pageSize: number; total: number },
): Pager {
  const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
  const href = (page: number) =>
    base + queryString({ ...filters, page, pageSize: p.pageSize === 50 ? undefined : p.pageSize });
  return {
    page: p.page,
    pages,
    total: p.total,
    from: p.total === 0 ? 0 : (p.page - 1) * p.pageSize + 1,
    to: Math.min(p.total, p.page * p.pageSize),
    prevHref: p.page > 1 ? href(p.page - 1) : null,
    nextHref: p.page < pages ? href(p.page + 1) : null,
  };
}

export function countryName(code: string): string {
  return countries.getName(code, 'en') ?? code;
}

export interface Bar {
  key: string;
  label: string;
  n: number;
  /** Width of the bar, relative to the largest one. */
  pct: number;
}

export function bars(rows: { key: string; n: number }[], label: (key: string) => string = (k) => k, limit = 30): Bar[] {
  const max = Math.max(1, ...rows.map((r) => r.n));
  return rows
    .slice(0, limit)
    .map((r) => ({ key: r.key, label: label(r.key), n: r.n, pct: Math.max(1, Math.round((r.n / max) * 100)) }));
}

export function percentOf(done: number, total: number): number {
  return total === 0 ? 0 : Math.floor((done / total) * 100);
}

/** Notices done (sent, failed or cancelled) out of all, for the progress bar. */
export function progressOf(counts: Record<string, number>): { total: number; done: number; percent: number } {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = FINAL_DELIVERY_STATUSES.reduce((n, s) => n + (counts[s] ?? 0), 0);
  return { total, done, percent: percentOf(done, total) };
}

export function enc(value: string): string {
  return encodeURIComponent(value);
}
