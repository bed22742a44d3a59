// `registry:import FILE [--sync] [--dry-run]`: streams a registry file into the database with a progress bar on stderr.
import { SingleBar } from 'cli-progress';
import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import { IMPORT_FORMATS, type ImportFormat, type ImportReport } from '../registry/import/import.types';
import { RegistryImportService } from '../registry/import/registry-import.service';

interface Options {
  sync?: boolean;
  dryRun?: boolean;
  format?: ImportFormat;
  json?: boolean;
}

const EXTENSIONS: Record<string, ImportFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

@Command({
  name: 'registry:import',
  arguments: '<file>',
  description: 'Import customers from a CSV or JSON Lines file (atomic; exit code 1 when any row is invalid)',
})
export class RegistryImportCommand extends CommandRunner {
  constructor(private readonly imports: RegistryImportService) {
    super();
  }

  async run([file]: string[], o: Options): Promise<void> {
    const format = o.format ?? EXTENSIONS[extname(file).toLowerCase()];
    if (!format)
      throw new Error(`cannot tell the format of ${file} from its extension: pass --format csv or --format jsonl`);
    const size = statSync(file).size;
    const bar = new SingleBar({
      stream: process.stderr,
      format:
        ' {bar} {percentage}% | {mb}/{totalMb} MB | {customers} customers, {rate}/s | {errors} errors | ETA {eta_formatted}',
      barsize: 30,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      etaBuffer: 50,
    });
    const started = Date.now();
    const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
    bar.start(size, 0, { mb: '0.0', totalMb: mb(size), customers: 0, rate: 0, errors: 0 });
    let report: ImportReport;
    try {
      report = await this.imports.import(
        createReadStream(file, { highWaterMark: 256 * 1024 }),
        { format, mode: o.sync ? 'sync' : 'upsert', dryRun: !!o.dryRun, localSource: true },
        { ...SYSTEM_ACTOR, email: 'cli' },
        (p) => {
          const secs = Math.max((Date.now() - started) / 1000, 0.001);
          bar.update(p.bytes, {
            mb: mb(p.bytes),
            customers: p.customers,
            rate: Math.round(p.customers / secs),
            errors: p.errors,
          });
        },
      );
    } finally {
      bar.stop();
    }
    const secs = (Date.now() - started) / 1000;
    process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : summary(report, secs));
    if (report.errorCount > 0) process.exitCode = 1;
  }

  @Option({ flags: '--sync', description: 'also deactivate every customer that is not in the file' })
  parseSync(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'validate only; change nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--format <format>', description: 'csv or jsonl (default: from the file extension)' })
  parseFormat(v: string): ImportFormat {
    if (!(IMPORT_FORMATS as readonly string[]).includes(v))
      throw new Error(`--format must be csv or jsonl (got "${v}")`);
    return v as ImportFormat;
  }

  @Option({ flags: '--json', description: 'print the report as JSON' })
  parseJson(): boolean {
    return true;
  }
}

function summary(r: ImportReport, secs: number): string {
  const state =
    r.errorCount > 0 ? 'NOT APPLIED: the file has errors' : r.dryRun ? 'dry run: nothing changed' : 'applied';
  const lines = [
    `import (${r.mode}): ${state}`,
    `customers: ${r.customers.created} created, ${r.customers.updated} updated, ${r.customers.deactivated} deactivated`,
    `contacts: ${r.contacts}, subscriptions: ${r.subscriptions}`,
    `time: ${secs.toFixed(1)} s`,
    `errors: ${r.errorCount}${r.errorCount > r.errors.length ? ` (the first ${r.errors.length} listed)` : ''}`,
    ...r.errors.map((e) => `  line ${e.line}${e.field ? ` [${e.field}]` : ''}: ${e.message}`),
  ];
  return lines.join('\n') + '\n';
}
