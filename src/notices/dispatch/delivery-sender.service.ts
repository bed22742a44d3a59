// The one delivery machine of both channels: claims an event's rows in batches under a lease, sends them in lanes
// through the channel (mail or webhook), stores outcomes fenced by the claim count, and completes the event.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { DeliveryChannelName } from '../../domain/queue.types';
import { EmailChannel } from '../channels/email/email.channel';
import { WebhookChannel } from '../channels/webhook/webhook.channel';
import type { DeliveryChannel } from './delivery-channel';
import { DeliveryWorkRepository, type Outcome, type WorkItem } from './delivery-work.repository';
import { SendRateLimiter } from './send-rate-limiter';

const BATCH_SIZE = 100;
const SEND_CONCURRENCY = 8;
const RATE_LIMITED_BATCH = 2 * SEND_CONCURRENCY;
const STATUS_POLL_MS = 250;
/** Outcomes are stored every few sends, or after this long, so progress shows while a rate limit spreads a batch. */
const RECORD_EVERY = 16;
const RECORD_AFTER_MS = 500;
const REWIND_MS = 5000;

export type PumpResult = 'done' | 'stopped' | 'not-dispatching';

@Injectable()
export class DeliverySenderService {
  private readonly logger = new Logger(DeliverySenderService.name);
  /** Outcome writes in progress in this process (retried while PostgreSQL is unreachable). */
  private readonly storing = new Set<Promise<void>>();
  private readonly channels: Record<DeliveryChannelName, DeliveryChannel<WorkItem, unknown>>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly work: DeliveryWorkRepository,
    private readonly limiter: SendRateLimiter,
    email: EmailChannel,
    webhook: WebhookChannel,
  ) {
    this.channels = { email, webhook } as Record<DeliveryChannelName, DeliveryChannel<WorkItem, unknown>>;
  }

  /** Claims and sends batches until the event has nothing claimable, is paused/cancelled, or `stop()` says so. */
  async pump(
    channelName: DeliveryChannelName,
    eventPk: string,
    stop: () => boolean = () => false,
  ): Promise<PumpResult> {
    const channel = this.channels[channelName];
    const ctx = await channel.context(eventPk);
    if (!ctx) return 'not-dispatching';
    const limited = channel.rateLimited && !this.limiter.unlimited;
    // Under a rate limit every pump wakes at the same second boundary: small claims, each made as its permits
    // arrive, keep the sends of all pumps close to id order (so a later class does not go out beside an earlier
    // one). One claim per notice up to 50 mails/s, growing with the rate so the claims stay few.
    const batchSize = limited
      ? Math.max(1, Math.min(RATE_LIMITED_BATCH, Math.floor(this.config.MAIL_RATE_PER_SECOND / 50)))
      : BATCH_SIZE;
    let cursor = '0';
    let rewound = Date.now();
    // Start again from the first row now and then, to take over leases that ran out behind the cursor (a
    // stalled or dead sender's claims) soon after they expire rather than at the end of the dispatch.
    const rewindMs = Math.min(REWIND_MS, (this.config.SEND_LEASE_SECONDS * 1000) / 2);
    const claim = (afterId: string, limit: number) =>
      this.work.claim(channel.work, { eventPk, limit, leaseSeconds: this.config.SEND_LEASE_SECONDS, afterId });
    for (;;) {
      if (Date.now() - rewound >= rewindMs) {
        cursor = '0';
        rewound = Date.now();
      }
      if (stop()) return 'stopped';
      // Read before the claim: if the rest of the notices were still being written then, an empty claim does not
      // mean the end (they may have been committed since).
      const state = await this.work.eventState(eventPk);
      if (state.status !== 'dispatching') return 'not-dispatching';
      // Outcomes this process still has to store come first: claiming before them could take back its own
      // sent-but-unrecorded rows (their leases may have run out while PostgreSQL was away) and send them again.
      await this.unstoredOutcomes();
      // Under a rate limit the permits come first and the claim takes only as many notices as may go out now: the
      // pump that may send claims the lowest ids left, so the order planned at match time holds across pumps.
      const prepaid = limited ? await this.limiter.take(batchSize, stop) : 0;
      if (limited && prepaid === 0) return 'stopped';
      const limit = prepaid || batchSize;
      const leaseEnds = this.leaseEnd();
      const from = cursor;
      let batch = await claim(cursor, limit);
      if (!batch.length && cursor !== '0') {
        // Past the end: go round once more for retries that came due and leases that ran out behind the cursor.
        cursor = '0';
        batch = await claim(cursor, limit);
      }
      if (!batch.length && state.planning && channel.work.writtenLater) {
        // The rest of the event's notices are being written, with ids after every row claimed so far: wait for
        // them here (taking no send permits meanwhile), then claim on from where the last claim ended.
        cursor = from;
        for (
          let s = state;
          !stop() && s.planning && s.status === 'dispatching';
          s = await this.work.eventState(eventPk)
        ) {
          await new Promise((r) => setTimeout(r, STATUS_POLL_MS));
        }
        continue;
      }
      if (!batch.length) {
        if (await this.work.completeIfDone(eventPk)) this.logger.log({ eventPk }, 'event dispatch completed');
        return 'done';
      }
      cursor = batch[batch.length - 1].id;
      await this.sendBatch(channel, ctx, eventPk, batch, stop, leaseEnds, { watch: true, limited, prepaid });
    }
  }

  /**
   * When this process must stop starting sends of a batch it claims now: a margin before the lease runs out in
   * PostgreSQL, measured on the local clock from before the claim. After that, another sender may have claimed the
   * rows again (this process was stalled, or the batch was slow), so sending them here would send them twice.
   */
  private leaseEnd(): number {
    const leaseMs = this.config.SEND_LEASE_SECONDS * 1000;
    return Date.now() + leaseMs - Math.max(1000, leaseMs / 5);
  }

  /** Sends the given rows (test notices) of an event now, whatever the event's state. */
  async sendNow(channelName: DeliveryChannelName, eventPk: string, ids: string[]): Promise<void> {
    const channel = this.channels[channelName];
    const ctx = await channel.context(eventPk);
    if (!ctx) return;
    const leaseEnds = this.leaseEnd();
    const leaseSeconds = this.config.SEND_LEASE_SECONDS;
    const batch = await this.work.claim(channel.work, { eventPk, limit: ids.length, leaseSeconds, ids });
    const limited = channel.rateLimited && !this.limiter.unlimited;
    await this.sendBatch(channel, ctx, eventPk, batch, () => false, leaseEnds, { watch: false, limited, prepaid: 0 });
  }

  /** Sends one claimed batch; rows not started when the event pauses (or the worker stops) are released. */
  private async sendBatch<T extends WorkItem, C>(
    channel: DeliveryChannel<T, C>,
    ctx: C,
    eventPk: string,
    batch: T[],
    stop: () => boolean,
    leaseEnds: number,
    opts: { watch: boolean; limited: boolean; prepaid: number },
  ): Promise<void> {
    let halted = false;
    const poll = setInterval(() => {
      if (!opts.watch) return;
      this.work.eventStatus(eventPk).then(
        (s) => (halted ||= s !== 'dispatching'),
        () => undefined,
      );
    }, STATUS_POLL_MS);
    const outcomes: Outcome[] = [];
    const untouched: T[] = [];
    const settled = await channel.settledWithoutSending(batch);
    const stopped = () => halted || stop();
    let next = 0;
    // Send permits are fetched for the whole batch, one request at a time, and never awaited past a pause.
    let permits = opts.limited ? opts.prepaid : Infinity;
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
        // The lease is checked after the wait for the row's turn, which may take a while.
        const leave = await channel.turn(batch[i]);
        try {
          const decided = settled.get(batch[i].id);
          if (decided) {
            outcomes.push(decided);
            continue;
          }
          if (stopped() || !(await permit()) || stopped() || Date.now() > leaseEnds) {
            untouched.push(batch[i]);
            continue;
          }
          outcomes.push(await channel.send(ctx, batch[i]));
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
        await this.work.record(channel.work, done);
      } catch {
        outcomes.push(...done); // stored with the rest at the end of the batch
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, batch.length) }, lane));
    } finally {
      clearInterval(poll);
      await this.persist(() => this.work.record(channel.work, outcomes));
      await this.persist(() => this.work.release(channel.work, untouched));
    }
  }

  /**
   * Stores what a batch did, trying again while PostgreSQL is unreachable (a restart, a failover) for up to one
   * lease: an outcome that is lost makes its row go out again once the lease runs out.
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
}
