import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { operatorKeys, OperatorKeys, redisKeyspace, RedisService } from '@hookline/queue';

/** How often this worker re-reads the set of open breakers: how late it may learn of one another worker opened. */
export const OPEN_BREAKERS_REFRESH_MS = 1_000;
/** Past this without a successful read, every subscription is treated as possibly open. */
const STALE_AFTER_MS = 5 * OPEN_BREAKERS_REFRESH_MS;

/**
 * This worker's copy of the cluster's set of open circuit breakers, so that a delivery to a healthy
 * endpoint (nearly all of them) needs no Redis round trip before its attempt. Only a subscription in
 * the set, or any while the copy is stale, is checked against the breaker itself in Redis. Breakers
 * this worker opens or closes are applied at once; others' within OPEN_BREAKERS_REFRESH_MS.
 */
@Injectable()
export class OpenBreakersView implements OnModuleInit, OnModuleDestroy {
  private readonly keys: OperatorKeys;
  /** By set: one per delivery shard on a cluster (each beside its subscriptions' breakers), one on a single Redis. */
  private readonly open = new Map<string, Set<string>>();
  private readAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = operatorKeys(redisKeyspace(config));
  }

  onModuleInit() {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), OPEN_BREAKERS_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  /** False only when the breaker is known to be closed. */
  mayBeOpen(subscriptionId: string): boolean {
    return this.setOf(subscriptionId).has(subscriptionId) || Date.now() - this.readAt > STALE_AFTER_MS;
  }

  opened(subscriptionId: string): void {
    this.setOf(subscriptionId).add(subscriptionId);
  }

  closed(subscriptionId: string): void {
    this.setOf(subscriptionId).delete(subscriptionId);
  }

  private setOf(subscriptionId: string): Set<string> {
    const key = this.keys.openBreakers(subscriptionId);
    let set = this.open.get(key);
    if (!set) this.open.set(key, (set = new Set()));
    return set;
  }

  private async refresh(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      // Replies come in command order on each node's connection, so a SETTLE that opened a breaker
      // after this read was sent (to the same node: its shard's set) is applied (opened()) after this
      // read's reply, never undone by it. Hence each set is replaced as its own reply comes, not once
      // all have: a slower node's reply must not bring back another node's older state.
      await Promise.all(this.keys.allOpenBreakers.map(async (key) => this.open.set(key, new Set(await this.redis.smembers(key)))));
      this.readAt = Date.now();
    } catch {
      // Stale after STALE_AFTER_MS: then every delivery asks Redis again, as without this copy.
    }
  }
}
