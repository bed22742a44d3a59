// `registry:generate --customers N --seed S --format jsonl|csv [--out FILE]`: a deterministic demo/benchmark registry.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command, CommandRunner, Option } from 'nest-commander';
import { generateRegistry } from '../registry/generator/registry-generator';
import { IMPORT_FORMATS, type ImportFormat } from '../registry/import/import.types';

interface Options {
  customers?: number;
  seed?: number;
  format?: ImportFormat;
  out?: string;
}

@Command({
  name: 'registry:generate',
  description: 'Write a deterministic, realistic registry (same seed, same bytes) to --out or standard output',
})
export class RegistryGenerateCommand extends CommandRunner {
  async run(_: string[], o: Options): Promise<void> {
    const stream = generateRegistry({ customers: o.customers ?? 1000, seed: o.seed ?? 1, format: o.format ?? 'jsonl' });
    await pipeline(stream, o.out ? createWriteStream(o.out) : process.stdout);
  }

  @Option({ flags: '--customers <n>', description: 'number of customers (default 1000)' })
  parseCustomers(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--customers must be a whole number (got "${v}")`);
    return n;
  }

  @Option({ flags: '--seed <s>', description: 'PRNG seed (default 1)' })
  parseSeed(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--seed must be an integer (got "${v}")`);
    return n;
  }

  @Option({ flags: '--format <format>', description: 'jsonl (default) or csv' })
  parseFormat(v: string): ImportFormat {
    if (!(IMPORT_FORMATS as readonly string[]).includes(v))
      throw new Error(`--format must be csv or jsonl (got "${v}")`);
    return v as ImportFormat;
  }

  @Option({ flags: '--out <file>', description: 'output file (default: standard output)' })
  parseOut(v: string): string {
    return v;
  }
}
