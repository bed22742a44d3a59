// What both channels' pump processors share: a pump job runs the delivery machine for one event and channel, and
// shutdown lets the pumps in flight finish their sends and give back the rest.
import { WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { AppConfig } from '../../config/app-config';
import type { DeliveryChannelName, SendBatchJob } from '../../domain/queue.types';
import type { DeliverySenderService, PumpResult } from './delivery-sender.service';
import type { NoticeDispatchService } from './notice-dispatch.service';

/** Pumps hold no state (rows carry their own leases), so a short job lock only brings a dead process's pumps back sooner. */
export const PUMP_WORKER_OPTIONS = { lockDuration: 15_000, stalledInterval: 5_000 };

export abstract class DeliveryPumpProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private stopping = false;
  private readonly running = new Set<Promise<PumpResult>>();

  protected constructor(
    private readonly channel: DeliveryChannelName,
    private readonly sender: DeliverySenderService,
    private readonly config: AppConfig,
    private readonly dispatch: NoticeDispatchService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
  }

  /**
   * On shutdown the pumps finish the sends in flight, give back the rest of their batches and return. This runs
   * in onModuleDestroy, and is awaited, because the mail transport (a deeper module) closes its pool in its own
   * onModuleDestroy right after this one: a later hook would find sends in flight failing on a closed pool.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  process(job: Job<SendBatchJob>): Promise<PumpResult> {
    // The heartbeat says this event has a live pump; a process killed between batches stops it within seconds.
    const stopBeating = this.dispatch.heartbeat(this.channel, job.data.eventPk);
    const pump = this.sender.pump(this.channel, job.data.eventPk, () => this.stopping);
    this.running.add(pump);
    return pump.finally(() => {
      stopBeating();
      this.running.delete(pump);
    });
  }
}
