// A JSON Lines import parsed on worker threads (the compiled CLI's default) must give the same report and the same
// registry as one parsed in the importing thread, with errors spread over many line batches.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportReport } from '../../src/registry/import/import.types';
import { DEMO_PRODUCTS } from '../../src/registry/generator/generator-data';
import { formatCustomer, generateCustomers } from '../../src/registry/generator/registry-generator';
import { createTestDatabase, TestDatabase } from '../support/database';
import { withPg } from '../support/registry-fixture';
import { snapshot } from '../support/registry-import';

const ROOT = join(__dirname, '..', '..');
const CUSTOMERS = 6000;

function cli(
  dbUrl: string,
  args: string[],
  threads: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', IMPORT_PARSE_THREADS: String(threads) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function importWith(db: TestDatabase, file: string, threads: number): Promise<ImportReport> {
  // The first command creates the schema; the products must exist before the import.
  const user = await cli(
    db.url,
    ['users:create', '--email', 'ops@vendor.example', '--name', 'Ops', '--role', 'admin'],
    threads,
  );
  if (user.code !== 0) throw new Error(`users:create failed: ${user.stderr}`);
  await withPg(db.url, async (c) => {
    for (const p of DEMO_PRODUCTS)
      await c.query(`INSERT INTO products (code, name, category) VALUES ($1, $2, $3)`, [p.code, p.name, p.category]);
  });
  const run = await cli(db.url, ['registry:import', file, '--json'], threads);
  const json = run.stdout.slice(run.stdout.indexOf('{\n'));
  if (!json.startsWith('{'))
    throw new Error(`no report (exit ${run.code}): ${run.stdout.slice(-1000)} ${run.stderr.slice(-1000)}`);
  return JSON.parse(json) as ImportReport;
}

describe('registry import: JSON Lines parsed on worker threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-import-threads-'));
  const dbs: TestDatabase[] = [];

  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the same errors, in line order, and stages the same customers as the single-thread parser', async () => {
    const lines = [...generateCustomers({ customers: CUSTOMERS, seed: 7 })].map((c) =>
      formatCustomer(c, 'jsonl').trimEnd(),
    );
    // Problems far apart, so they land in different batches (and threads): bad JSON, an unknown field, a bad email,
    // a repeated ref, an unknown product, invalid UTF-8.
    lines[10] = '{"ref": broken';
    lines[1500] = lines[1500].replace('{', '{"colour":"red",');
    lines[3001] = JSON.stringify({
      ref: 'BAD-EMAIL',
      name: 'X',
      tier: 'developer',
      country: 'DE',
      contacts: [{ email: 'not-an-email' }],
    });
    lines[4200] = lines[5];
    lines[5100] = JSON.stringify({
      ref: 'UNKNOWN-PRODUCT',
      name: 'Y',
      tier: 'developer',
      country: 'DE',
      subscriptions: [{ product: 'no-such-product' }],
    });
    const file = join(dir, 'registry.jsonl');
    const body = Buffer.from(lines.join('\n') + '\n');
    const bad = Buffer.from('{"ref":"LATIN1","name":"caf\xe9","tier":"developer","country":"DE"}\n', 'latin1');
    writeFileSync(file, Buffer.concat([body, bad]));

    const [threaded, single] = await Promise.all([
      createTestDatabase('import-threads-2').then(async (db) => (dbs.push(db), importWith(db, file, 2))),
      createTestDatabase('import-threads-0').then(async (db) => (dbs.push(db), importWith(db, file, 0))),
    ]);
    expect(threaded).toEqual(single);
    expect(threaded.applied).toBe(false);
    const lineNumbers = threaded.errors.map((e) => e.line);
    expect(lineNumbers).toEqual([...lineNumbers].sort((a, b) => a - b));
    expect(lineNumbers).toEqual(expect.arrayContaining([11, 1501, 3002, 4201, 5101, CUSTOMERS + 1]));
    expect(threaded.errors.find((e) => e.line === CUSTOMERS + 1)?.message).toBe('line is not valid UTF-8');
  });

  it('applies a clean file to the same registry either way', async () => {
    const file = join(dir, 'clean.jsonl');
    writeFileSync(
      file,
      [...generateCustomers({ customers: CUSTOMERS, seed: 11 })].map((c) => formatCustomer(c, 'jsonl')).join(''),
    );
    const a = await createTestDatabase('import-threads-clean-2');
    const b = await createTestDatabase('import-threads-clean-0');
    dbs.push(a, b);
    const [threaded, single] = await Promise.all([importWith(a, file, 2), importWith(b, file, 0)]);
    expect(threaded).toEqual(single);
    expect(threaded).toMatchObject({ applied: true, errorCount: 0, customers: { created: CUSTOMERS } });
    expect(await snapshot(a.url)).toEqual(await snapshot(b.url));
  });
});
