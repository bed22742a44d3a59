// Prometheus metrics of webhook deliveries: attempts by notice kind and resulting state, HTTP answers, call latency.
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../../metrics/metrics.service';

@Injectable()
export class WebhookMetrics {
  private readonly outcomes: Counter<'kind' | 'status'>;
  private readonly answers: Counter<'code'>;
  private readonly latency: Histogram<'status'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.outcomes = new Counter({
      name: 'impact_webhook_outcomes_total',
      help: 'Webhook delivery attempts by notice kind and resulting delivery state',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.answers = new Counter({
      name: 'impact_webhook_answers_total',
      help: 'HTTP statuses webhook receivers answered (none: refused, timed out or connection error)',
      labelNames: ['code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'impact_webhook_call_seconds',
      help: 'Time of one webhook call, connect to last byte read',
      labelNames: ['status'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  outcome(
    kind: string,
    status: 'sent' | 'failed' | 'retrying' | 'cancelled',
    code: number | null,
    started?: bigint,
  ): void {
    this.outcomes.inc({ kind, status });
    if (started === undefined) return;
    this.answers.inc({ code: code === null ? 'none' : String(code) });
    this.latency.observe({ status }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
