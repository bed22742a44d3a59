// Hostile registry files: a 50 MB line, binary data, CSV quote bombs. Each gives a clear report and applies nothing;
// the big ones run through the CLI as a separate process whose peak RSS (VmHWM) is watched while it runs.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportError, ImportReport } from '../../src/registry/import/import.types';
import { startTestApp, TestApp } from '../support/app';
import { importText, jsonl, seedProducts, snapshot } from '../support/registry-import';

const ROOT = join(__dirname, '..', '..');
const MB = 1024 * 1024;
const PEAK_RSS_LIMIT_KB = 300 * 1024;
const HEADER =
  'ref,name,tier,country,account_manager_email,account_manager_name,contact_email,contact_name,contact_locale,contact_role,products\n';

interface CliRun {
  code: number | null;
  report: ImportReport;
  peakKb: number;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Runs `registry:import FILE --json` as production would, polling the child's peak RSS until it exits. */
async function cliImport(env: Record<string, string>, file: string): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=192', join(ROOT, 'dist/src/cli/main.js'), 'registry:import', file, '--json'],
    { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // gone already
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(poll);
  const json = stdout.slice(stdout.indexOf('{\n'));
  if (!json.startsWith('{'))
    throw new Error(`no JSON report (exit ${code}): ${stdout.slice(-2000)} ${stderr.slice(-2000)}`);
  return { code, report: JSON.parse(json) as ImportReport, peakKb, stderr };
}

/** Writes `head`, then `body` repeated until `size` bytes, then `tail`, without holding the file in memory. */
function writeFile(path: string, head: string, body: string | Buffer, size: number, tail = ''): string {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    const unit = typeof body === 'string' ? Buffer.from(body) : body;
    const block = Buffer.concat(Array(Math.max(1, Math.floor(MB / unit.length))).fill(unit));
    for (let n = 0; n < size; n += block.length) writeSync(fd, block);
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
  return path;
}

const notApplied = (r: ImportReport) => {
  expect(r.applied).toBe(false);
  expect(r.errorCount).toBeGreaterThanOrEqual(1);
  expect(r.customers).toEqual({ created: 0, updated: 0, deactivated: 0 });
};

describe('faults: hostile registry files', () => {
  let t: TestApp;
  let dir: string;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'impact-bad-imports-'));
    t = await startTestApp('faults-bad-imports');
    await seedProducts(t);
    const keep = {
      ref: 'KEEP-1',
      name: 'Kept',
      tier: 'developer',
      country: 'FR',
      subscriptions: [{ product: 'claude-api' }],
    };
    expect((await importText(t, jsonl(keep), { format: 'jsonl' })).applied).toBe(true);
    before = await snapshot(t.env.db.url);
  });
  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });
  afterEach(async () => {
    expect(await snapshot(t.env.db.url)).toEqual(before);
  });

  describe('through the CLI, with memory bounded', () => {
    const cases: [name: string, file: () => string, expected: ImportError][] = [
      [
        'JSON Lines: one 50 MB line without a newline',
        () => writeFile(join(dir, 'long.jsonl'), '{"ref":"BIG","name":"', 'x', 50 * MB),
        { line: 1, field: '', message: expect.stringMatching(/^line 1 is longer than 1 MB/) },
      ],
      [
        'CSV: a 50 MB field',
        () => writeFile(join(dir, 'field.csv'), `${HEADER}BIG,"`, 'y', 50 * MB, '",developer,FR\n'),
        { line: 2, field: '', message: expect.stringMatching(/^line 2 is longer than 1 MB/) },
      ],
      [
        'CSV: a quote never closed, then 30 MB of text with commas and newlines',
        () => writeFile(join(dir, 'bomb.csv'), `${HEADER}A,"never closed,`, 'text, more, text\n', 30 * MB),
        { line: 2, field: '', message: expect.stringMatching(/CSV record starting on line 2 is longer than 1 MB/) },
      ],
    ];

    it.each(cases)('%s', async (_name, make, expected) => {
      const run = await cliImport(t.env.env, make());
      expect(run.code).toBe(1);
      notApplied(run.report);
      expect(run.report.errors).toEqual([expected]);
      expect(run.peakKb).toBeGreaterThan(0);
      expect(run.peakKb).toBeLessThan(PEAK_RSS_LIMIT_KB);
    });

    it('CSV: many rows of """""""" give one capped report', async () => {
      const file = writeFile(join(dir, 'quotes.csv'), HEADER, '""""""""\n""""""""""""""""\n', MB / 2);
      const run = await cliImport(t.env.env, file);
      expect(run.code).toBe(1);
      notApplied(run.report);
      expect(run.report.errorCount).toBeGreaterThan(20_000);
      expect(run.report.errors).toHaveLength(1000);
      expect(run.report.errors[0]).toEqual({ line: 2, field: '', message: expect.stringMatching(/malformed CSV/) });
      expect(run.peakKb).toBeLessThan(PEAK_RSS_LIMIT_KB);
    });
  });

  describe('binary data', () => {
    const PNG = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from(
        '0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8ffff3f0005fe02fe0dc7a3',
        'hex',
      ),
    ]);
    const inputs: [string, Buffer][] = [
      ['random bytes', randomBytes(256 * 1024)],
      ['a PNG file', PNG],
      ['NUL bytes', Buffer.alloc(64 * 1024)],
      ['NUL bytes among lines', Buffer.from('\u0000\u0000\u0000\n\u0000{}\n')],
    ];
    const REASON = /not valid UTF-8|malformed|JSON object|unknown column|header|longer than/;

    it.each(inputs)('as JSON Lines: %s', async (_name, bytes) => {
      const report = await importText(t, bytes, { format: 'jsonl', chunk: 4096 });
      notApplied(report);
      for (const e of report.errors) expect(e.message).toMatch(REASON);
      for (const e of report.errors) expect(e.message.length).toBeLessThan(1000);
    });

    it.each(inputs)('as CSV: %s', async (_name, bytes) => {
      const report = await importText(t, bytes, { format: 'csv', chunk: 4096 });
      notApplied(report);
      for (const e of report.errors) expect(e.message).toMatch(REASON);
      for (const e of report.errors) expect(e.message.length).toBeLessThan(1000);
    });

    it('a PNG names line 1 as not UTF-8', async () => {
      const report = await importText(t, PNG, { format: 'jsonl' });
      expect(report.errors[0]).toEqual({ line: 1, field: '', message: 'line is not valid UTF-8' });
    });
  });
});
