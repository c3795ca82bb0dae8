import type { ConnectionOptions } from 'bullmq';
import type { AppConfig } from '@hookline/config';
import type { RedisClient } from './redis';
import { createRedisClient, redisOptions } from './redis';

/**
 * What BullMQ's queues and workers connect with. On a single Redis, options: BullMQ opens (and
 * closes) a connection per queue and worker, as it always did. On a cluster, one Cluster client
 * shared by every queue of the app (BullMQ cannot build a Cluster from options); each worker
 * duplicates it for its blocking reads. The app disconnects it at shutdown.
 */
export class BullConnection {
  readonly connection: ConnectionOptions;
  private readonly shared?: RedisClient;

  constructor(config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>) {
    if (config.REDIS_CLUSTER_NODES?.length) {
      // Connecting now, not lazily: BullMQ calls connect() on a lazy client and takes a first failure
      // as final for the queue, while a client already connecting retries until it is ready.
      this.shared = createRedisClient(config);
      this.shared.on('error', () => undefined);
      this.connection = this.shared;
    } else {
      this.connection = redisOptions(config.REDIS_URL);
    }
  }

  disconnect(): void {
    this.shared?.disconnect();
  }
}
