// Bounces and complaints in (SPEC §4): find the notice a report means, end it, suppress the address; a report twice changes nothing.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Actor } from '../../audit/audit.service';
import { AuditService } from '../../audit/audit.service';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { FeedbackRepository, noticeIdOf, type ReportOutcome } from './feedback.repository';
import type { BounceReport } from './feedback.types';

export interface IntakeSummary {
  received: number;
  /** A sent notice became bounced or complained. */
  applied: number;
  /** Recorded, nothing to change: a soft bounce, or a notice already ended. */
  recorded: number;
  /** No notice of ours was sent to that address: recorded and ignored. */
  unknown: number;
  /** Seen before (the provider retried): changed nothing. */
  duplicates: number;
  suppressed: number;
}

/** A provider's own event id, or for a report without one (posted by hand) a digest of what it says. */
export function reportKey(r: BounceReport): string {
  if (r.providerEventId) return r.providerEventId;
  const digest = createHash('sha256')
    .update(JSON.stringify([r.email.toLowerCase(), r.type, r.messageId, r.reason]))
    .digest('hex');
  return `sha256:${digest}`;
}

@Injectable()
export class FeedbackIntakeService {
  private readonly logger = new Logger(FeedbackIntakeService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: FeedbackRepository,
    private readonly audit: AuditService,
  ) {}

  async receive(reports: BounceReport[], actor: Actor | null = null): Promise<IntakeSummary> {
    const summary: IntakeSummary = {
      received: reports.length,
      applied: 0,
      recorded: 0,
      unknown: 0,
      duplicates: 0,
      suppressed: 0,
    };
    for (const r of reports) {
      const { outcome, suppressed } = await this.receiveOne(r, actor);
      summary[outcome === 'duplicate' ? 'duplicates' : outcome] += 1;
      if (suppressed) summary.suppressed += 1;
    }
    if (reports.length > 0) this.logger.log({ ...summary, provider: reports[0].provider }, 'bounce reports received');
    return summary;
  }

  private receiveOne(r: BounceReport, actor: Actor | null): Promise<{ outcome: ReportOutcome; suppressed: boolean }> {
    return this.repo.transaction(async (m) => {
      const noticeId = await this.repo.findNotice(m, r.email, noticeIdOf(r.messageId, this.config.MAIL_DOMAIN));
      const first = await this.repo.recordReport(m, r, reportKey(r), noticeId, noticeId ? 'recorded' : 'unknown');
      if (!first) return { outcome: 'duplicate', suppressed: false };
      if (!noticeId) return { outcome: 'unknown', suppressed: false };
      const changed = await this.repo.applyToNotice(m, noticeId, r);
      if (changed) await this.repo.markApplied(m, r.provider, reportKey(r));
      let suppressed = false;
      if (r.type !== 'soft') {
        const label = r.type === 'hard' ? 'hard bounce' : 'complaint';
        const reason = r.reason ? `${label}: ${r.reason}` : label;
        suppressed = await this.repo.suppress(m, r.email, reason, r.provider, noticeId, actor?.email ?? null);
        if (suppressed && actor)
          await this.audit.record(actor, 'suppression.add', r.email, { source: r.provider, noticeId, type: r.type }, m);
      }
      return { outcome: changed ? 'applied' : 'recorded', suppressed };
    });
  }
}
