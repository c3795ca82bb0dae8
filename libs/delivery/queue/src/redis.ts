import { Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis, { Cluster, RedisOptions } from 'ioredis';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { FailOpen } from './fail-open';

/** ioredis options from REDIS_URL (`redis://[user:pass@]host:port[/db]`), as BullMQ requires them. */
export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number(parsed.pathname.replace(/^\//, '') || 0),
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** A connection to the single Redis or to the cluster: the commands Hookline uses are the same on both. */
export type RedisClient = Redis | Cluster;

/** What a caller may choose about its connection; the rest comes from the configuration. */
export interface RedisClientOptions {
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
  enableAutoPipelining?: boolean;
  /** null (the default, as BullMQ requires): a command waits for Redis however long it is away. */
  maxRetriesPerRequest?: number | null;
  /** false: the caller subscribes again itself after a reconnect (to know when it is live). */
  autoResubscribe?: boolean;
  /** On a cluster: SSUBSCRIBE goes to the master owning each channel's slot (ignored on one Redis). */
  shardedSubscribers?: boolean;
}

const CLUSTER_SLOTS_REFRESH_TIMEOUT_MS = 5_000;

type ClientConfig = Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>;

/**
 * The one way Hookline connects to Redis: BullMQ's queues and workers, the shared client, pub/sub
 * subscribers. With REDIS_CLUSTER_NODES an ioredis Cluster over those nodes (credentials and TLS
 * from REDIS_URL; a cluster has no db index), otherwise a Redis at REDIS_URL.
 */
export function createRedisClient(config: ClientConfig, options: RedisClientOptions = {}): RedisClient {
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, maxRetriesPerRequest = null, autoResubscribe, shardedSubscribers } = options;
  const { db: _db, ...node } = redisOptions(config.REDIS_URL);
  if (config.REDIS_CLUSTER_NODES?.length) {
    return new Cluster(config.REDIS_CLUSTER_NODES, {
      lazyConnect,
      // The slot map is read at connect and after every MOVED; ioredis's 1 s gives up on a busy node,
      // and a first connect that gives up fails every command queued behind it.
      slotsRefreshTimeout: CLUSTER_SLOTS_REFRESH_TIMEOUT_MS,
      enableOfflineQueue,
      enableAutoPipelining,
      shardedSubscribers,
      redisOptions: { username: node.username, password: node.password, tls: node.tls, maxRetriesPerRequest, autoResubscribe },
    });
  }
  return new Redis({ ...node, db: _db, lazyConnect, enableOfflineQueue, enableAutoPipelining, maxRetriesPerRequest, autoResubscribe });
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The masters of a cluster, or the one Redis: for what must be asked of every node (CONFIG GET, FLUSHDB). */
export function redisNodes(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/**
 * The general-purpose connection for health checks, pub/sub publishing, counters and scripts,
 * injected by this class. The instance is a Redis or a Cluster (createRedisClient), typed as Redis
 * for the commands both answer alike: use nothing a Cluster lacks (`select`, a db index).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- a DI token whose instance comes from a factory, never `new`
export abstract class RedisService {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the token's type: the client's commands
export interface RedisService extends Redis {}

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(private readonly redis: RedisService) {}

  onApplicationShutdown() {
    this.redis.disconnect();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: RedisService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // Auto-pipelining: the evals of many concurrent deliveries and requests share one socket write.
        const client = createRedisClient(config, { lazyConnect: false, enableOfflineQueue: true, enableAutoPipelining: true });
        client.on('error', () => undefined);
        return client;
      },
    },
    RedisShutdown,
    FailOpen,
  ],
  exports: [RedisService, FailOpen],
})
export class RedisModule {}
