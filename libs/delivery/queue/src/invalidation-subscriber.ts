import type { AppConfig } from '@hookline/config';
import { withTimeout } from '@hookline/timeout';
import type { RedisClient } from './redis';
import { createRedisClient } from './redis';

/** How often a quiet subscriber checks its connection still answers, and how long it waits for the answer. */
export const INVALIDATION_PING_INTERVAL_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;

/**
 * Redis pub/sub channel on which an API process announces a tenant whose API keys changed (a key
 * revoked, the tenant deleted), so every API process drops its cached keys of that tenant. Channels
 * ignore the db index, hence the queue prefix in the name.
 */
export function apiKeyChangesChannel(queuePrefix: string): string {
  return `${queuePrefix}:api-key-changes`;
}

/** Redis pub/sub channel on which a process announces an event type whose schema changed (created, updated, deleted). */
export function eventTypeChangesChannel(queuePrefix: string): string {
  return `${queuePrefix}:event-type-changes`;
}

export interface InvalidationHandlers {
  /** One announcement on the channel. */
  message(message: string): void;
  /**
   * The subscription started or stopped. While it is not live, announcements are lost: a cache must
   * not trust what it holds (and must start afresh once it is live again).
   */
  liveChanged(live: boolean): void;
  /** A connection error, for FailOpen. */
  error(error: unknown): void;
}

/**
 * One Redis pub/sub subscription for cache invalidations, which knows whether it is live right
 * now: from the SUBSCRIBE reply until the connection closes or stops answering a PING. ioredis
 * would re-subscribe on its own after a reconnect, but without telling when; here each reconnect
 * subscribes again and reports `liveChanged(true)` only once Redis has confirmed it.
 */
export class InvalidationSubscriber {
  private readonly connection: RedisClient;
  private pinger?: NodeJS.Timeout;
  private isLive = false;
  private closed = false;

  constructor(
    config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
    private readonly channel: string,
    private readonly handlers: InvalidationHandlers,
  ) {
    // On a cluster, PUBLISH reaches every node, and ioredis keeps the subscription on a live one.
    this.connection = createRedisClient(config, { lazyConnect: true, enableOfflineQueue: false, autoResubscribe: false });
    this.connection.on('error', (error: unknown) => handlers.error(error));
    this.connection.on('message', (_channel: string, message: string) => handlers.message(message));
    this.connection.on('close', () => this.setLive(false));
    this.connection.on('ready', () => this.subscribe());
  }

  get live(): boolean {
    return this.isLive;
  }

  /** Connects and subscribes in the background; `liveChanged(true)` says when it is done. */
  start(): void {
    this.connection.connect().catch((error: unknown) => this.handlers.error(error));
    this.pinger = setInterval(() => this.ping(), INVALIDATION_PING_INTERVAL_MS).unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.pinger);
    this.setLive(false);
    this.connection.disconnect();
  }

  private subscribe(): void {
    this.connection.subscribe(this.channel).then(
      () => {
        if (!this.closed && this.connection.status === 'ready') this.setLive(true);
      },
      (error: unknown) => this.handlers.error(error),
    );
  }

  /** A connection that no longer answers (a silent network drop) is treated as closed, and reconnected. */
  private ping(): void {
    if (!this.isLive) return;
    withTimeout(this.connection.ping(), PING_TIMEOUT_MS).catch((error: unknown) => {
      this.handlers.error(error);
      this.setLive(false);
      if (!this.closed) this.connection.disconnect(true);
    });
  }

  private setLive(live: boolean): void {
    if (this.isLive === live) return;
    this.isLive = live;
    this.handlers.liveChanged(live);
  }
}
