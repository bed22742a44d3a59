// Failed status-link lookups per client address (SPEC §4): past the allowance, every lookup from it is 429 for a minute.
import { Injectable } from '@nestjs/common';
import { RedisService } from '../queue/redis.service';

export const STATUS_FAILURES_ALLOWED = 20;
const WINDOW_SECONDS = 60;

@Injectable()
export class StatusFailureLimiter {
  constructor(private readonly redis: RedisService) {}

  private key(client: string): string {
    return this.redis.key('status-fail', client);
  }

  async blocked(client: string): Promise<boolean> {
    return Number((await this.redis.client.get(this.key(client))) ?? 0) >= STATUS_FAILURES_ALLOWED;
  }

  async record(client: string): Promise<void> {
    const key = this.key(client);
    const n = await this.redis.client.incr(key);
    if (n === 1) await this.redis.client.expire(key, WINDOW_SECONDS);
  }
}
