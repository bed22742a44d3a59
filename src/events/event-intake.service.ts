// The one use-case behind the queue consumer and POST /events: validate, store in arrival order, hand to the case applier.
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransactionService } from '../common/transaction.service';
import { MatchingRepository } from '../matching/matching.repository';
import { JobName, QueueName, type ApplyCaseJob } from '../domain/queue.types';
import { contentHash } from './canonical-json';
import { CasesRepository } from './cases.repository';
import type { EventStatus } from '../domain/event.types';
import { validateEvent } from './event-validator';
import { EventsRepository, type NewEventRow } from './events.repository';

/** Raw text kept for job data that is not an event object. */
export const RAW_TEXT_CAP = 64 * 1024;

export interface IntakeResult {
  eventId: string | null;
  status: EventStatus;
  reasons: string[];
  /** The same eventId was seen before with the same content: nothing changed. */
  duplicate: boolean;
  /** The same eventId was seen before with other content: stored as a rejected conflict. */
  conflict: boolean;
  /** The payload failed validation (shape or unknown codes). */
  invalid: boolean;
}

function rawText(data: unknown): string {
  let s: string;
  try {
    s = typeof data === 'string' ? data : (JSON.stringify(data) ?? String(data));
  } catch {
    s = String(data);
  }
  return s.length > RAW_TEXT_CAP ? `${s.slice(0, RAW_TEXT_CAP)}… [truncated, ${s.length} characters in all]` : s;
}

@Injectable()
export class EventIntakeService {
  private readonly logger = new Logger(EventIntakeService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly events: EventsRepository,
    private readonly cases: CasesRepository,
    private readonly matching: MatchingRepository,
    @InjectQueue(QueueName.CaseApply) private readonly applyQueue: Queue<ApplyCaseJob>,
  ) {}

  async intake(data: unknown, source: 'queue' | 'http'): Promise<IntakeResult> {
    let input = data;
    let reasons: string[] = [];
    if (typeof data === 'string') {
      try {
        input = JSON.parse(data);
      } catch (e) {
        reasons = [`event: is not valid JSON (${(e as Error).message.slice(0, 200)})`];
      }
    }
    const checked = reasons.length
      ? ({ ok: false, reasons, eventId: null, caseId: null, type: null } as const)
      : validateEvent(input, this.config.DEFAULT_DISPATCH);

    let row: NewEventRow;
    if (checked.ok) {
      const e = checked.event;
      const unknown = e.scope ? await this.matching.unknownScopeCodes(e.scope) : [];
      row = {
        eventId: e.eventId,
        caseId: e.caseId,
        type: e.type,
        status: unknown.length ? 'rejected' : 'received',
        dispatch: e.dispatch,
        payload: e,
        raw: null,
        contentHash: contentHash(input),
        conflict: false,
        reasons: unknown,
        source,
      };
    } else {
      const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
      row = {
        eventId: checked.eventId,
        caseId: checked.caseId,
        type: checked.type,
        status: 'rejected',
        dispatch: null,
        payload: null,
        raw: rawText(isObject ? input : data),
        contentHash: contentHash(input),
        conflict: false,
        reasons: checked.reasons,
        source,
      };
    }
    const result = await this.store(row);
    if (result.status === 'received' && !result.duplicate && row.caseId) {
      await this.applyQueue.add(
        JobName.ApplyCase,
        { caseId: row.caseId },
        { removeOnComplete: true, removeOnFail: 1000 },
      );
    }
    if (result.status === 'rejected' && !result.duplicate) {
      this.logger.warn({ eventId: row.eventId, reasons: result.reasons }, 'event rejected');
    }
    return { ...result, invalid: row.status === 'rejected' && !result.conflict };
  }

  private async store(row: NewEventRow): Promise<Omit<IntakeResult, 'invalid'>> {
    return this.tx.run(async (m) => {
      // Arrival order per case: inserts of one case take ids in commit order.
      if (row.caseId) await this.cases.lock(m, 'intake', row.caseId);
      const id = await this.events.insert(m, row);
      if (id)
        return { eventId: row.eventId, status: row.status, reasons: row.reasons, duplicate: false, conflict: false };
      const existing = await this.events.findByEventId(row.eventId as string, m);
      if (existing && existing.content_hash === row.contentHash) {
        return {
          eventId: row.eventId,
          status: existing.status,
          reasons: existing.reasons,
          duplicate: true,
          conflict: false,
        };
      }
      const reasons = [
        `eventId: "${row.eventId}" was already received with different content (conflict)`,
        ...row.reasons,
      ];
      await this.events.insert(m, { ...row, status: 'rejected', conflict: true, reasons });
      return { eventId: row.eventId, status: 'rejected', reasons, duplicate: false, conflict: true };
    });
  }
}
