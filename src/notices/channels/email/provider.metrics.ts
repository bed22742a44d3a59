// Prometheus metrics per SMTP provider: sends and failures, and whether it is set aside now (SPEC §4).
import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../../metrics/metrics.service';
import type { BreakerState } from './circuit-breaker';

export interface ProviderObserver {
  sent(provider: string): void;
  failed(provider: string, kind: 'temporary' | 'permanent'): void;
  /** Called at scrape time with every provider's breaker state. */
  watch(states: () => { provider: string; state: BreakerState }[]): void;
}

@Injectable()
export class ProviderMetrics implements ProviderObserver {
  private readonly sends: Counter<'provider'>;
  private readonly failures: Counter<'provider' | 'kind'>;
  private states: () => { provider: string; state: BreakerState }[] = () => [];

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.sends = new Counter({
      name: 'impact_smtp_provider_sends_total',
      help: 'Messages accepted by each SMTP provider',
      labelNames: ['provider'],
      registers,
    });
    this.failures = new Counter({
      name: 'impact_smtp_provider_failures_total',
      help: 'Failed sends by SMTP provider and kind (temporary: 4xx or connection error, tried on the next provider)',
      labelNames: ['provider', 'kind'],
      registers,
    });
    const read = () => this.states();
    new Gauge({
      name: 'impact_smtp_provider_set_aside',
      help: 'Whether this process has set the SMTP provider aside (1: circuit open or half-open, 0: in use)',
      labelNames: ['provider', 'state'],
      registers,
      collect() {
        this.reset();
        for (const { provider, state } of read()) this.set({ provider, state }, state === 'closed' ? 0 : 1);
      },
    });
  }

  sent(provider: string): void {
    this.sends.inc({ provider });
  }

  failed(provider: string, kind: 'temporary' | 'permanent'): void {
    this.failures.inc({ provider, kind });
  }

  watch(states: () => { provider: string; state: BreakerState }[]): void {
    this.states = states;
  }
}
