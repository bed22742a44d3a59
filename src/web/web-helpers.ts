// Handlebars helpers of the web views: formatting only, no logic.
import type Handlebars from 'handlebars';

export function formatTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function registerWebHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('time', (v: unknown) => formatTime(v));
  hbs.registerHelper('join', (v: unknown, sep: unknown) =>
    Array.isArray(v) ? v.join(typeof sep === 'string' ? sep : ', ') : '',
  );
  hbs.registerHelper('json', (v: unknown) => JSON.stringify(v, null, 2));
  hbs.registerHelper('enc', (v: unknown) => encodeURIComponent(String(v ?? '')));
  hbs.registerHelper('human', (v: unknown) => String(v ?? '').replace(/[_-]/g, ' '));
}
