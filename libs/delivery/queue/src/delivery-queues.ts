import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeliveryJobData } from './delivery-job';
import { RedisClient } from './redis';
import { deliveryQueueNames, deliveryShardOf, redisKeyspace } from './redis-keyspace';

/**
 * The delivery queues, one per shard (QUEUE_SHARDS), and the one rule that picks a delivery's queue:
 * its subscription's shard. A delivery's job always lands in the same queue, so job id = delivery id
 * still means a delivery is queued at most once.
 */
@Injectable()
export class DeliveryQueues {
  private queues?: Queue<DeliveryJobData>[];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Index = shard. Looked up on first use, which may come before this module's init (the queue dashboard is mounted then). */
  get all(): Queue<DeliveryJobData>[] {
    this.queues ??= deliveryQueueNames(redisKeyspace(this.config)).map((name) => this.moduleRef.get<Queue<DeliveryJobData>>(getQueueToken(name), { strict: false }));
    return this.queues;
  }

  shardOf(subscriptionId: string): number {
    return deliveryShardOf(subscriptionId, this.all.length);
  }

  forSubscription(subscriptionId: string): Queue<DeliveryJobData> {
    return this.all[this.shardOf(subscriptionId)];
  }

  /** A delivery's job, from whichever queue holds it. */
  async findJob(deliveryId: string): Promise<Job<DeliveryJobData> | undefined> {
    const jobs = await Promise.all(this.all.map((queue) => queue.getJob(deliveryId)));
    return jobs.find(Boolean);
  }

  /**
   * Removes a delivery's waiting or delayed job known only by id, from whichever queue holds it. As
   * BullMQ's remove: 0 while a worker holds it locked (sending it), else 1.
   */
  async remove(deliveryId: string): Promise<number> {
    const codes = await Promise.all(this.all.map((queue) => queue.remove(deliveryId)));
    return codes.includes(0) ? 0 : 1;
  }

  /**
   * Of `deliveryIds`, those with a job in some delivery queue. Every queue is looked in, not only the
   * subscription's shard: a job queued before QUEUE_SHARDS changed stays where it was and is still
   * consumed. One pipeline per queue: its keys share one slot on a cluster.
   */
  async withJobs(deliveryIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    await Promise.all(
      this.all.map(async (queue) => {
        const client = (await queue.client) as unknown as RedisClient;
        const pipeline = client.pipeline();
        for (const id of deliveryIds) pipeline.exists(queue.toKey(id));
        const results = (await pipeline.exec()) ?? [];
        deliveryIds.forEach((id, i) => results[i]?.[1] === 1 && found.add(id));
      }),
    );
    return found;
  }

  /** Jobs waiting to be taken (not delayed), over every shard. */
  async waiting(): Promise<number> {
    const counts = await Promise.all(this.all.map((queue) => queue.getJobCounts('wait', 'prioritized')));
    return counts.reduce((sum, c) => sum + (c.wait ?? 0) + (c.prioritized ?? 0), 0);
  }
}
