import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { ProblemException } from '@hookline/http-problem';
import { newId } from '@hookline/ids';
import { BULK_JOBS_QUEUE, BulkChunkJobData, bulkChunkJob } from '@hookline/queue';
import { publishTraceCarrier } from '@hookline/tracing';
import { withTimeout } from '@hookline/timeout';
import { BulkJobErrorView, BulkJobView, BulkUpload, CHUNK_MAX_BYTES, CHUNK_ROWS, PART_BYTES } from './bulk-job-views';
import { BulkJobsRepository } from './bulk-jobs.repository';
import { csvRows, ndjsonRows, UploadRow } from './upload-rows';

/** Past this, the API answers anyway; the worker's sweeper enqueues the staged chunks later. */
const ENQUEUE_TIMEOUT_MS = 2_000;
/** Bad rows found while reading are written in batches of this many. */
const ERROR_BATCH = 1_000;
/** Parts being written at once by one upload (BulkSqlPool has four connections). */
const WRITES_IN_FLIGHT = 3;

/** Where the next staged row goes: chunk (the unit of processing) and part (the unit of writing). */
class Stager {
  chunk = 0;
  part = 0;
  chunkRows = 0;
  chunkBytes = 0;
  lines: number[] = [];
  rows: string[] = [];
  partBytes = 0;

  /** Adds a row; returns a part to write when one is complete. */
  add(row: { line: number; text: string }): StagedPart | null {
    this.lines.push(row.line);
    this.rows.push(row.text);
    this.partBytes += row.text.length;
    this.chunkRows++;
    this.chunkBytes += row.text.length;
    const chunkFull = this.chunkRows >= CHUNK_ROWS || this.chunkBytes >= CHUNK_MAX_BYTES;
    if (!chunkFull && this.partBytes < PART_BYTES) return null;
    const part = this.take();
    if (chunkFull) {
      this.chunk++;
      this.part = 0;
      this.chunkRows = 0;
      this.chunkBytes = 0;
    }
    return part;
  }

  /** The rows not yet written, if any. */
  take(): StagedPart | null {
    if (this.rows.length === 0) return null;
    const part = { chunk: this.chunk, part: this.part++, lines: this.lines, rows: this.rows };
    this.lines = [];
    this.rows = [];
    this.partBytes = 0;
    return part;
  }

  /** Chunks used so far, counting one still being filled. */
  get chunkCount(): number {
    return this.chunkRows > 0 ? this.chunk + 1 : this.chunk;
  }
}

interface StagedPart {
  chunk: number;
  part: number;
  lines: number[];
  rows: string[];
}

/**
 * The API half of bulk ingestion (docs/contract.md#bulk-ingestion). Reads the upload as a stream and stages it in
 * Postgres in parts of ~64 KB (a few written while the next is read, never more in memory), so a
 * 1 GB file costs the API no more than a small one. Once the whole file is in, the job is sealed
 * and one BullMQ job per chunk of 10,000 rows is queued; workers on any machine do the rest. An
 * upload that fails midway (client gone, bad header) leaves nothing behind and publishes nothing.
 */
@Injectable()
export class BulkUploadService {
  private readonly logger = new Logger(BulkUploadService.name);

  constructor(
    private readonly jobs: BulkJobsRepository,
    @InjectQueue(BULK_JOBS_QUEUE) private readonly queue: Queue<BulkChunkJobData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ingest(tenantId: string, upload: BulkUpload, body: AsyncIterable<Buffer | string>): Promise<BulkJobView> {
    const jobId = newId('job');
    await this.jobs.create(jobId, tenantId, upload.format, upload.eventType ?? null);
    try {
      const { totalRows, failedRows, chunkCount } = await this.stage(jobId, this.rows(upload, body));
      if (totalRows === 0) throw ProblemException.invalid('body', 'the upload has no rows');
      const job = await this.jobs.seal(jobId, totalRows, failedRows, chunkCount);
      await this.enqueue(jobId, tenantId, chunkCount);
      return job;
    } catch (error) {
      await this.jobs.remove(jobId).catch((cleanup: Error) => this.logger.warn(`could not remove failed upload ${jobId}: ${cleanup.message}`));
      throw error;
    }
  }

  private rows(upload: BulkUpload, body: AsyncIterable<Buffer | string>): AsyncGenerator<UploadRow> {
    // A row holds `data` (at most MAX_PAYLOAD_BYTES once re-serialised) plus its envelope and any
    // insignificant whitespace the producer left in; anything past twice that cannot be a valid row.
    const limit = 2 * this.config.MAX_PAYLOAD_BYTES + 64 * 1024;
    return upload.format === 'csv' ? csvRows(body, { eventType: upload.eventType!, maxRecordBytes: limit }) : ndjsonRows(body, limit);
  }

  private async stage(jobId: string, rows: AsyncGenerator<UploadRow>) {
    let totalRows = 0;
    let failedRows = 0;
    const stager = new Stager();
    let errors: BulkJobErrorView[] = [];
    // A few writes in flight while the next part is read; reading waits when they are all busy,
    // which is what pushes back on the client (TCP flow control) when Postgres is the slower side.
    const writing = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const write = async (task: () => Promise<void>) => {
      while (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
      if (failure) throw failure.error;
      const done: Promise<void> = task()
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => writing.delete(done));
      writing.add(done);
    };
    const writePart = (part: StagedPart | null) => (part ? write(() => this.jobs.stagePart(jobId, part.chunk, part.part, part.lines, part.rows)) : undefined);

    try {
      for await (const row of rows) {
        totalRows++;
        if (row.error === undefined) {
          await writePart(stager.add(row));
          continue;
        }
        failedRows++;
        errors.push({ line: row.line, error: row.error });
        if (errors.length >= ERROR_BATCH) {
          const batch = errors;
          errors = [];
          await write(() => this.jobs.recordErrors(jobId, batch));
        }
      }
      await writePart(stager.take());
      if (errors.length > 0) await write(() => this.jobs.recordErrors(jobId, errors));
    } finally {
      // Settled before the job is sealed, or removed if the upload failed.
      await Promise.all(writing);
    }
    if (failure) throw failure.error;
    return { totalRows, failedRows, chunkCount: stager.chunkCount };
  }

  /** Never throws: the chunks are committed, and the sweeper queues any that Redis did not take. */
  private async enqueue(jobId: string, tenantId: string, chunkCount: number): Promise<void> {
    if (chunkCount === 0) return;
    const trace = publishTraceCarrier();
    const jobs = Array.from({ length: chunkCount }, (_, chunk) => bulkChunkJob({ bulkJobId: jobId, tenantId, chunk, ...trace }));
    try {
      await withTimeout(this.queue.addBulk(jobs), ENQUEUE_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(`enqueue of ${chunkCount} chunks of ${jobId} deferred to the sweeper: ${(error as Error).message}`);
    }
  }
}
