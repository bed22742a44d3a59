import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { QueueName, type SendBatchJob } from '../../domain/queue.types';
import { DeliverySenderService, type PumpResult } from './delivery-sender.service';

// Pumps hold no state (notices carry their own leases), so a short job lock only makes a dead process's pumps come back sooner.
@Processor(QueueName.NoticeDispatch, { lockDuration: 15_000, stalledInterval: 5_000 })
export class SendBatchProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private stopping = false;
  private readonly running = new Set<Promise<PumpResult>>();

  constructor(
    private readonly sender: DeliverySenderService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
    const pump = this.sender.pump(job.data.channel ?? 'email', job.data.eventPk, () => this.stopping);
    this.running.add(pump);
    return pump.finally(() => this.running.delete(pump));
  }
}
