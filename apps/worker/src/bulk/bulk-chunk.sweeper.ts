import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { BulkJobsRepository } from '@hookline/bulk-jobs';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { BULK_JOBS_QUEUE, BulkChunkJobData, bulkChunkJob, bulkChunkJobId } from '@hookline/queue';
import { IntervalTask } from '../maintenance/interval-task';

const PAGE = 500;
/** An upload never sealed this long after it began lost its API process; nobody has its id. */
const ABANDONED_UPLOAD_MS = 24 * 60 * 60_000;

/**
 * Staged chunks are the truth; their BullMQ jobs are a convenience. This re-queues any chunk of a
 * complete upload whose job is missing from Redis (the API could not enqueue, Redis was flushed,
 * a job was dropped after its retries while Postgres was still down). The job id is the chunk's,
 * so racing the API or another sweeper adds nothing twice, and a chunk processed meanwhile is
 * already gone from staging when its job runs.
 */
@Injectable()
export class BulkChunkSweeper extends IntervalTask {
  protected readonly logger = new Logger(BulkChunkSweeper.name);
  protected readonly intervalMs: number;
  private readonly staleAfterMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectQueue(BULK_JOBS_QUEUE) private readonly queue: Queue<BulkChunkJobData>,
    private readonly jobs: BulkJobsRepository,
  ) {
    super();
    this.intervalMs = 4 * config.SWEEP_INTERVAL_MS;
    this.staleAfterMs = Math.max(2 * this.intervalMs, 2_000);
  }

  protected async runOnce(): Promise<void> {
    const staged = await this.jobs.stagedChunks(this.staleAfterMs, PAGE);
    if (staged.length > 0) {
      const client = (await this.queue.client) as unknown as Redis;
      const pipeline = client.pipeline();
      for (const ref of staged) pipeline.exists(this.queue.toKey(bulkChunkJobId(ref.bulkJobId, ref.chunk)));
      const results = (await pipeline.exec()) ?? [];
      const missing = staged.filter((_, i) => results[i]?.[1] === 0);
      if (missing.length > 0) {
        await this.queue.addBulk(missing.map((ref) => bulkChunkJob(ref)));
        this.logger.warn(`re-queued ${missing.length} staged bulk chunks that had no job in Redis`);
      }
    }
    const abandoned = await this.jobs.removeAbandonedUploads(ABANDONED_UPLOAD_MS);
    if (abandoned > 0) this.logger.warn(`removed ${abandoned} uploads abandoned mid-stream`);
  }
}
