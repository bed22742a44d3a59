// Prometheus gauges of every queue, read from Redis at scrape time: jobs by state, and the lag (age of the oldest waiting job).
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { QueueName } from '../domain/queue.types';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

@Injectable()
export class QueueMetrics {
  private readonly queues: Queue[];

  constructor(
    metrics: MetricsService,
    @InjectQueue(QueueName.SuspensionEvents) events: Queue,
    @InjectQueue(QueueName.CaseApply) apply: Queue,
    @InjectQueue(QueueName.NoticeDispatch) dispatch: Queue,
    @InjectQueue(QueueName.WebhookDispatch) webhooks: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
  ) {
    this.queues = [events, apply, dispatch, webhooks, maintenance];
    const queues = this.queues;
    const registers = [metrics.registry];
    new Gauge({
      name: 'impact_queue_jobs',
      help: 'Jobs in each queue by state (waiting includes jobs held back by the global concurrency)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const q of queues) {
          const counts = await q.getJobCounts(...STATES).catch(() => null);
          if (!counts) continue; // Redis unreachable: leave this queue out rather than fail the scrape
          for (const state of STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'impact_queue_lag_seconds',
      help: 'Age of the oldest job waiting in each queue (0 when none waits)',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const q of queues) {
          const jobs = await q.getJobs(['wait'], 0, 0, true).catch(() => null);
          if (!jobs) continue;
          const oldest = jobs[0];
          this.set({ queue: q.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
        }
      },
    });
  }
}
