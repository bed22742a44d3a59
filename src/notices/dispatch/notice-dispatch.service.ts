// Starts sending an event: enqueues a few pump jobs (ids only) that any worker process may run.
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JobName, QueueName, type SendBatchJob } from '../../domain/queue.types';

/** Parallel pumps per event: enough to keep two worker processes busy. */
export const PUMPS_PER_EVENT = 8;

@Injectable()
export class NoticeDispatchService {
  constructor(@InjectQueue(QueueName.NoticeDispatch) private readonly queue: Queue<SendBatchJob>) {}

  /** Idempotent: a pump whose job already waits or runs is not added twice. */
  async start(eventPk: string, pumps = PUMPS_PER_EVENT): Promise<void> {
    await this.add(eventPk, pumps, '');
  }

  /**
   * Adds a fresh set of pumps beside the event's usual ones, once per `generation`. For leases nobody
   * took over: the pumps of a killed process still count as active in Redis until their job locks run out.
   */
  async rescue(eventPk: string, generation: string, pumps = PUMPS_PER_EVENT): Promise<void> {
    await this.add(eventPk, pumps, `-r${generation}`);
  }

  private async add(eventPk: string, pumps: number, suffix: string): Promise<void> {
    await this.queue.addBulk(
      Array.from({ length: pumps }, (_, pump) => ({
        name: JobName.SendBatch,
        data: { eventPk, pump },
        opts: { jobId: `pump-${eventPk}-${pump}${suffix}`, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
}
