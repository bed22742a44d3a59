// Helpers for registry tests: run an import in-process and read back the registry as plain rows.
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { CatalogService } from '../../src/registry/catalog.service';
import type { ImportFormat, ImportMode, ImportReport } from '../../src/registry/import/import.types';
import { RegistryImportService } from '../../src/registry/import/registry-import.service';
import type { TestApp } from './app';

export async function importText(
  t: TestApp,
  text: string | Buffer,
  opts: { format: ImportFormat; mode?: ImportMode; dryRun?: boolean; chunk?: number; localSource?: boolean },
): Promise<ImportReport> {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // Small chunks exercise lines and characters cut across reads.
  const size = opts.chunk ?? 7;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return t.app.get(RegistryImportService).import(
    Readable.from(chunks),
    // As the CLI reads a file (an empty registry's JSON Lines then load directly); `localSource: false` as an upload.
    {
      format: opts.format,
      mode: opts.mode ?? 'upsert',
      dryRun: opts.dryRun ?? false,
      localSource: opts.localSource ?? true,
    },
    SYSTEM_ACTOR,
  );
}

export async function seedProducts(
  t: TestApp,
  codes: string[] = ['claude-api', 'claude-code', 'claude-weights'],
): Promise<void> {
  const catalog = t.app.get(CatalogService);
  for (const code of codes)
    await catalog.putProduct(SYSTEM_ACTOR, { code, name: code.toUpperCase(), category: 'hosted-api' });
}

/**
 * A JSON Lines customer with one French contact and a subscription to claude-api everywhere; `extra` overrides or adds
 * fields.
 */
export const goodCustomer = (ref: string, extra: Record<string, unknown> = {}) => ({
  ref,
  name: `Customer ${ref}`,
  tier: 'developer',
  country: 'FR',
  contacts: [{ email: `ops@${ref.toLowerCase()}.example`, locale: 'fr' }],
  subscriptions: [{ product: 'claude-api' }],
  ...extra,
});

/** The registry tables' constraints and indexes, by name and definition, so a load can be shown to keep them. */
export async function registrySchema(db: Client): Promise<unknown[]> {
  const r = await db.query(
    `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = ANY (ARRAY['customers', 'contacts', 'subscriptions']::regclass[])
     UNION ALL
     SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN ('customers', 'contacts', 'subscriptions')
     ORDER BY 1, 2, 3`,
  );
  return r.rows;
}

export interface RegistrySnapshot {
  customers: unknown[];
  contacts: unknown[];
  subscriptions: unknown[];
}

/** The whole registry as sorted plain rows, ids replaced by refs, so two databases compare equal. */
export async function snapshot(url: string): Promise<RegistrySnapshot> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const customers = await c.query(
      `SELECT ref, name, tier, country, am_email, am_name, active FROM customers ORDER BY ref`,
    );
    const contacts = await c.query(
      `SELECT cu.ref, ct.email, ct.name, ct.locale, ct.role, ct.notices
       FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id ORDER BY cu.ref, ct.email`,
    );
    const subscriptions = await c.query(
      `SELECT cu.ref, s.product, s.country FROM subscriptions s JOIN customers cu ON cu.id = s.customer_id
       ORDER BY cu.ref, s.product, s.country`,
    );
    return { customers: customers.rows, contacts: contacts.rows, subscriptions: subscriptions.rows };
  } finally {
    await c.end();
  }
}

export const jsonl = (...rows: unknown[]) =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
