// Opens the service's Redis connections: one node at REDIS_URL, or a Redis Cluster when REDIS_CLUSTER_NODES is set.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { redisOptions } from './redis-options';

export type RedisClient = Redis | Cluster;

/**
 * A failover takes the cluster about node-timeout plus an election (a few seconds at the usual timeouts). ioredis
 * retries a command that hit a closed connection or CLUSTERDOWN after this delay, at most `maxRedirections` (16)
 * times, so about 5 s in all before the error reaches the caller (who retries in turn: BullMQ, the reconciler).
 */
const CLUSTER_RETRY_DELAY_MS = 300;

/** Cluster options: REDIS_URL gives the per-node credentials and `rediss:` TLS; a cluster has only database 0. */
export function clusterOptions(redisUrl: string, node: RedisOptions = {}): ClusterOptions {
  const { host: _host, port: _port, db: _db, ...perNode } = { ...redisOptions(redisUrl), ...node };
  return {
    redisOptions: perNode,
    retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: CLUSTER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: CLUSTER_RETRY_DELAY_MS,
  };
}

/** A client for the configured Redis: a `Cluster` over REDIS_CLUSTER_NODES, else one `Redis` at REDIS_URL. */
export function createRedisClient(
  config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER'>,
  node: RedisOptions = {},
): RedisClient {
  if (config.REDIS_CLUSTER.length === 0) return new Redis({ ...redisOptions(config.REDIS_URL), ...node });
  const seeds = config.REDIS_CLUSTER.map(({ host, port }) => ({ host, port }));
  return new Cluster(seeds, clusterOptions(config.REDIS_URL, node));
}

/** Every node the client talks to (a cluster's masters; only those hold keys). */
export function masterNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
