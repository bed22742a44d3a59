// Rebuilds queue work from PostgreSQL on a timer: Redis can be flushed or lost without losing an event or a notice.
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { NoticeDispatchService } from '../notices/dispatch/notice-dispatch.service';
import { DeliveryWorkRepository, WORK_TABLES } from '../notices/dispatch/delivery-work.repository';
import { DELIVERY_CHANNELS, JobName, QueueName, type ApplyCaseJob } from '../domain/queue.types';
import { EventsRepository } from './events.repository';

@Injectable()
export class WorkReconcilerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkReconcilerService.name);
  private timer?: NodeJS.Timeout;
  private running = false;
  /** When the last sweep for orphaned leases ran (ms since the epoch). */
  private sweptAt = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventsRepository,
    private readonly work: DeliveryWorkRepository,
    private readonly dispatch: NoticeDispatchService,
    @InjectQueue(QueueName.CaseApply) private readonly applyQueue: Queue<ApplyCaseJob>,
    @InjectQueue(QueueName.SuspensionEvents) private readonly intakeQueue: Queue,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
    this.timer.unref();
    void this.tick();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: re-enqueue unapplied cases and events with sendable notices or deliveries; complete finished events. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.intakeQueue.setGlobalConcurrency(1);
      // First, so that this pass's queries and the senders' claims are planned on what the tables hold now.
      for (const table of await this.work.refreshStaleStatistics()) {
        this.logger.debug({ table }, 'analyzed stale statistics of a work table');
      }
      // One reconciler job per case at a time: while a long apply holds the case's lock, a job added every tick would
      // each wait for it on a pool connection of its own (four of them during a 1M-customer event's second
      // transaction). Once that job ends, the next pass adds another if the case still has events to apply.
      for (const caseId of await this.events.casesWithReceivedEvents()) {
        await this.applyQueue.add(
          JobName.ApplyCase,
          { caseId },
          { removeOnComplete: true, removeOnFail: 1000, deduplication: { id: `reconcile:${caseId}` } },
        );
      }
      // A live pump claims again within a batch; leases still overdue a tick later belong to a dead process.
      const grace = this.config.RECONCILE_INTERVAL_MS / 1000;
      const leaseMs = this.config.SEND_LEASE_SECONDS * 1000;
      const generation = String(Math.floor(Date.now() / leaseMs));
      // The sweep reads the whole table (no index holds leases), and the pumps take over lapsed leases themselves
      // when they start again from the first row: sweep at most twice a lease.
      const sweep = Date.now() - this.sweptAt >= Math.max(this.config.RECONCILE_INTERVAL_MS, leaseMs / 2);
      if (sweep) this.sweptAt = Date.now();
      for (const channel of DELIVERY_CHANNELS) {
        const table = WORK_TABLES[channel];
        const due = await this.work.eventsWithDueWork(table);
        for (const eventPk of due) await this.dispatch.start(eventPk, [channel]);
        // Work to do and no pump alive: a process killed between batches holds the pump jobs until their locks run out.
        await this.dispatch.replaceSilentPumps(channel, due);
        if (!sweep) continue;
        for (const eventPk of await this.work.eventsWithOrphanedLeases(table, grace)) {
          await this.dispatch.rescue(eventPk, generation, [channel]);
        }
      }
      for (const eventPk of await this.work.finishedDispatchingEvents()) await this.work.completeIfDone(eventPk);
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'reconcile pass failed; will try again');
    } finally {
      this.running = false;
    }
  }
}
