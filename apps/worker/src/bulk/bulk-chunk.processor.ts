import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { BulkChunksService } from '@hookline/bulk-jobs';
import { BULK_JOBS_QUEUE, BulkChunkJobData } from '@hookline/queue';
import { contextFrom, inSpan } from '@hookline/tracing';

/**
 * Chunks in flight per worker process. Each holds up to 10,000 parsed rows and one database
 * connection for its transaction; two keep a core busy while the other waits on Postgres.
 */
export const BULK_CHUNK_CONCURRENCY = 2;

/**
 * One job = one staged chunk of a bulk job. A failure (Postgres unreachable, a deadlock, a
 * timeout) rolls the chunk's transaction back and BullMQ retries it with exponential backoff
 * (bulkChunkJob in @hookline/queue). On the last attempt the chunk is given up: its rows are
 * reported as not processed, so the job still finishes.
 */
@Processor(BULK_JOBS_QUEUE, { concurrency: BULK_CHUNK_CONCURRENCY })
export class BulkChunkProcessor extends WorkerHost {
  private readonly logger = new Logger(BulkChunkProcessor.name);

  constructor(private readonly chunks: BulkChunksService) {
    super();
  }

  process(job: Job<BulkChunkJobData>): Promise<void> {
    const attributes = { 'hookline.bulk_job_id': job.data.bulkJobId, 'hookline.tenant_id': job.data.tenantId, 'hookline.chunk': job.data.chunk };
    return inSpan('hookline.bulk.chunk', { attributes, parent: contextFrom(job.data) }, () => this.processChunk(job));
  }

  private async processChunk(job: Job<BulkChunkJobData>): Promise<void> {
    const { bulkJobId, chunk } = job.data;
    try {
      const outcome = await this.chunks.process(job.data);
      if (outcome) this.logger.log(`bulk job ${bulkJobId} chunk ${chunk}: ${outcome.accepted} accepted, ${outcome.failed} failed`);
    } catch (error) {
      const attempt = job.attemptsMade + 1;
      const attempts = job.opts.attempts ?? 1;
      const reason = failureReason(error);
      if (attempt < attempts) {
        this.logger.warn(`bulk job ${bulkJobId} chunk ${chunk} failed (attempt ${attempt} of ${attempts}), will retry: ${reason}`);
        throw error;
      }
      this.logger.error(`bulk job ${bulkJobId} chunk ${chunk} failed ${attempts} times, giving up: ${reason}`);
      // If this throws too (Postgres still down), the chunk stays staged and the sweeper re-queues it.
      await this.chunks.giveUp(job.data, reason);
    }
  }
}

/** One line for logs and the job's errors: Postgres's own message rather than Prisma's wrapping. */
export function failureReason(error: unknown): string {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { message?: unknown } } } }).meta?.driverAdapterError?.cause;
  const text = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  const line = text
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .at(-1);
  return (line ?? 'unknown error').slice(0, 500);
}
