// Starts sending an event: enqueues a few pump jobs (ids only) per channel that any worker process may run.
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  DELIVERY_CHANNELS,
  JobName,
  QueueName,
  type DeliveryChannelName,
  type SendBatchJob,
} from '../../domain/queue.types';

/** Parallel pumps per event and channel: mail enough to keep two worker processes busy; webhooks go to few endpoints. */
export const PUMPS_PER_EVENT: Readonly<Record<DeliveryChannelName, number>> = { email: 8, webhook: 2 };

@Injectable()
export class NoticeDispatchService {
  constructor(@InjectQueue(QueueName.NoticeDispatch) private readonly queue: Queue<SendBatchJob>) {}

  /** Idempotent: a pump whose job already waits or runs is not added twice. */
  async start(eventPk: string, channels: readonly DeliveryChannelName[] = DELIVERY_CHANNELS): Promise<void> {
    await this.add(eventPk, channels, '');
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
    await this.add(eventPk, channels, `-r${generation}`);
  }

  private async add(eventPk: string, channels: readonly DeliveryChannelName[], suffix: string): Promise<void> {
    await this.queue.addBulk(
      channels.flatMap((channel) =>
        Array.from({ length: PUMPS_PER_EVENT[channel] }, (_, pump) => ({
          name: JobName.SendBatch,
          data: { eventPk, pump, channel },
          // Mail pumps keep the ids they had before webhooks, so a queue holding old jobs dedupes against them.
          opts: {
            jobId: `pump-${eventPk}-${channel === 'email' ? '' : `${channel}-`}${pump}${suffix}`,
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      ),
    );
  }
}
