import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeliveryJobsRepository } from '@hookline/deliveries';
import { DELIVERIES_QUEUE, DeliveryEnqueuer, DeliveryJobData } from '@hookline/queue';
import { IntervalTask } from './interval-task';

const PAGE = 1_000;
const MAX_PAGES_PER_RUN = 20;

/**
 * The outbox's other half: finds deliveries that are due in Postgres but have no job in Redis
 * (Redis restarted or flushed, a crash between commit and enqueue, a job dropped after stalling
 * too often) and queues them again. Job id = delivery id, so a race with another sweeper or with
 * the API adds nothing twice.
 */
@Injectable()
export class Sweeper extends IntervalTask {
  protected readonly logger = new Logger(Sweeper.name);
  protected readonly intervalMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectQueue(DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJobData>,
    private readonly deliveries: DeliveryJobsRepository,
    private readonly enqueuer: DeliveryEnqueuer,
  ) {
    super();
    this.intervalMs = config.SWEEP_INTERVAL_MS;
  }

  protected async runOnce(): Promise<void> {
    let after = '';
    let requeued = 0;
    for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
      const ids = await this.deliveries.overdue(this.intervalMs, PAGE, after);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      const missing = await this.missingFromRedis(ids);
      // Re-read after looking at Redis: a job that finished in between has committed its new
      // status before leaving Redis, so it no longer shows as overdue here.
      const lost = missing.length ? await this.deliveries.stillOverdue(missing, this.intervalMs) : [];
      if (lost.length && (await this.enqueuer.enqueue(await this.deliveries.jobData(lost)))) requeued += lost.length;
      if (ids.length < PAGE) break;
    }
    if (requeued) this.logger.warn(`re-enqueued ${requeued} due deliveries that were missing from Redis`);
  }

  private async missingFromRedis(ids: string[]): Promise<string[]> {
    const client = (await this.queue.client) as unknown as Redis;
    const pipeline = client.pipeline();
    for (const id of ids) pipeline.exists(this.queue.toKey(id));
    const results = (await pipeline.exec()) ?? [];
    return ids.filter((_, i) => results[i]?.[1] === 0);
  }
}
