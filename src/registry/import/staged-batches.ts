// Turns a registry file into batches of staging rows in file order: on worker threads for JSON Lines, where parsing
// and validation are most of an import's time, or in this thread (CSV, tests, IMPORT_PARSE_THREADS=0).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WebhookUrlPolicy } from '../../domain/webhook-url';
import { readCsv } from './csv-reader';
import type { ImportError, ImportFormat, ReadItem } from './import.types';
import { readJsonLines } from './jsonl-reader';
import { stagingRowTail } from './staging-row';
import { utf8Lines, type TextBatch } from './utf8-lines';

/** Staging rows (without their `seq` column) and line errors of a run of lines, with what the set-based checks need. */
export interface StagedBatch {
  rows: string[];
  errors: ImportError[];
  contacts: number;
  subscriptions: number;
  products: string[];
  countries: string[];
}

export function stageItems(items: Iterable<ReadItem>): StagedBatch {
  const out: StagedBatch = { rows: [], errors: [], contacts: 0, subscriptions: 0, products: [], countries: [] };
  const products = new Set<string>();
  const countries = new Set<string>();
  for (const item of items) {
    if ('error' in item) {
      out.errors.push(item.error);
      continue;
    }
    const c = item.customer;
    out.rows.push(stagingRowTail(c));
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

/** `policy` checks JSON Lines webhook URLs (WEBHOOK_ALLOW_PRIVATE). */
export function stagedBatches(
  source: AsyncIterable<Buffer | string>,
  format: ImportFormat,
  threads: number,
  policy: WebhookUrlPolicy,
): AsyncIterable<StagedBatch> {
  if (format === 'jsonl' && threads > 0 && existsSync(WORKER_SCRIPT)) return parallelJsonLines(source, threads, policy);
  return inThread(format === 'csv' ? readCsv(source) : readJsonLines(source, policy));
}

async function* inThread(batches: AsyncIterable<ReadItem[]>): AsyncGenerator<StagedBatch> {
  for await (const items of batches) yield stageItems(items);
}

/**
 * Line batches go round-robin to `threads` workers and come back in the order they were read, at most two per
 * worker in flight (memory stays flat). A line too long to read ends the file after the batches before it.
 */
async function* parallelJsonLines(
  source: AsyncIterable<Buffer | string>,
  threads: number,
  policy: WebhookUrlPolicy,
): AsyncGenerator<StagedBatch> {
  const workers = Array.from({ length: threads }, () => new StageWorker(policy));
  const pending: Promise<StagedBatch>[] = [];
  let n = 0;
  let readError: unknown = null;
  try {
    try {
      for await (const batch of utf8Lines(source)) {
        pending.push(workers[n++ % threads].stage(batch));
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

  stage(batch: TextBatch): Promise<StagedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const p = new Promise<StagedBatch>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(batch);
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
