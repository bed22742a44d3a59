// Sends one event's notices: claims batches in PostgreSQL, renders, sends through the pooled transport, records outcomes.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { buildMailMessage } from '../channels/email/mail-message.builder';
import { MailTransportService } from '../channels/email/mail-transport.service';
import { FeedbackRepository } from '../feedback/feedback.repository';
import { StatusLinks } from '../status-link/status-links.service';
import { NoticeMetrics } from './notice.metrics';
import { NoticeRepository, type ClaimedNotice, type Outcome } from '../notice.repository';
import { renderInput, statusUrl, type EventContext } from '../rendering/notice-input.factory';
import { NoticeRenderer, TemplateRenderError } from '../rendering/notice-renderer.service';
import { failureKind, nextAttempt } from './retry-policy';
import { SendRateLimiter } from './send-rate-limiter';

const BATCH_SIZE = 100;
const SEND_CONCURRENCY = 8;
const RATE_LIMITED_BATCH = 2 * SEND_CONCURRENCY;
const STATUS_POLL_MS = 250;
/** Outcomes are stored every few sends, or after this long, so progress shows while a rate limit spreads a batch. */
const RECORD_EVERY = 16;
const RECORD_AFTER_MS = 500;
const REWIND_MS = 5000;

/**
 * A process-wide queue of one: an account manager's digest lists every affected account of theirs (thousands in
 * a large registry), so its view, HTML, text and encoded message run to tens of MB. The digests come last in a
 * dispatch and land in the same batches; built side by side in every lane they ran a worker out of heap.
 */
class Turnstile {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves, once it is the caller's turn, with the function that ends the turn. */
  enter(): Promise<() => void> {
    let leave!: () => void;
    const turn = new Promise<void>((r) => (leave = r));
    const entered = this.tail.then(() => leave);
    this.tail = this.tail.then(() => turn);
    return entered;
  }
}

export type PumpResult = 'done' | 'stopped' | 'not-dispatching';

@Injectable()
export class NoticeSenderService {
  private readonly logger = new Logger(NoticeSenderService.name);
  /** Outcome writes in progress in this process (retried while PostgreSQL is unreachable). */
  private readonly storing = new Set<Promise<void>>();
  /** One digest built and sent at a time in this process, whatever the pump or lane. */
  private readonly digests = new Turnstile();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: NoticeRepository,
    private readonly renderer: NoticeRenderer,
    private readonly transport: MailTransportService,
    private readonly limiter: SendRateLimiter,
    private readonly metrics: NoticeMetrics,
    private readonly feedback: FeedbackRepository,
    private readonly links: StatusLinks,
  ) {}

  /** Claims and sends batches until the event has nothing claimable, is paused/cancelled, or `stop()` says so. */
  async pump(eventPk: string, stop: () => boolean = () => false): Promise<PumpResult> {
    const ctx = await this.context(eventPk);
    if (!ctx) return 'not-dispatching';
    // Under a rate limit every pump wakes at the same second boundary: small claims, each made as its permits
    // arrive, keep the sends of all pumps close to id order (so a later class does not go out beside an earlier
    // one). One claim per notice up to 50 mails/s, growing with the rate so the claims stay few.
    const batchSize = this.limiter.unlimited
      ? BATCH_SIZE
      : Math.max(1, Math.min(RATE_LIMITED_BATCH, Math.floor(this.config.MAIL_RATE_PER_SECOND / 50)));
    let cursor = '0';
    let rewound = Date.now();
    // Start again from the first notice now and then, to take over leases that ran out behind the cursor (a
    // stalled or dead sender's claims) soon after they expire rather than at the end of the dispatch.
    const rewindMs = Math.min(REWIND_MS, (this.config.SEND_LEASE_SECONDS * 1000) / 2);
    const claim = (afterId: string, limit: number) =>
      this.notices.claim({ eventPk, limit, leaseSeconds: this.config.SEND_LEASE_SECONDS, afterId });
    for (;;) {
      if (Date.now() - rewound >= rewindMs) {
        cursor = '0';
        rewound = Date.now();
      }
      if (stop()) return 'stopped';
      if ((await this.notices.eventStatus(eventPk)) !== 'dispatching') return 'not-dispatching';
      // Outcomes this process still has to store come first: claiming before them could take back its own
      // sent-but-unrecorded notices (their leases may have run out while PostgreSQL was away) and send them again.
      await this.unstoredOutcomes();
      // Under a rate limit the permits come first and the claim takes only as many notices as may go out now: the
      // pump that may send claims the lowest ids left, so the order planned at match time holds across pumps.
      const prepaid = this.limiter.unlimited ? 0 : await this.limiter.take(batchSize, stop);
      if (!this.limiter.unlimited && prepaid === 0) return 'stopped';
      const limit = prepaid || batchSize;
      const leaseEnds = this.leaseEnd();
      let batch = await claim(cursor, limit);
      if (!batch.length && cursor !== '0') {
        // Past the end: go round once more for retries that came due and leases that ran out behind the cursor.
        cursor = '0';
        batch = await claim(cursor, limit);
      }
      if (!batch.length) {
        if (await this.notices.completeIfDone(eventPk)) this.logger.log({ eventPk }, 'event dispatch completed');
        return 'done';
      }
      cursor = batch[batch.length - 1].id;
      await this.sendBatch(ctx, batch, stop, leaseEnds, true, prepaid);
    }
  }

  /**
   * When this process must stop starting sends of a batch it claims now: a margin before the lease runs out in
   * PostgreSQL, measured on the local clock from before the claim. After that, another sender may have claimed the
   * notices again (this process was stalled, or the batch was slow), so sending them here would send them twice.
   */
  private leaseEnd(): number {
    const leaseMs = this.config.SEND_LEASE_SECONDS * 1000;
    return Date.now() + leaseMs - Math.max(1000, leaseMs / 5);
  }

  /** Sends the given (test) notices of an event now, whatever the event's state. */
  async sendNow(eventPk: string, ids: string[]): Promise<void> {
    const ctx = await this.context(eventPk, false);
    if (!ctx) return;
    const leaseEnds = this.leaseEnd();
    const batch = await this.notices.claim({
      eventPk,
      limit: ids.length,
      leaseSeconds: this.config.SEND_LEASE_SECONDS,
      ids,
    });
    await this.sendBatch(ctx, batch, () => false, leaseEnds, false);
  }

  private async context(eventPk: string, mustBeDispatching = true): Promise<EventContext | null> {
    const row = await this.notices.eventPayload(eventPk);
    if (!row || (mustBeDispatching && row.status !== 'dispatching')) return null;
    return {
      eventPk,
      event: row.payload,
      products: await this.notices.products(),
      statusUrl: statusUrl(this.config.PUBLIC_BASE_URL, row.payload.caseId),
    };
  }

  /** Sends one claimed batch; notices not started when the event pauses (or the worker stops) are released. */
  private async sendBatch(
    ctx: EventContext,
    batch: ClaimedNotice[],
    stop: () => boolean,
    leaseEnds: number,
    watch = true,
    prepaid = 0,
  ): Promise<void> {
    let halted = false;
    const poll = setInterval(() => {
      if (!watch) return;
      this.notices.eventStatus(ctx.eventPk).then(
        (s) => (halted ||= s !== 'dispatching'),
        () => undefined,
      );
    }, STATUS_POLL_MS);
    const outcomes: Outcome[] = [];
    const untouched: ClaimedNotice[] = [];
    // Addresses on the suppression list are never mailed: their notices end `suppressed` before any send.
    const suppressed = await this.feedback.suppressedAmong(batch.map((n) => n.email));
    const stopped = () => halted || stop();
    let next = 0;
    // Send permits are fetched for the whole batch, one request at a time, and never awaited past a pause.
    let permits = prepaid;
    let fetching: Promise<void> | null = null;
    const permit = async (): Promise<boolean> => {
      while (permits <= 0) {
        if (stopped()) return false;
        fetching ??= this.limiter.take(Math.max(1, batch.length - next + 1), stopped).then((n) => {
          permits += n;
          fetching = null;
        });
        await fetching;
      }
      permits--;
      return true;
    };
    const lane = async () => {
      for (;;) {
        const i = next++;
        if (i >= batch.length) return;
        // The lease is checked after the wait for a digest's turn, which may take a while.
        const leave = batch[i].kind === 'am-digest' ? await this.digests.enter() : null;
        try {
          if (suppressed.has(batch[i].email.toLowerCase())) {
            outcomes.push({
              id: batch[i].id,
              attempt: batch[i].attempts,
              status: 'suppressed',
              code: null,
              reply: 'address on the suppression list',
            });
            this.metrics.outcome(batch[i].kind, 'suppressed', null);
            continue;
          }
          if (stopped() || !(await permit()) || stopped() || Date.now() > leaseEnds) {
            untouched.push(batch[i]);
            continue;
          }
          outcomes.push(await this.sendOne(ctx, batch[i]));
        } finally {
          leave?.();
        }
        if (outcomes.length >= RECORD_EVERY || Date.now() - lastFlush >= RECORD_AFTER_MS) await flush();
      }
    };
    // Outcomes are stored as they come, a few at a time: a process killed mid-batch leaves little to send twice.
    let lastFlush = Date.now();
    const flush = async () => {
      lastFlush = Date.now();
      const done = outcomes.splice(0);
      try {
        await this.notices.record(done);
      } catch {
        outcomes.push(...done); // stored with the rest at the end of the batch
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, batch.length) }, lane));
    } finally {
      clearInterval(poll);
      await this.persist(() => this.notices.record(outcomes));
      await this.persist(() => this.notices.release(untouched));
    }
  }

  /**
   * Stores what a batch did, trying again while PostgreSQL is unreachable (a restart, a failover) for up to one
   * lease: an outcome that is lost makes its notice go out again once the lease runs out.
   */
  private persist(write: () => Promise<void>): Promise<void> {
    const pending = this.persistWithRetry(write);
    this.storing.add(pending);
    const forget = () => this.storing.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  private async persistWithRetry(write: () => Promise<void>): Promise<void> {
    const until = Date.now() + this.config.SEND_LEASE_SECONDS * 1000;
    for (let wait = 100; ; wait = Math.min(500, wait * 2)) {
      try {
        return await write();
      } catch (e) {
        if (Date.now() + wait > until) throw e;
        this.logger.warn({ err: (e as Error).message }, 'could not store send outcomes; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** Waits until every outcome write this process has started is stored (or given up). */
  private async unstoredOutcomes(): Promise<void> {
    while (this.storing.size) await Promise.allSettled([...this.storing]);
  }

  private async sendOne(ctx: EventContext, n: ClaimedNotice): Promise<Outcome> {
    const started = process.hrtime.bigint();
    let message;
    try {
      const digest =
        n.kind === 'am-digest' ? await this.notices.digestAccounts(ctx.eventPk, n.digest_for ?? n.email) : null;
      // A customer's notices link to its own status page for the case; digests to the public case page.
      const link =
        n.customer_id && !n.is_test ? this.links.customerUrl(ctx.event.caseId, n.customer_id, n.locale) : ctx.statusUrl;
      const input = renderInput(link === ctx.statusUrl ? ctx : { ...ctx, statusUrl: link }, n, digest);
      message = buildMailMessage(input, this.renderer.render(input), this.config);
    } catch (e) {
      const reason =
        e instanceof TemplateRenderError ? e.message : `could not build the message: ${(e as Error).message}`;
      this.metrics.outcome(n.kind, 'failed', null);
      return { id: n.id, attempt: n.attempts, status: 'failed', code: null, reply: reason };
    }
    try {
      const res = await this.transport.send(message);
      this.metrics.outcome(n.kind, 'sent', res.code, started);
      return {
        id: n.id,
        attempt: n.attempts,
        status: 'sent',
        code: res.code,
        reply: res.response,
        provider: res.provider,
      };
    } catch (e) {
      return this.failure(n, e, started);
    }
  }

  private failure(n: ClaimedNotice, e: unknown, started: bigint): Outcome {
    const raw =
      (e as { code?: unknown; responseCode?: unknown }).code ?? (e as { responseCode?: unknown }).responseCode;
    const code = typeof raw === 'number' ? raw : null;
    const reply = (e as { response?: string }).response ?? (e as Error).message ?? String(e);
    const provider = (e as { provider?: unknown }).provider;
    const via = typeof provider === 'string' ? provider : null;
    const next = nextAttempt({
      attempt: n.attempts,
      maxAttempts: this.config.MAIL_MAX_ATTEMPTS,
      baseMs: this.config.MAIL_RETRY_BASE_MS,
      failure: failureKind(e),
    });
    if (next.action === 'fail') {
      this.metrics.outcome(n.kind, 'failed', code, started);
      return { id: n.id, attempt: n.attempts, status: 'failed', code, reply, provider: via };
    }
    this.metrics.outcome(n.kind, 'retrying', code, started);
    const retryAt = new Date(Date.now() + next.delayMs);
    return { id: n.id, attempt: n.attempts, status: 'retrying', code, reply, retryAt, provider: via };
  }
}
