// Streams a registry file through validation into staging, checks it set-based, and applies it atomically (SPEC §2).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditService, type Actor } from '../../audit/audit.service';
import { CatalogRepository } from '../catalog.repository';
import { ImportErrors } from './import-errors';
import { ImportWebhooksRepository } from './import-webhooks.repository';
import type { ImportOptions, ImportReport } from './import.types';
import { RegistryApplyRepository } from './registry-apply.repository';
import { DirectCopy, RegistryDirectLoadRepository, type DirectLoad } from './registry-direct-load.repository';
import { RegistryImportRepository, type ImportSession } from './registry-import.repository';
import { stagedBatches } from './staged-batches';
import { numberedRow } from './staging-row';
import { LineTooLongError } from './utf8-lines';

export interface ImportProgress {
  bytes: number;
  customers: number;
  errors: number;
}

@Injectable()
export class RegistryImportService {
  private readonly logger = new Logger(RegistryImportService.name);

  constructor(
    private readonly repo: RegistryImportRepository,
    private readonly applier: RegistryApplyRepository,
    private readonly direct: RegistryDirectLoadRepository,
    private readonly webhooks: ImportWebhooksRepository,
    private readonly catalog: CatalogRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Imports a file read from `source`; never throws for bad content, only for I/O or database failures. */
  async import(
    source: AsyncIterable<Buffer | string>,
    opts: ImportOptions,
    actor: Actor,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    const started = Date.now();
    const errors = new ImportErrors();
    const session = await this.repo.openSession();
    try {
      // JSON Lines into an empty registry go straight into its tables (dry runs only stage: nothing is written).
      const direct =
        opts.format === 'jsonl' && opts.localSource && !opts.dryRun ? await this.direct.begin(session) : null;
      const staged = await this.stage(session, source, opts, errors, onProgress, direct);
      const stagedAt = Date.now();
      let checkedAt: number;
      let report: ImportReport;
      if (direct) {
        checkedAt = stagedAt;
        report = await this.finishDirect(session, direct, opts, staged, errors, actor);
      } else {
        await this.repo.analyze(session);
        await this.checkSetBased(session, opts, staged, errors);
        checkedAt = Date.now();
        report = await this.applyOrDiscard(session, opts, staged, errors, actor);
      }
      this.logger.log(
        `registry import (${opts.format}, ${opts.mode}${opts.dryRun ? ', dry run' : ''}${direct ? ', direct load' : ''}): ` +
          `${staged.customers} customers, ${errors.total} errors, applied=${report.applied}; ` +
          `parse+COPY ${stagedAt - started} ms, checks ${checkedAt - stagedAt} ms, apply ${Date.now() - checkedAt} ms`,
      );
      await this.repo.closeSession(session);
      return report;
    } catch (e) {
      await this.repo.closeSession(session, e as Error);
      throw e;
    }
  }

  private async stage(
    session: ImportSession,
    source: AsyncIterable<Buffer | string>,
    opts: ImportOptions,
    errors: ImportErrors,
    onProgress: ((p: ImportProgress) => void) | undefined,
    direct: DirectLoad | null,
  ): Promise<Staged> {
    const staged: Staged = {
      customers: 0,
      contacts: 0,
      subscriptions: 0,
      products: new Set<string>(),
      countries: new Set<string>(),
      lastLine: 0,
    };
    let bytes = 0;
    const counted = (async function* () {
      for await (const chunk of source) {
        bytes += chunk.length;
        onProgress?.({ bytes, customers: staged.customers, errors: errors.total });
        yield chunk;
      }
    })();
    const copy = direct ? null : this.repo.startCopy(session);
    const directCopy = direct ? new DirectCopy(session.client) : null;
    try {
      const policy = { allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE };
      const threads = this.config.IMPORT_PARSE_THREADS;
      for await (const batch of stagedBatches(counted, opts.format, threads, policy, direct?.idBase ?? null)) {
        for (const error of batch.errors) errors.add(error);
        staged.contacts += batch.contacts;
        staged.subscriptions += batch.subscriptions;
        staged.lastLine = Math.max(staged.lastLine, batch.lastLine);
        for (const p of batch.products) staged.products.add(p);
        for (const c of batch.countries) staged.countries.add(c);
        if (directCopy) {
          if (!batch.direct) throw new Error('a parse thread returned staging rows to a direct load');
          staged.customers += batch.customers;
          await directCopy.add(batch.direct);
        } else if (copy) {
          for (const row of batch.rows) if (copy.add(numberedRow(++staged.customers, row))) await copy.flush();
        }
      }
    } catch (e) {
      if (!(e instanceof LineTooLongError)) {
        copy?.abort(e as Error);
        throw e;
      }
      errors.add({ line: e.line, field: '', message: e.message });
    }
    await copy?.end();
    await directCopy?.end();
    onProgress?.({ bytes, customers: staged.customers, errors: errors.total });
    return staged;
  }

  private async checkSetBased(
    session: ImportSession,
    opts: ImportOptions,
    staged: { customers: number; products: Set<string>; countries: Set<string> },
    errors: ImportErrors,
  ): Promise<void> {
    const csv = opts.format === 'csv';
    refuseEmptySync(opts, staged, errors);
    errors.merge(await this.repo.repeatedRefErrors(session, opts.format, errors.cap));
    const products = await this.catalog.unknownProducts([...staged.products]);
    if (products.length) {
      errors.merge(
        await this.repo.unknownProductErrors(session, products, csv ? 'products' : 'subscriptions', errors.cap),
      );
    }
    const countries = await this.catalog.unknownCountries([...staged.countries]);
    if (countries.length) {
      const fields = { customer: 'country', subscription: csv ? 'products' : 'subscriptions' };
      errors.merge(await this.repo.unknownCountryErrors(session, countries, fields, errors.cap));
    }
  }

  /**
   * Ends a direct load: the file's errors (line errors, unknown codes, repeated refs) roll it back and are reported as
   * the staging checks report them; otherwise the indexes are built and the load commits with its audit entry.
   */
  private async finishDirect(
    session: ImportSession,
    load: DirectLoad,
    opts: ImportOptions,
    staged: Staged,
    errors: ImportErrors,
    actor: Actor,
  ): Promise<ImportReport> {
    refuseEmptySync(opts, staged, errors);
    // On the load's own connection: the pool's may all be waiting for this load's table locks.
    const unknown = {
      products: await this.catalog.unknownProducts([...staged.products], session.runner.manager),
      countries: await this.catalog.unknownCountries([...staged.countries], session.runner.manager),
    };
    const unknownErrors = await this.direct.unknownCodeErrors(session, load, unknown, errors.cap);
    const refs = { products: [...staged.products], countries: [...staged.countries] };
    // Merged in the staging checks' order (repeated refs, then unknown codes), so errors of one line keep it.
    // Without other errors, building the unique constraint on refs is the check for repeated refs.
    if (errors.total > 0 || unknownErrors.length > 0) {
      errors.merge(await this.direct.repeatedRefErrors(session, load, errors.cap));
    } else if ((await this.direct.finish(session, load, staged.lastLine, refs)) === 'repeated refs') {
      const repeats = await this.direct.repeatedRefErrors(session, load, errors.cap);
      if (repeats.total === 0)
        throw new Error('a unique constraint of the registry failed on rows without repeated refs');
      errors.merge(repeats);
    }
    for (const found of unknownErrors) errors.merge(found);
    const applied = errors.total === 0;
    return this.commitOrRollBack(session, opts, actor, {
      applied,
      dryRun: false,
      mode: opts.mode,
      customers: { created: applied ? staged.customers : 0, updated: 0, deactivated: 0 },
      contacts: applied ? staged.contacts : 0,
      subscriptions: applied ? staged.subscriptions : 0,
      errorCount: errors.total,
      errors: errors.list(),
    });
  }

  /**
   * Ends an import: an applied one commits with its audit entry in the same transaction; any other rolls back the
   * transaction it may have open and is audited on its own.
   */
  private async commitOrRollBack(
    session: ImportSession,
    opts: ImportOptions,
    actor: Actor,
    report: ImportReport,
  ): Promise<ImportReport> {
    if (report.applied) {
      await this.audit.record(actor, 'registry.import', 'registry', auditDetails(opts, report), session.runner.manager);
      await session.runner.commitTransaction();
    } else {
      if (session.runner.isTransactionActive) await session.runner.rollbackTransaction();
      await this.audit.record(actor, 'registry.import', 'registry', auditDetails(opts, report));
    }
    return report;
  }

  private async applyOrDiscard(
    session: ImportSession,
    opts: ImportOptions,
    staged: { contacts: number; subscriptions: number; products: Set<string>; countries: Set<string> },
    errors: ImportErrors,
    actor: Actor,
  ): Promise<ImportReport> {
    const report: ImportReport = {
      applied: false,
      dryRun: opts.dryRun,
      mode: opts.mode,
      customers: { created: 0, updated: 0, deactivated: 0 },
      contacts: 0,
      subscriptions: 0,
      errorCount: errors.total,
      errors: errors.list(),
    };
    if (errors.total === 0) {
      await this.applier.begin(session);
      report.customers = await this.applier.plannedCounts(session, opts.mode);
      if (opts.dryRun) {
        report.contacts = staged.contacts;
        report.subscriptions = staged.subscriptions;
      } else {
        const refs = { products: [...staged.products], countries: [...staged.countries] };
        Object.assign(report, await this.applier.apply(session, opts.mode, refs), { applied: true });
        // After the customers, in the same transaction: new customers' endpoints need their ids.
        await this.webhooks.apply(session);
      }
    }
    return this.commitOrRollBack(session, opts, actor, report);
  }
}

/**
 * A sync of a file without customers (and without other errors) is almost certainly the wrong file, or a truncated
 * upload, not a wish to deactivate everyone: it is refused.
 */
function refuseEmptySync(opts: ImportOptions, staged: { customers: number }, errors: ImportErrors): void {
  if (opts.mode === 'sync' && staged.customers === 0 && errors.total === 0) {
    errors.add({
      line: 0,
      field: '',
      message: 'the file holds no customers: a sync import of it would deactivate every customer',
    });
  }
}

interface Staged {
  customers: number;
  contacts: number;
  subscriptions: number;
  products: Set<string>;
  countries: Set<string>;
  /** The last line holding a customer. */
  lastLine: number;
}

function auditDetails(opts: ImportOptions, r: ImportReport): Record<string, unknown> {
  const { errors: _errors, ...counts } = r;
  return { format: opts.format, ...counts };
}
