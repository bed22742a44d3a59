// Thin consumer of the upstream queue: hands each job's data to the intake use-case; bad data never fails the job.
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueName } from '../domain/queue.types';
import { EventIntakeService, type IntakeResult } from './event-intake.service';

/** Storage failures (PostgreSQL down) are retried in place, so the job keeps its place in arrival order. */
const STORE_RETRIES = 40;

@Processor(QueueName.SuspensionEvents)
export class SuspensionEventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(SuspensionEventsProcessor.name);
  private closing = false;

  constructor(
    private readonly intake: EventIntakeService,
    @InjectQueue(QueueName.SuspensionEvents) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // One job at a time across every worker process: arrival order is the queue's order.
    await this.queue.setGlobalConcurrency(1);
  }

  async process(job: Job<unknown>): Promise<IntakeResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.intake.intake(job.data, 'queue');
      } catch (e) {
        if (attempt >= STORE_RETRIES || this.closing) throw e;
        this.logger.warn({ jobId: job.id, attempt, err: (e as Error).message }, 'could not store event; retrying');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 250 * 2 ** Math.min(attempt, 6))));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
  }
}
