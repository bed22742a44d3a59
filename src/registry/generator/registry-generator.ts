// Deterministic, streamed registry generator for the demo, the benchmark and `registry:generate`.
import { Readable } from 'node:stream';
import type { ImportFormat } from '../import/import.types';
import type { Tier } from '../../domain/registry.types';
import {
  ACCOUNT_MANAGERS,
  CONTACT_LOCALS,
  CONTACT_ROLES,
  COUNTRIES,
  NAME_PARTS,
  PRODUCT_WEIGHTS,
  type CountryProfile,
} from './generator-data';

export interface GeneratedCustomer {
  ref: string;
  name: string;
  tier: Tier;
  country: string;
  accountManager?: { email: string; name: string };
  contacts: { email: string; name: string; locale: string; role: string; notices?: boolean }[];
  subscriptions: { product: string; country?: string }[];
}

export interface GenerateOptions {
  customers: number;
  seed: number;
  /** Ref prefix, so that two generated registries can coexist. */
  refPrefix?: string;
}

/** mulberry32: a tiny, fast 32-bit PRNG; the same seed always gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(items: T[], weightOf: (t: T) => number): (r: number) => T {
  const cumulative: number[] = [];
  let sum = 0;
  for (const i of items) cumulative.push((sum += weightOf(i)));
  return (r) => {
    const x = r * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  };
}

const pickCountry = weighted(COUNTRIES, (c) => c.weight);
const pickDevProduct = weighted(
  PRODUCT_WEIGHTS.filter((p) => p[1] > 0),
  (p) => p[1],
);
const pickEntProduct = weighted(PRODUCT_WEIGHTS, (p) => p[2]);

/** Customers one by one; nothing is kept between them, so any count streams in constant memory. */
export function* generateCustomers(opts: GenerateOptions): Generator<GeneratedCustomer> {
  const rnd = mulberry32(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const width = Math.max(6, String(opts.customers).length);
  for (let i = 1; i <= opts.customers; i++) {
    const country = pickCountry(rnd());
    const tier: Tier = rnd() < 0.85 ? 'developer' : 'enterprise';
    const ref = `${opts.refPrefix ?? 'CUST'}-${String(i).padStart(width, '0')}`;
    const name = customerName(country, tier, rnd, pick, i);
    const slug = `${asciiSlug(name) || 'customer'}-${i}`;
    const domain = `${slug}.${country.code.toLowerCase()}.example`;
    const contactCount = 1 + Math.floor(rnd() * 3);
    const contacts: GeneratedCustomer['contacts'] = [];
    const used = new Set<string>();
    for (let k = 0; k < contactCount; k++) {
      let local = pick(CONTACT_LOCALS);
      if (used.has(local)) local = `${local}${k + 1}`;
      used.add(local);
      const people = NAME_PARTS[country.names].people;
      const contact: GeneratedCustomer['contacts'][number] = {
        email: `${local}@${domain}`,
        name: pick(people),
        locale: rnd() < 0.8 ? country.locales[0] : pick(country.locales),
        role: pick(CONTACT_ROLES),
      };
      if (rnd() < 0.03) contact.notices = false;
      contacts.push(contact);
    }
    // Like SPEC §9's benchmark registry: about 2 contacts and 3 subscriptions per customer. Each product is
    // used at home, and half the customers also use it in one or two other destinations.
    const r = rnd();
    const productCount = r < 0.35 ? 1 : r < 0.75 ? 2 : 3;
    const products = new Set<string>();
    for (let k = 0; k < productCount * 3 && products.size < productCount; k++) {
      products.add((tier === 'enterprise' ? pickEntProduct : pickDevProduct)(rnd())[0]);
    }
    const x = rnd();
    const abroad =
      x < 0.5 ? [] : x < 0.8 ? [pickCountry(rnd()).code] : [pickCountry(rnd()).code, pickCountry(rnd()).code];
    const subscriptions: GeneratedCustomer['subscriptions'] = [];
    for (const product of products) {
      subscriptions.push({ product });
      for (const dest of new Set(abroad)) if (dest !== country.code) subscriptions.push({ product, country: dest });
    }
    const customer: GeneratedCustomer = { ref, name, tier, country: country.code, contacts, subscriptions };
    if (tier === 'enterprise') customer.accountManager = pick(ACCOUNT_MANAGERS);
    yield customer;
  }
}

function customerName(
  country: CountryProfile,
  tier: Tier,
  rnd: () => number,
  pick: <T>(xs: readonly T[]) => T,
  i: number,
): string {
  const parts = NAME_PARTS[country.names];
  // Individual developers often register under their own name.
  if (tier === 'developer' && rnd() < 0.4) return pick(parts.people);
  let name = `${pick(parts.first)}${pick(parts.second)} ${pick(country.forms)}`;
  const odd = rnd();
  // A few names as CRM exports hold them: a line break, or markup that must render as text.
  if (odd < 0.002) name += '\nAbteilung IT';
  else if (odd < 0.003) name = `<script>alert(${i})</script> ${name}`;
  return name;
}

function asciiSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** SPEC §2's columns, plus the optional contact_notices the importer also reads. */
const CSV_HEADER =
  'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products,contact_notices\n';

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One customer in the chosen format (CSV: a row per contact). */
export function formatCustomer(c: GeneratedCustomer, format: ImportFormat): string {
  if (format === 'jsonl') return JSON.stringify(c) + '\n';
  const products = c.subscriptions.map((s) => (s.country ? `${s.product}@${s.country}` : s.product)).join(';');
  const head = [c.ref, c.name, c.tier, c.country, c.accountManager?.email ?? '', c.accountManager?.name ?? '']
    .map(csvField)
    .join(',');
  const contacts = c.contacts.length ? c.contacts : [null];
  return contacts
    .map((k) => {
      const notices = k && k.notices === false ? 'false' : '';
      return `${head},${[k?.email ?? '', k?.name ?? '', k?.locale ?? '', k?.role ?? '', products, notices].map(csvField).join(',')}\n`;
    })
    .join('');
}

/** The generated registry as a byte stream, in chunks of about 64 KB. */
export function generateRegistry(opts: GenerateOptions & { format: ImportFormat }): Readable {
  return Readable.from(
    (function* () {
      let buf = opts.format === 'csv' ? CSV_HEADER : '';
      for (const c of generateCustomers(opts)) {
        buf += formatCustomer(c, opts.format);
        if (buf.length >= 64 * 1024) {
          yield Buffer.from(buf, 'utf8');
          buf = '';
        }
      }
      if (buf) yield Buffer.from(buf, 'utf8');
    })(),
    { objectMode: false },
  );
}
