import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { AttemptSummary, DeliveryJobData, deliveryUpdateMessage, deliveryUpdatesChannel, FailOpen, isCluster, RedisClient, RedisService } from '@hookline/queue';

/** Past this many unsent updates (Redis slow or away), new ones are dropped rather than held. */
const MAX_PENDING = 10_000;

/**
 * Announces each recorded attempt on the tenant's delivery-updates channel, for the API's gRPC
 * WatchDeliveries. Best effort and fire-and-forget: a live feed, not a log (the attempts table
 * is), so it never delays or fails a delivery. Updates of one tick go out together: in one pipeline,
 * or on a cluster as SPUBLISH, which the hub's sharded subscriber hears (deliveryUpdatesChannel says why).
 */
@Injectable()
export class DeliveryUpdatesPublisher {
  private pending: [channel: string, message: string][] = [];

  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Call after the attempt is committed. */
  attempted(job: DeliveryJobData, attempt: AttemptSummary): void {
    // With Redis away, ioredis would queue commands without bound; nobody can be watching anyway.
    if (this.redis.status !== 'ready' || this.pending.length >= MAX_PENDING) {
      this.failOpen.record('delivery_updates');
      return;
    }
    const message = deliveryUpdateMessage(job, attempt);
    this.pending.push([deliveryUpdatesChannel(this.config.QUEUE_PREFIX, job.tenantId), JSON.stringify(message)]);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  private flush() {
    const batch = this.pending;
    this.pending = [];
    const redis = this.redis as RedisClient;
    if (isCluster(redis)) {
      // A cluster pipeline takes one slot; the client's auto-pipelining groups these by node instead.
      for (const [channel, message] of batch) redis.spublish(channel, message).catch((error: unknown) => this.failOpen.record('delivery_updates', error));
      return;
    }
    const pipeline = redis.pipeline();
    for (const [channel, message] of batch) pipeline.publish(channel, message);
    pipeline.exec().catch((error: unknown) => this.failOpen.record('delivery_updates', error, batch.length));
  }
}
