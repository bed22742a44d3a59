// A global send rate shared by every worker process: a per-second counter in Redis, granted in batches.
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { msToNextSecond, takeThisSecond } from '../../queue/rate-counter';
import { RedisService } from '../../queue/redis.service';

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
      const granted = await takeThisSecond(this.redis.client, this.redis.key('rate'), want, limit);
      if (granted > 0) return granted;
      const until = Date.now() + msToNextSecond();
      while (Date.now() < until && !cancelled())
        await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
    }
  }
}
