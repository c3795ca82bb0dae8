import { Injectable } from '@nestjs/common';
import { BulkJobFormat, BulkSqlPool, PrismaService } from '@hookline/database';
import type { BulkPublishSql } from '@hookline/events';
import { BulkJobErrorView, BulkJobView } from './bulk-job-views';

/** A node-postgres client: the pool, or the connection of an open transaction. */
export type SqlClient = BulkPublishSql;

export interface TakenChunk {
  tenantId: string;
  lines: number[];
  rows: string[];
}

export interface StagedChunkRef {
  bulkJobId: string;
  tenantId: string;
  chunk: number;
}

const JOB_COLUMNS = `id, status, total_rows AS "totalRows", accepted_rows AS "acceptedRows", failed_rows AS "failedRows",
  created_at AS "createdAt", completed_at AS "completedAt"`;

/**
 * Bulk jobs, their staged chunks and their bad rows: every statement of docs/contract.md#bulk-ingestion. Statements
 * that carry chunk-sized parameters use node-postgres (BulkSqlPool), the rest Prisma.
 */
@Injectable()
export class BulkJobsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: BulkSqlPool,
  ) {}

  async create(id: string, tenantId: string, format: BulkJobFormat, eventType: string | null): Promise<void> {
    await this.prisma.bulkJob.create({ data: { id, tenantId, format, eventType } });
  }

  /** Rows joined by newlines (none contains one) and lines as text: far cheaper to send than arrays. */
  async stagePart(jobId: string, chunk: number, part: number, lines: number[], rows: string[]): Promise<void> {
    await this.sql.rows(`INSERT INTO bulk_job_chunks (job_id, chunk, part, lines, rows) VALUES ($1, $2, $3, string_to_array($4, ',')::int[], $5)`, [
      jobId,
      chunk,
      part,
      lines.join(','),
      rows.join('\n'),
    ]);
  }

  async recordErrors(jobId: string, errors: BulkJobErrorView[], db: SqlClient = this.sql): Promise<void> {
    if (errors.length === 0) return;
    await db.query(
      `INSERT INTO bulk_job_errors (job_id, line, error)
       SELECT $1, line, error FROM json_to_recordset($2::json) AS t(line int, error text)
       ON CONFLICT (job_id, line) DO NOTHING`,
      [jobId, JSON.stringify(errors)],
    );
  }

  /**
   * The upload has been read to its end: fixes the totals and the number of chunks to wait for.
   * With no chunk at all (every row was bad) the job is finished at once.
   */
  async seal(jobId: string, totalRows: number, failedRows: number, chunkCount: number): Promise<BulkJobView> {
    const [job] = await this.prisma.$queryRawUnsafe<BulkJobView[]>(
      `UPDATE bulk_jobs SET total_rows = $2, failed_rows = failed_rows + $3, chunk_count = $4,
         status = (CASE WHEN $4 > 0 THEN 'queued' WHEN failed_rows + $3 > 0 THEN 'completed_with_errors' ELSE 'completed' END)::"BulkJobStatus",
         completed_at = CASE WHEN $4 = 0 THEN clock_timestamp() END
       WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
      jobId,
      totalRows,
      failedRows,
      chunkCount,
    );
    return job;
  }

  /** An upload that failed or was abandoned leaves nothing behind (chunks and errors cascade). */
  async remove(jobId: string): Promise<void> {
    await this.prisma.bulkJob.deleteMany({ where: { id: jobId } });
  }

  /** Jobs whose upload has been read, newest first: `limit + 1` rows for a page. */
  async listPage(tenantId: string, limit: number, cursor?: string): Promise<BulkJobView[]> {
    return this.prisma.$queryRawUnsafe<BulkJobView[]>(
      `SELECT ${JOB_COLUMNS} FROM bulk_jobs WHERE tenant_id = $1 AND chunk_count IS NOT NULL ${cursor ? 'AND id < $3' : ''}
       ORDER BY id DESC LIMIT $2`,
      tenantId,
      limit + 1,
      ...(cursor ? [cursor] : []),
    );
  }

  async find(tenantId: string, jobId: string): Promise<BulkJobView | null> {
    const [job] = await this.prisma.$queryRawUnsafe<BulkJobView[]>(
      `SELECT ${JOB_COLUMNS} FROM bulk_jobs WHERE id = $1 AND tenant_id = $2 AND chunk_count IS NOT NULL`,
      jobId,
      tenantId,
    );
    return job ?? null;
  }

  errorsAfter(jobId: string, afterLine: number, limit: number): Promise<BulkJobErrorView[]> {
    return this.prisma.bulkJobError.findMany({ where: { jobId, line: { gt: afterLine } }, orderBy: { line: 'asc' }, take: limit, select: { line: true, error: true } });
  }

  async markProcessing(jobId: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(`UPDATE bulk_jobs SET status = 'processing' WHERE id = $1 AND status = 'queued'`, jobId);
  }

  /**
   * Removes a chunk from staging and returns it, inside the caller's transaction: the chunk is
   * gone exactly when what was made of it commits, and a second worker holding the same chunk
   * waits on the row lock and then finds nothing.
   */
  async takeChunk(db: SqlClient, jobId: string, chunk: number): Promise<TakenChunk | null> {
    const { rows } = await db.query(
      `DELETE FROM bulk_job_chunks c USING bulk_jobs j
       WHERE c.job_id = $1 AND c.chunk = $2 AND j.id = c.job_id
       RETURNING j.tenant_id AS "tenantId", c.part, array_to_string(c.lines, ',') AS lines, c.rows`,
      [jobId, chunk],
    );
    const parts = (rows as { tenantId: string; part: number; lines: string; rows: string }[]).sort((a, b) => a.part - b.part);
    if (parts.length === 0) return null;
    return {
      tenantId: parts[0].tenantId,
      lines: parts.flatMap((p) => p.lines.split(',').map(Number)),
      rows: parts.flatMap((p) => p.rows.split('\n')),
    };
  }

  /**
   * Adds a chunk's counts; the last chunk to finish settles the status. Runs last in the chunk's
   * transaction, so the job row is locked only for the commit.
   */
  async finishChunk(db: SqlClient, jobId: string, accepted: number, failed: number, gaveUp: boolean): Promise<void> {
    await db.query(
      `UPDATE bulk_jobs SET accepted_rows = accepted_rows + $2, failed_rows = failed_rows + $3,
         chunks_done = chunks_done + 1, chunks_failed = chunks_failed + $4,
         status = (CASE WHEN chunks_done + 1 < chunk_count THEN 'processing'
                        WHEN chunks_failed + $4 > 0 THEN 'failed'
                        WHEN failed_rows + $3 > 0 THEN 'completed_with_errors'
                        ELSE 'completed' END)::"BulkJobStatus",
         completed_at = CASE WHEN chunks_done + 1 >= chunk_count THEN clock_timestamp() END
       WHERE id = $1`,
      [jobId, accepted, failed, gaveUp ? 1 : 0],
    );
  }

  /** Chunks of complete uploads staged longer than `olderThanMs` ago: candidates for the sweeper. */
  stagedChunks(olderThanMs: number, limit: number): Promise<StagedChunkRef[]> {
    return this.prisma.$queryRawUnsafe<StagedChunkRef[]>(
      `SELECT c.job_id AS "bulkJobId", j.tenant_id AS "tenantId", c.chunk
       FROM bulk_job_chunks c JOIN bulk_jobs j ON j.id = c.job_id
       WHERE j.chunk_count IS NOT NULL AND c.part = 0 AND c.created_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY c.created_at LIMIT $2`,
      olderThanMs,
      limit,
    );
  }

  /** Uploads whose API process died mid-stream: never answered, so nobody knows their id. */
  async removeAbandonedUploads(olderThanMs: number): Promise<number> {
    return this.prisma.$executeRawUnsafe(`DELETE FROM bulk_jobs WHERE chunk_count IS NULL AND created_at < now() - make_interval(secs => $1::float8 / 1000)`, olderThanMs);
  }
}
