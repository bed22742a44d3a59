// bull-board over every queue of the app, mounted at /admin/queues behind the admin gate (see WebModule).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { QueueName } from '../domain/queue.types';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

@Injectable()
export class QueueDashboard {
  readonly router: RequestHandler;

  constructor(
    @InjectQueue(QueueName.SuspensionEvents) events: Queue,
    @InjectQueue(QueueName.CaseApply) apply: Queue,
    @InjectQueue(QueueName.NoticeDispatch) dispatch: Queue,
    @InjectQueue(QueueName.WebhookDispatch) webhooks: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
  ) {
    const adapter = new ExpressAdapter();
    adapter.setBasePath(QUEUE_DASHBOARD_PATH);
    const queues = [events, apply, dispatch, webhooks, maintenance].map((q) => new BullMQAdapter(q));
    createBullBoard({ queues, serverAdapter: adapter, options: { uiConfig: { boardTitle: 'Impact notices queues' } } });
    this.router = adapter.getRouter() as RequestHandler;
  }
}
