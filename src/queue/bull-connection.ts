// The `connection` every BullMQ queue and worker of the app gets, and, on Redis Cluster, the one cluster client behind it.
import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Cluster } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createRedisClient } from './redis-client';
import { redisOptions } from './redis-options';

@Injectable()
export class BullConnection implements OnApplicationShutdown {
  /**
   * One node: connection options, from which each queue and worker opens (and closes) its own connections. Redis
   * Cluster: BullMQ takes only a client instance for a cluster, so one `Cluster` is shared by every queue, and each
   * worker duplicates it for its blocking connection (BullMQ's own doing). Its per-node options carry
   * `maxRetriesPerRequest: null`, which BullMQ requires for blocking commands.
   */
  readonly connection: ConnectionOptions;
  private readonly cluster: Cluster | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly discovery: DiscoveryService,
  ) {
    if (config.REDIS_CLUSTER.length === 0) {
      this.cluster = null;
      this.connection = redisOptions(config.REDIS_URL) as ConnectionOptions;
    } else {
      this.cluster = createRedisClient(config, { maxRetriesPerRequest: null }) as Cluster;
      this.cluster.on('error', () => undefined); // each queue and worker reports its own errors
      this.connection = this.cluster;
    }
  }

  /**
   * BullMQ leaves a client it was given open, and queues and workers use it while they close, in an order between
   * modules we do not control. So close them all first (close() is idempotent: Nest's own hooks then find them
   * closed), then the cluster client.
   */
  async onApplicationShutdown(): Promise<void> {
    const cluster = this.cluster;
    if (!cluster) return;
    const instances: unknown[] = this.discovery.getProviders().map((w) => w.instance);
    const workers = instances.filter((i): i is WorkerHost => i instanceof WorkerHost).flatMap(workerOf);
    await Promise.all(workers.map((w) => w.close()));
    const queues = instances.filter((i): i is Queue => i instanceof Queue);
    await Promise.all(queues.map((q) => q.close()));
    await cluster.quit().catch(() => cluster.disconnect());
  }
}

/** A processor's worker; none when it was never started (the getter throws then). */
function workerOf(host: WorkerHost): WorkerHost['worker'][] {
  try {
    return [host.worker];
  } catch {
    return [];
  }
}
