// One shared ioredis client for the app's own keys (rate limits, pause flags, auth throttling).
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { redisOptions } from './redis-options';

@Injectable()
export class RedisService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly client: Redis;
  private readonly logger = new Logger(RedisService.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new Redis({ ...redisOptions(config.REDIS_URL), maxRetriesPerRequest: 3, lazyConnect: false });
    this.client.on('error', (e) => this.logger.warn(`Redis: ${e.message}`));
  }

  /** Application keys share the BullMQ prefix so one deployment's keys stay together (and in one hash slot). */
  key(...parts: string[]): string {
    return [this.config.BULLMQ_PREFIX, 'app', ...parts].join(':');
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const [, policy] = (await this.client.config('GET', 'maxmemory-policy')) as string[];
      if (policy !== 'noeviction') {
        this.logger.warn(
          `!!! Redis maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued jobs under memory pressure. ` +
            'Set maxmemory-policy noeviction (PostgreSQL keeps every notice, but work will stall until the reconciler finds it).',
        );
      }
    } catch (e) {
      this.logger.warn(`Could not read Redis maxmemory-policy: ${(e as Error).message}`);
    }
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
