// Prometheus metrics of sending: outcomes by kind, SMTP reply codes, send latency.
import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../metrics/metrics.service';

@Injectable()
export class NoticeMetrics {
  private readonly outcomes: Counter<'kind' | 'status'>;
  private readonly replies: Counter<'code'>;
  private readonly latency: Histogram<'status'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.outcomes = new Counter({
      name: 'impact_notice_outcomes_total',
      help: 'Notice send attempts by notice kind and resulting delivery state',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.replies = new Counter({
      name: 'impact_smtp_replies_total',
      help: 'SMTP replies by code (none: connection error or template error)',
      labelNames: ['code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'impact_notice_send_seconds',
      help: 'Time to render and hand one notice to the transport',
      labelNames: ['status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
  }

  outcome(
    kind: string,
    status: 'sent' | 'failed' | 'retrying' | 'suppressed',
    code: number | null,
    started?: bigint,
  ): void {
    this.outcomes.inc({ kind, status });
    this.replies.inc({ code: code === null ? 'none' : String(code) });
    if (started !== undefined) this.latency.observe({ status }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
