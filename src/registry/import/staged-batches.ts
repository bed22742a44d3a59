// Turns a registry file into batches of staging rows in file order: on worker threads for JSON Lines, where parsing
// and validation are most of an import's time, or in this thread (CSV, tests, IMPORT_PARSE_THREADS=0).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WebhookUrlPolicy } from '../../domain/webhook-url';
import { generateWebhookSecret } from '../../domain/webhook-secret';
import { readCsv } from './csv-reader';
import type { ImportError, ImportFormat, ReadItem } from './import.types';
import { readJsonLines } from './jsonl-reader';
import { appendDirectRows, emptyDirectRows, stagingRowTail, type DirectRows } from './staging-row';
import { utf8Lines, type TextBatch } from './utf8-lines';

/**
 * The customers and line errors of a run of lines, with what the set-based checks need: as staging rows (without
 * their `seq` column), or, for a direct load (`idBase` given), as rows of the registry tables themselves.
 */
export interface StagedBatch {
  customers: number;
  rows: string[];
  direct: DirectRows | null;
  errors: ImportError[];
  contacts: number;
  subscriptions: number;
  products: string[];
  countries: string[];
  /** The last line holding a customer (0 if none). */
  lastLine: number;
}

/** `idBase`: encode for a direct load, customer ids being `idBase + line - 1`; absent: staging rows. */
export function stageItems(items: Iterable<ReadItem>, idBase?: number | null): StagedBatch {
  const direct = idBase == null ? null : emptyDirectRows();
  const out: StagedBatch = {
    customers: 0,
    rows: [],
    direct,
    errors: [],
    contacts: 0,
    subscriptions: 0,
    products: [],
    countries: [],
    lastLine: 0,
  };
  const products = new Set<string>();
  const countries = new Set<string>();
  for (const item of items) {
    if ('error' in item) {
      out.errors.push(item.error);
      continue;
    }
    const c = item.customer;
    if (direct) appendDirectRows(direct, c, idBase as number, generateWebhookSecret);
    else out.rows.push(stagingRowTail(c));
    out.customers++;
    out.lastLine = c.line;
    out.contacts += c.contacts.length;
    out.subscriptions += c.subscriptions.length;
    countries.add(c.country);
    for (const s of c.subscriptions) {
      products.add(s.product);
      countries.add(s.country);
    }
  }
  out.products = [...products];
  out.countries = [...countries];
  return out;
}

/** Compiled worker script; absent when running from TypeScript sources (tests), which then parse in this thread. */
const WORKER_SCRIPT = join(__dirname, 'jsonl-stage.worker.js');

/**
 * `policy` checks JSON Lines webhook URLs (WEBHOOK_ALLOW_PRIVATE); `idBase` (JSON Lines only) encodes the batches
 * for a direct load.
 */
export function stagedBatches(
  source: AsyncIterable<Buffer | string>,
  format: ImportFormat,
  threads: number,
  policy: WebhookUrlPolicy,
  idBase: number | null = null,
): AsyncIterable<StagedBatch> {
  if (idBase !== null && format !== 'jsonl') throw new Error('a direct load reads JSON Lines only');
  if (format === 'jsonl' && threads > 0 && existsSync(WORKER_SCRIPT))
    return parallelJsonLines(source, threads, policy, idBase);
  return inThread(format === 'csv' ? readCsv(source) : readJsonLines(source, policy), idBase);
}

async function* inThread(batches: AsyncIterable<ReadItem[]>, idBase: number | null): AsyncGenerator<StagedBatch> {
  for await (const items of batches) yield stageItems(items, idBase);
}

/**
 * Line batches go round-robin to `threads` workers and come back in the order they were read, at most two per
 * worker in flight (memory stays flat). A line too long to read ends the file after the batches before it.
 */
async function* parallelJsonLines(
  source: AsyncIterable<Buffer | string>,
  threads: number,
  policy: WebhookUrlPolicy,
  idBase: number | null,
): AsyncGenerator<StagedBatch> {
  const workers = Array.from({ length: threads }, () => new StageWorker(policy));
  const pending: Promise<StagedBatch>[] = [];
  let n = 0;
  let readError: unknown = null;
  try {
    try {
      for await (const batch of utf8Lines(source)) {
        pending.push(workers[n++ % threads].stage({ batch, idBase }));
        if (pending.length >= 2 * threads) yield await (pending.shift() as Promise<StagedBatch>);
      }
    } catch (e) {
      readError = e;
    }
    while (pending.length) yield await (pending.shift() as Promise<StagedBatch>);
    if (readError) throw readError;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** What a parse thread is sent: a batch of lines, and the id base of a direct load (null: staging rows). */
export interface StageMessage {
  batch: TextBatch;
  idBase: number | null;
}

class StageWorker {
  // A parse thread holds a batch or two at a time: a small heap of its own keeps the importer's RSS near one thread's.
  private readonly worker: Worker;
  private readonly waiting: { resolve: (b: StagedBatch) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(policy: WebhookUrlPolicy) {
    this.worker = new Worker(WORKER_SCRIPT, {
      workerData: { policy },
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    this.worker.on('message', (b: StagedBatch) => this.waiting.shift()?.resolve(b));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`import parser thread exited with code ${code}`)));
  }

  stage(message: StageMessage): Promise<StagedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<StagedBatch>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(message);
    // Awaited in order by the reader; this keeps a failure of a batch not yet awaited from going unhandled.
    p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('import parser closed');
    await this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}
