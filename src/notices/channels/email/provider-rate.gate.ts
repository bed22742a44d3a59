// Each SMTP provider's own `?rate=N`, held across every worker process by a per-second counter in Redis.
import { Injectable } from '@nestjs/common';
import { takeThisSecond } from '../../../queue/rate-counter';
import { RedisService } from '../../../queue/redis.service';

export interface RateGate {
  /** Takes one send from `provider`'s budget for this second; false when it is spent. */
  tryTake(provider: string, perSecond: number): Promise<boolean>;
}

@Injectable()
export class ProviderRateGate implements RateGate {
  constructor(private readonly redis: RedisService) {}

  async tryTake(provider: string, perSecond: number): Promise<boolean> {
    const limit = Math.max(1, Math.floor(perSecond));
    return (await takeThisSecond(this.redis.client, this.redis.key('provider-rate', provider), 1, limit)) > 0;
  }
}

/** One process's own count, for the transport used without Nest (tests, the benchmark's bare loop). */
export class LocalRateGate implements RateGate {
  private readonly used = new Map<string, { second: number; n: number }>();

  async tryTake(provider: string, perSecond: number): Promise<boolean> {
    const second = Math.floor(Date.now() / 1000);
    const slot = this.used.get(provider);
    const n = slot && slot.second === second ? slot.n : 0;
    if (n >= Math.max(1, Math.floor(perSecond))) return false;
    this.used.set(provider, { second, n: n + 1 });
    return true;
  }
}
