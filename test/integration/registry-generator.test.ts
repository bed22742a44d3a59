import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { CatalogService } from '../../src/registry/catalog.service';
import { ensureDemoProducts } from '../../src/registry/generator/demo-products';
import { generateRegistry } from '../../src/registry/generator/registry-generator';
import { RegistryImportService } from '../../src/registry/import/registry-import.service';
import { startTestApp, TestApp } from '../support/app';
import { snapshot } from '../support/registry-import';

const ROOT = join(__dirname, '..', '..');

async function bytesOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('registry generator', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('registry-generator');
    await ensureDemoProducts(t.app.get(CatalogService), SYSTEM_ACTOR);
  });
  afterAll(() => t.close());

  it('gives the same bytes for the same seed, other bytes for another seed', async () => {
    for (const format of ['jsonl', 'csv'] as const) {
      const a = await bytesOf(generateRegistry({ customers: 300, seed: 11, format }));
      const b = await bytesOf(generateRegistry({ customers: 300, seed: 11, format }));
      const c = await bytesOf(generateRegistry({ customers: 300, seed: 12, format }));
      expect(a.equals(b)).toBe(true);
      expect(a.equals(c)).toBe(false);
    }
  });

  it('writes a realistic registry that imports with zero errors, the same from CSV as from JSON Lines', async () => {
    const imports = t.app.get(RegistryImportService);
    const n = 2000;
    const fromJsonl = await imports.import(
      generateRegistry({ customers: n, seed: 5, format: 'jsonl' }),
      { format: 'jsonl', mode: 'upsert', dryRun: false },
      SYSTEM_ACTOR,
    );
    expect(fromJsonl).toMatchObject({ applied: true, errorCount: 0, customers: { created: n } });
    const s = await snapshot(t.env.db.url);
    const customers = s.customers as { country: string; tier: string; am_email: string | null }[];
    expect(new Set(customers.map((c) => c.country)).size).toBeGreaterThanOrEqual(40);
    const enterprise = customers.filter((c) => c.tier === 'enterprise');
    expect(enterprise.length / n).toBeGreaterThan(0.1);
    expect(enterprise.length / n).toBeLessThan(0.2);
    expect(new Set(enterprise.map((c) => c.am_email)).size).toBe(10);
    expect(customers.filter((c) => c.tier === 'developer' && c.am_email)).toHaveLength(0);
    const locales = new Set((s.contacts as { locale: string }[]).map((c) => c.locale));
    for (const l of ['en', 'de', 'fr', 'ja', 'pt-BR', 'es']) expect(locales).toContain(l);
    expect(s.contacts.length / n).toBeGreaterThan(1.7);
    expect(s.subscriptions.length / n).toBeGreaterThan(2.5);
    const subs = s.subscriptions as { ref: string; country: string }[];
    const home = new Map(s.customers.map((c: any) => [c.ref, c.country]));
    expect(subs.filter((x) => x.country !== home.get(x.ref)).length).toBeGreaterThan(n / 10);

    const fromCsv = await imports.import(
      generateRegistry({ customers: n, seed: 5, format: 'csv' }),
      { format: 'csv', mode: 'sync', dryRun: false },
      SYSTEM_ACTOR,
    );
    expect(fromCsv).toMatchObject({
      applied: true,
      errorCount: 0,
      customers: { created: 0, updated: n, deactivated: 0 },
    });
    expect(await snapshot(t.env.db.url)).toEqual(s);
  });

  it('CLI: registry:generate and registry:import (progress on stderr, report on stdout, exit 1 when invalid)', async () => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js')))
      throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
    const dir = mkdtempSync(join(tmpdir(), 'registry-cli-'));
    try {
      const env = t.env.env;
      const file = join(dir, 'r.jsonl');
      const gen = await cli(
        ['registry:generate', '--customers', '500', '--seed', '3', '--format', 'jsonl', '--out', file],
        env,
      );
      expect(gen.code).toBe(0);
      const stdout = await cli(['registry:generate', '--customers', '500', '--seed', '3'], env);
      expect(
        Buffer.from(stdout.stdout).equals(
          await bytesOf(generateRegistry({ customers: 500, seed: 3, format: 'jsonl' })),
        ),
      ).toBe(true);

      const ok = await cli(['registry:import', file, '--sync'], env);
      expect(ok.stdout).toMatch(/import \(sync\): applied/);
      expect(ok.stdout).toMatch(/errors: 0/);
      expect(ok.stderr).toMatch(/customers/);
      expect(ok.code).toBe(0);

      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, 'ref,name,tier,country\nX-1,,developer,DE\n');
      const failed = await cli(['registry:import', bad, '--json'], env);
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({
        applied: false,
        errorCount: 1,
        errors: [{ line: 2, field: 'name' }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
