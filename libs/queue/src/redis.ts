import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
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

/** A general-purpose connection for health checks, pub/sub publishing and counters. */
@Injectable()
export class RedisService extends Redis implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Auto-pipelining: the evals of many concurrent deliveries and requests share one socket write.
    super({ ...redisOptions(config.REDIS_URL), lazyConnect: false, enableOfflineQueue: true, enableAutoPipelining: true });
    this.on('error', () => undefined);
  }

  onApplicationShutdown() {
    this.disconnect();
  }
}

@Global()
@Module({ providers: [RedisService, FailOpen], exports: [RedisService, FailOpen] })
export class RedisModule {}
