// The suppression list (SPEC §4): addresses never mailed again; support lists, adds and removes entries, each audited.
import { Injectable, NotFoundException } from '@nestjs/common';
import { AuditService, type Actor } from '../../audit/audit.service';
import type { Page } from '../../common/paging.dto';
import { FeedbackRepository, type Suppression } from './feedback.repository';

@Injectable()
export class SuppressionsService {
  constructor(
    private readonly repo: FeedbackRepository,
    private readonly audit: AuditService,
  ) {}

  async list(q: string | undefined, page: number, pageSize: number): Promise<Page<Suppression>> {
    return { ...(await this.repo.listSuppressions(q, page, pageSize)), page, pageSize };
  }

  /** Adds the address (an address already listed keeps its first reason); answers whether it was new. */
  add(actor: Actor, email: string, reason: string): Promise<{ email: string; added: boolean }> {
    return this.repo.transaction(async (m) => {
      const added = await this.repo.suppress(m, email, reason, 'manual', null, actor.email);
      if (added)
        await this.audit.record(actor, 'suppression.add', email.toLowerCase(), { reason, source: 'manual' }, m);
      return { email: email.toLowerCase(), added };
    });
  }

  async remove(actor: Actor, email: string): Promise<Suppression> {
    const removed = await this.repo.unsuppress(email);
    if (!removed) throw new NotFoundException(`${email} is not on the suppression list`);
    await this.audit.record(actor, 'suppression.remove', removed.email, {
      reason: removed.reason,
      source: removed.source,
    });
    return removed;
  }
}
