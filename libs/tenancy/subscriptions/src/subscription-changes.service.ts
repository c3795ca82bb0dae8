import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { FailOpen, RedisService, subscriptionChangesChannel } from '@hookline/queue';

/** Tells workers to drop their cached copy of a subscription (URL, headers, status, secrets). */
@Injectable()
export class SubscriptionChanges {
  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Best effort and not awaited: the change is committed already, and workers reload their cache
   * within seconds anyway, so a slow or absent Redis must not fail or delay the request. With
   * Redis away the announcement is dropped rather than queued without bound.
   */
  announce(subscriptionId: string): void {
    if (this.redis.status !== 'ready') {
      this.failOpen.record('subscription_cache_invalidation');
      return;
    }
    this.redis
      .publish(subscriptionChangesChannel(this.config.QUEUE_PREFIX), subscriptionId)
      .catch((error: unknown) => this.failOpen.record('subscription_cache_invalidation', error));
  }
}
