import type { JobsOptions } from 'bullmq';

export const BULK_JOBS_QUEUE = 'bulk-jobs';

/** One staged chunk of a bulk job (docs/contract.md#bulk-ingestion); its rows are in Postgres, not in Redis. */
export interface BulkChunkJobData {
  bulkJobId: string;
  tenantId: string;
  chunk: number;
  /** W3C trace context of the upload (when tracing is on): a bulk job is one trace, its events carry it. */
  traceparent?: string;
  tracestate?: string;
}

/**
 * Retries of a chunk that failed (Postgres briefly down, a deadlock): 1 s, 2 s, 4 s … about 17
 * minutes in all. After that its rows are reported as not processed and the job ends `failed`.
 */
export const BULK_CHUNK_ATTEMPTS = 11;
export const BULK_CHUNK_BACKOFF_MS = 1_000;

export interface BulkChunkJob {
  name: string;
  data: BulkChunkJobData;
  opts: JobsOptions;
}

/** `job_…-<chunk>` as the job id, so a chunk is never queued twice (the sweeper may re-add it). */
export function bulkChunkJobId(bulkJobId: string, chunk: number): string {
  return `${bulkJobId}-${chunk}`;
}

export function bulkChunkJob(data: BulkChunkJobData): BulkChunkJob {
  return {
    name: 'bulk-chunk',
    data,
    opts: {
      jobId: bulkChunkJobId(data.bulkJobId, data.chunk),
      attempts: BULK_CHUNK_ATTEMPTS,
      backoff: { type: 'exponential', delay: BULK_CHUNK_BACKOFF_MS },
      removeOnComplete: true,
      removeOnFail: true,
    },
  };
}
