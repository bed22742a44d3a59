import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueName, type ApplyCaseJob } from '../domain/queue.types';
import { CaseLifecycleService } from './case-lifecycle.service';

@Processor(QueueName.CaseApply)
export class CaseApplyProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly lifecycle: CaseLifecycleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
  }

  async process(job: Job<ApplyCaseJob>): Promise<{ applied: number }> {
    const applied = await this.lifecycle.applyPending(job.data.caseId);
    return { applied: applied.length };
  }
}
