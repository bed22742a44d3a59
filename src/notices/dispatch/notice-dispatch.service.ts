// Starts sending an event: enqueues a few pump jobs (ids only) per channel that any worker process may run, and
// tells whether an event's pumps are alive (a heartbeat in Redis), so the reconciler can replace a dead process's.
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  CHANNEL_PUMP_JOB,
  DELIVERY_CHANNELS,
  QueueName,
  type DeliveryChannelName,
  type SendBatchJob,
} from '../../domain/queue.types';
import { RedisService } from '../../queue/redis.service';

/** Parallel pumps per event and channel: mail enough to keep two worker processes busy; webhooks go to few endpoints. */
export const PUMPS_PER_EVENT: Readonly<Record<DeliveryChannelName, number>> = { email: 8, webhook: 2 };

/**
 * A running pump refreshes its event's heartbeat this often, and the heartbeat lives this long: an event whose pumps
 * all died (a SIGKILLed process holds their jobs' locks for up to PUMP_WORKER_OPTIONS.lockDuration) is silent within
 * a few seconds, not a job lock later.
 */
export const PUMP_HEARTBEAT_MS = 1000;
export const PUMP_HEARTBEAT_TTL_MS = 3000;
/** Replacement pumps get new job ids at most this often, so two reconcilers in one window add one set, not two. */
const REPLACEMENT_WINDOW_MS = 5000;

/**
 * A pump job that fails (PostgreSQL or Redis unreachable between batches) is tried again soon by any worker, rather
 * than waiting for the reconciler to see the event's work again. Its rows carry their own leases, so a retry
 * sends nothing twice.
 */
const PUMP_ATTEMPTS = 5;
const PUMP_RETRY_DELAY_MS = 1000;

@Injectable()
export class NoticeDispatchService {
  private readonly logger = new Logger(NoticeDispatchService.name);
  private readonly queues: Readonly<Record<DeliveryChannelName, Queue<SendBatchJob>>>;

  constructor(
    @InjectQueue(QueueName.NoticeDispatch) mail: Queue<SendBatchJob>,
    @InjectQueue(QueueName.WebhookDispatch) webhooks: Queue<SendBatchJob>,
    private readonly redis: RedisService,
  ) {
    this.queues = { email: mail, webhook: webhooks };
  }

  /** Idempotent: a pump whose job already waits or runs is not added twice. */
  async start(eventPk: string, channels: readonly DeliveryChannelName[] = DELIVERY_CHANNELS): Promise<void> {
    for (const channel of channels) await this.add(channel, eventPk, '');
  }

  /**
   * Adds a fresh set of pumps beside the event's usual ones, once per `generation`. For leases nobody
   * took over: the pumps of a killed process still count as active in Redis until their job locks run out.
   */
  async rescue(
    eventPk: string,
    generation: string,
    channels: readonly DeliveryChannelName[] = DELIVERY_CHANNELS,
  ): Promise<void> {
    for (const channel of channels) await this.add(channel, eventPk, `-r${generation}`);
  }

  /**
   * Keeps the event's heartbeat for `channel` alive while a pump runs; call the returned function when it ends.
   * A heartbeat that cannot be written only risks a needless set of replacement pumps, so failures are ignored.
   */
  heartbeat(channel: DeliveryChannelName, eventPk: string): () => void {
    const key = this.heartbeatKey(channel, eventPk);
    const beat = () => void this.redis.client.set(key, '1', 'PX', PUMP_HEARTBEAT_TTL_MS).catch(() => undefined);
    beat();
    const timer = setInterval(beat, PUMP_HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * For events with claimable rows on `channel`: when none of the event's pumps is alive and none waits in the queue
   * (so its pump jobs are held by a dead process until their locks run out), adds a set of replacement pumps.
   * Returns the events it added pumps for.
   */
  async replaceSilentPumps(channel: DeliveryChannelName, eventPks: readonly string[]): Promise<string[]> {
    if (!eventPks.length) return [];
    const alive = await this.redis.client.mget(eventPks.map((e) => this.heartbeatKey(channel, e)));
    const silent = eventPks.filter((_, i) => alive[i] === null);
    if (!silent.length) return [];
    // Pumps about to run (waiting, or delayed before a retry) will beat soon: they need no replacement.
    const queued = await this.queues[channel].getJobs(['waiting', 'prioritized', 'delayed']);
    const waiting = new Set(queued.map((j) => j?.data?.eventPk));
    const replace = silent.filter((e) => !waiting.has(e));
    const window = Math.floor(Date.now() / REPLACEMENT_WINDOW_MS);
    for (const eventPk of replace) {
      this.logger.warn({ eventPk, channel }, 'no pump of the event is alive; adding replacement pumps');
      await this.add(channel, eventPk, `-h${window}`);
    }
    return replace;
  }

  private heartbeatKey(channel: DeliveryChannelName, eventPk: string): string {
    return this.redis.key('pump-alive', channel, eventPk);
  }

  private async add(channel: DeliveryChannelName, eventPk: string, suffix: string): Promise<void> {
    await this.queues[channel].addBulk(
      Array.from({ length: PUMPS_PER_EVENT[channel] }, (_, pump) => ({
        name: CHANNEL_PUMP_JOB[channel],
        data: { eventPk, pump },
        opts: {
          jobId: `pump-${eventPk}-${pump}${suffix}`,
          attempts: PUMP_ATTEMPTS,
          backoff: { type: 'fixed', delay: PUMP_RETRY_DELAY_MS },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }
}
