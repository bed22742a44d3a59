// Starts sending an event: enqueues a few pump jobs (ids only) per channel that any worker process may run.
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  CHANNEL_PUMP_JOB,
  DELIVERY_CHANNELS,
  QueueName,
  type DeliveryChannelName,
  type SendBatchJob,
} from '../../domain/queue.types';

/** Parallel pumps per event and channel: mail enough to keep two worker processes busy; webhooks go to few endpoints. */
export const PUMPS_PER_EVENT: Readonly<Record<DeliveryChannelName, number>> = { email: 8, webhook: 2 };

@Injectable()
export class NoticeDispatchService {
  private readonly queues: Readonly<Record<DeliveryChannelName, Queue<SendBatchJob>>>;

  constructor(
    @InjectQueue(QueueName.NoticeDispatch) mail: Queue<SendBatchJob>,
    @InjectQueue(QueueName.WebhookDispatch) webhooks: Queue<SendBatchJob>,
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

  private async add(channel: DeliveryChannelName, eventPk: string, suffix: string): Promise<void> {
    await this.queues[channel].addBulk(
      Array.from({ length: PUMPS_PER_EVENT[channel] }, (_, pump) => ({
        name: CHANNEL_PUMP_JOB[channel],
        data: { eventPk, pump },
        opts: { jobId: `pump-${eventPk}-${pump}${suffix}`, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
}
