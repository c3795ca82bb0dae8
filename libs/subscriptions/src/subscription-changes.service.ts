import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { RedisService, subscriptionChangesChannel } from '@hookline/queue';

/** Tells workers to drop their cached copy of a subscription (URL, headers, status, secrets). */
@Injectable()
export class SubscriptionChanges {
  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Best effort and not awaited: the change is committed already, and workers reload their cache
   * within seconds anyway, so a slow or absent Redis must not fail or delay the request.
   */
  announce(subscriptionId: string): void {
    this.redis.publish(subscriptionChangesChannel(this.config.QUEUE_PREFIX), subscriptionId).catch(() => undefined);
  }
}
