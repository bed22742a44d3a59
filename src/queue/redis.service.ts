// One shared ioredis client (a Cluster client on Redis Cluster) for the app's own keys (rate limits, sessions, auth throttling).
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { once } from 'node:events';
import { Cluster } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createRedisClient, masterNodes, type RedisClient } from './redis-client';

const CLUSTER_READY_WAIT_MS = 10_000;

@Injectable()
export class RedisService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly client: RedisClient;
  private readonly logger = new Logger(RedisService.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = createRedisClient(config, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.client.on('error', (e: Error) => this.logger.warn(`Redis: ${e.message}`));
  }

  /**
   * Application keys share the BullMQ prefix so one deployment's keys stay together; on a Redis Cluster the prefix is
   * a hash tag (checked at start), so they hash to the queues' slot and every multi-key command and script works.
   */
  key(...parts: string[]): string {
    return [this.config.BULLMQ_PREFIX, 'app', ...parts].join(':');
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      if (this.client instanceof Cluster && this.client.status !== 'ready') {
        const timeout = AbortSignal.timeout(CLUSTER_READY_WAIT_MS);
        await once(this.client, 'ready', { signal: timeout });
      }
      for (const node of masterNodes(this.client)) {
        const [, policy] = (await node.config('GET', 'maxmemory-policy')) as string[];
        if (policy !== 'noeviction') {
          this.logger.warn(
            `!!! Redis maxmemory-policy is "${policy}", not "noeviction"${this.client instanceof Cluster ? ` on ${node.options.host}:${node.options.port}` : ''}: ` +
              'Redis may evict queued jobs under memory pressure. ' +
              'Set maxmemory-policy noeviction (PostgreSQL keeps every notice, but work will stall until the reconciler finds it).',
          );
        }
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
