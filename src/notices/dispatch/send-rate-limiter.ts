// A global send rate shared by every worker process: a per-second counter in Redis, granted in batches.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RedisService } from '../../queue/redis.service';

const TAKE = `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], 2000) end
local limit = tonumber(ARGV[2])
if used <= limit then return tonumber(ARGV[1]) end
local over = used - limit
local granted = tonumber(ARGV[1]) - over
if granted < 0 then granted = 0 end
redis.call('DECRBY', KEYS[1], tonumber(ARGV[1]) - granted)
return granted`;

@Injectable()
export class SendRateLimiter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

  get unlimited(): boolean {
    return this.config.MAIL_RATE_PER_SECOND <= 0;
  }

  /**
   * Waits until up to `want` sends are allowed in the current second; returns how many were granted (≥ 1),
   * or 0 when `cancelled()` turns true while waiting.
   */
  async take(want: number, cancelled: () => boolean = () => false): Promise<number> {
    if (this.unlimited) return want;
    const limit = Math.max(1, Math.floor(this.config.MAIL_RATE_PER_SECOND));
    want = Math.min(want, limit);
    for (;;) {
      if (cancelled()) return 0;
      const second = Math.floor(Date.now() / 1000);
      const granted = Number(await this.redis.client.eval(TAKE, 1, this.redis.key('rate', String(second)), want, limit));
      if (granted > 0) return granted;
      const until = Date.now() + 1000 - (Date.now() % 1000) + 5;
      while (Date.now() < until && !cancelled()) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
    }
  }
}
