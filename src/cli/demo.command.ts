// `demo`: seeds a deterministic registry of about 2,000 customers and plays the case from the news with auto
// dispatch, printing who was told what after each step and where to read the mails.
import { InjectQueue } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Queue } from 'bullmq';
import { resolve } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import { startApp } from '../bootstrap';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isFinished } from '../domain/event-status';
import type { EventStatus } from '../domain/event.types';
import { QueueName } from '../domain/queue.types';
import { CatalogService } from '../registry/catalog.service';
import { ensureDemoProducts } from '../registry/generator/demo-products';
import { generateRegistry } from '../registry/generator/registry-generator';
import { RegistryImportService } from '../registry/import/registry-import.service';
import { demoCase } from './demo-case';
import { StatusLinks } from '../notices/status-link/status-links.service';
import { DemoRepository } from './demo.repository';

const DEMO_CUSTOMERS = 2000;
const DEMO_SEED = 20261126;
const DEMO_REF_PREFIX = 'DEMO';
const STEP_TIMEOUT_MS = 10 * 60_000;
const n = (x: number) => x.toLocaleString('en-US');

interface Options {
  customers: number;
}

@Command({
  name: 'demo',
  description: 'Seed a demo registry and play the export-halt case step by step (auto dispatch)',
})
export class DemoCommand extends CommandRunner {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly demo: DemoRepository,
    @InjectQueue(QueueName.SuspensionEvents) private readonly queue: Queue,
    private readonly imports: RegistryImportService,
    private readonly catalog: CatalogService,
  ) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    const customers = o.customers ?? DEMO_CUSTOMERS;
    const actor = { ...SYSTEM_ACTOR, email: 'demo' };
    const out = (s = '') => process.stdout.write(`${s}\n`);

    out(`Seeding the demo registry: ${n(customers)} customers (seed ${DEMO_SEED}) …`);
    await ensureDemoProducts(this.catalog, actor);
    const report = await this.imports.import(
      generateRegistry({ customers, seed: DEMO_SEED, refPrefix: DEMO_REF_PREFIX, format: 'jsonl' }),
      { format: 'jsonl', mode: 'upsert', dryRun: false, localSource: true },
      actor,
    );
    if (!report.applied)
      throw new Error(`the demo registry did not import: ${JSON.stringify(report.errors.slice(0, 5))}`);
    const reg = await this.demo.registrySummary(DEMO_REF_PREFIX);
    out(
      `  ${n(reg.customers)} customers in ${reg.countries} countries, ${n(reg.enterprise)} enterprise, ` +
        `${reg.managers} account managers, ${reg.locales} contact locales\n`,
    );

    // Workers run in this process, so the demo needs nothing else running.
    process.env.LOG_LEVEL ??= 'warn';
    const { app } = await startApp('worker');
    try {
      const runId = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const steps = demoCase(runId);
      for (const [i, e] of steps.entries()) {
        const started = Date.now();
        out(`Step ${i + 1}/${steps.length}  ${e.type}: ${e.title}`);
        await this.queue.add('event', e, { jobId: e.eventId });
        const status = await this.waitUntilDone(e.eventId);
        await this.printStep(e.eventId, status, (Date.now() - started) / 1000, out);
      }
      out(
        this.config.SMTP_URL
          ? `Mails went to ${this.config.SMTP_URL.replace(/\/\/[^@]*@/, '//')} (with docker compose, read them in Mailpit at http://localhost:8025).`
          : `Mails were written as .eml files into ${resolve(this.config.OUTBOX_DIR)} (open them with any mail client).`,
      );
      out(`Case page: ${this.config.PUBLIC_BASE_URL}/status/${steps[0].caseId}`);
      const example = await this.demo.mostToldCustomer(steps[0].caseId);
      if (example) {
        const link = app.get(StatusLinks).customerUrl(steps[0].caseId, example.id, example.locale);
        out(`Status link of ${example.ref} (${example.name}), as in its notices: ${link}`);
        out('  (open it while `npm start` runs: it shows what of theirs is suspended now and what each step changed)');
      }
    } finally {
      await app.close();
    }
  }

  private async waitUntilDone(eventId: string): Promise<EventStatus> {
    const until = Date.now() + STEP_TIMEOUT_MS;
    let last = '';
    while (Date.now() < until) {
      const row = await this.demo.progress(eventId);
      if (row && isFinished(row.status)) return row.status;
      const line = row ? `  … ${row.status}, ${n(row.sent)} sent, ${n(row.open)} to go` : '  … waiting for a worker';
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`event ${eventId} did not finish within ${STEP_TIMEOUT_MS / 60000} minutes`);
  }

  private async printStep(eventId: string, status: string, seconds: number, out: (s?: string) => void): Promise<void> {
    const { reasons, kinds, mails, locales } = await this.demo.step(eventId);
    if (status === 'rejected') {
      out(`  REJECTED: ${reasons.join('; ')}\n`);
      return;
    }
    if (!kinds.length) out('  nobody is affected by this step');
    for (const k of kinds) {
      out(`  ${k.kind.padEnd(16)} ${n(k.customers).padStart(6)} customers (${n(k.enterprise)} enterprise)`);
    }
    const byState = mails.map((m) => `${m.kind} ${m.status} ${n(m.n)}`);
    out(`  mails: ${byState.join(', ') || 'none'}`);
    const top = locales.slice(0, 8).map((l) => `${l.locale} ${n(l.n)}`);
    out(`  contact languages: ${top.join(', ') || '-'}${locales.length > 8 ? ` and ${locales.length - 8} more` : ''}`);
    out(`  done in ${seconds.toFixed(1)} s\n`);
  }

  @Option({ flags: '--customers <n>', description: `registry size (default ${DEMO_CUSTOMERS})` })
  parseCustomers(v: string): number {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 10 || x > 1_000_000)
      throw new Error('--customers must be a whole number from 10 to 1000000');
    return x;
  }
}
