import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueName, type SendBatchJob } from '../queue/queue.constants';
import { NoticeSenderService, type PumpResult } from './notice-sender.service';

@Processor(QueueName.NoticeDispatch, { lockDuration: 60_000 })
export class SendBatchProcessor extends WorkerHost implements OnApplicationBootstrap {
  private stopping = false;

  constructor(
    private readonly sender: NoticeSenderService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
  }

  /** On shutdown the pump finishes the sends in flight, gives back the rest of its batch and returns. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  process(job: Job<SendBatchJob>): Promise<PumpResult> {
    return this.sender.pump(job.data.eventId, () => this.stopping);
  }
}
