import { Injectable } from '@nestjs/common';
import { BulkSqlPool } from '@hookline/database';
import { BulkPublishService, PublishInput } from '@hookline/events';
import { BulkChunkJobData, DeliveryJobData } from '@hookline/queue';
import { publishTraceCarrier } from '@hookline/tracing';
import { BulkJobErrorView } from './bulk-job-views';
import { BulkJobsRepository } from './bulk-jobs.repository';
import { parseBulkRow } from './bulk-row';

/** Per statement: long enough for 10,000 rows with a wide fan-out on a busy database. */
const STATEMENT_TIMEOUT_MS = 5 * 60_000;
const MAX_ERROR_LENGTH = 2_000;
/** One publish statement takes at most this many rows, or this much row text. */
const SLICE_ROWS = 2_000;
const SLICE_BYTES = 1024 * 1024;

export interface ChunkOutcome {
  accepted: number;
  failed: number;
}

/**
 * The worker half of bulk ingestion: publishes one staged chunk. Everything a chunk produces
 * (idempotency claims, events, deliveries, bad-row errors, the job's counters) commits in the same
 * transaction that deletes the chunk from staging. A chunk that fails (Postgres down, a deadlock)
 * therefore leaves no trace and is simply retried; a chunk that committed is gone, so running it
 * again does nothing. A row the database refuses (a constraint, a trigger, a cast) does not fail
 * the chunk: the publish is retried in halves until that row alone fails, and it becomes a row
 * error. Deliveries are enqueued after the commit, as for `POST /events`.
 */
@Injectable()
export class BulkChunksService {
  constructor(
    private readonly sql: BulkSqlPool,
    private readonly jobs: BulkJobsRepository,
    private readonly publisher: BulkPublishService,
  ) {}

  /** Null when the chunk was already processed (a retried or re-added job). */
  async process(job: BulkChunkJobData): Promise<ChunkOutcome | null> {
    await this.jobs.markProcessing(job.bulkJobId);
    // The chunk's span (in the upload's trace) when tracing is on: every event of the chunk joins it.
    const trace = publishTraceCarrier();
    const result = await this.sql.transaction(async (tx) => {
      const chunk = await this.jobs.takeChunk(tx, job.bulkJobId, job.chunk);
      if (!chunk) return null;

      const errors: BulkJobErrorView[] = [];
      const deliveries: DeliveryJobData[] = [];
      // Published a slice at a time, all in this one transaction: every statement stays a few MB
      // at most, and a key used twice in the chunk still meets its first use (already claimed here).
      for (let start = 0; start < chunk.rows.length;) {
        const inputs: PublishInput[] = [];
        const inputLines: number[] = [];
        let bytes = 0;
        for (; start < chunk.rows.length && inputs.length < SLICE_ROWS && bytes < SLICE_BYTES; start++) {
          const parsed = parseBulkRow(chunk.rows[start]);
          if (parsed.error !== undefined) errors.push({ line: chunk.lines[start], error: parsed.error });
          else {
            inputs.push(trace ? { ...parsed.input, trace } : parsed.input);
            inputLines.push(chunk.lines[start]);
            bytes += chunk.rows[start].length;
          }
        }
        const published = await this.publisher.publishMany(chunk.tenantId, inputs, tx);
        published.outcomes.forEach((outcome, i) => {
          if (outcome instanceof Error) errors.push({ line: inputLines[i], error: notPublished(outcome) });
          else if (outcome.status === 'rejected') errors.push({ line: inputLines[i], error: outcome.error });
        });
        for (const delivery of published.deliveries) deliveries.push(delivery);
      }

      const outcome = { accepted: chunk.rows.length - errors.length, failed: errors.length };
      await this.jobs.recordErrors(job.bulkJobId, errors.map(truncated), tx);
      await this.jobs.finishChunk(tx, job.bulkJobId, outcome.accepted, outcome.failed, false);
      return { outcome, deliveries };
    }, STATEMENT_TIMEOUT_MS);
    if (!result) return null;
    await this.publisher.enqueue(result.deliveries satisfies DeliveryJobData[]);
    return result.outcome;
  }

  /**
   * After the last retry: the chunk's rows are reported as not processed and the chunk counts as
   * done, so the job still finishes (as `failed`) instead of waiting forever. Throws if Postgres is
   * still unreachable; the chunk then stays staged and the sweeper queues it again later.
   */
  async giveUp(job: BulkChunkJobData, reason: string): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const chunk = await this.jobs.takeChunk(tx, job.bulkJobId, job.chunk);
      if (!chunk) return 0;
      const error = `not processed: ${reason}`;
      await this.jobs.recordErrors(
        job.bulkJobId,
        chunk.lines.map((line) => truncated({ line, error })),
        tx,
      );
      await this.jobs.finishChunk(tx, job.bulkJobId, 0, chunk.lines.length, true);
      return chunk.lines.length;
    }, STATEMENT_TIMEOUT_MS);
  }
}

/** Postgres's own reason, first line: what an operator needs to find the row's fault. */
function notPublished(error: Error): string {
  const reason = error.message.split('\n')[0].trim() || 'unknown error';
  return `not published: the database refused this row (${reason})`;
}

function truncated(error: BulkJobErrorView): BulkJobErrorView {
  return error.error.length > MAX_ERROR_LENGTH ? { line: error.line, error: `${error.error.slice(0, MAX_ERROR_LENGTH)}…` } : error;
}
