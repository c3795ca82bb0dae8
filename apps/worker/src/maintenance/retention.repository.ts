import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '@hookline/database';
import { PartitionsRepository } from './partitions.repository';

/** One kind of row the purge removes, one bounded statement (a batch) at a time. */
export interface PurgeStep {
  /** For the log line: what `count` rows were. */
  what: string;
  /** `$1` = batch size; `$2` = RETENTION_DAYS, in the steps aged by it. */
  sql: string;
}

const FINISHED_BULK_JOB = `j.status IN ('completed', 'completed_with_errors', 'failed') AND j.completed_at < now() - $2::float8 * interval '1 day'`;
const FINISHED_REPLAY = `r.status IN ('completed', 'failed') AND r.completed_at < now() - $2::float8 * interval '1 day'`;

/**
 * In purge order, after the expired days of events, deliveries and attempts are dropped whole
 * (PartitionsRepository). What is left to delete by rows grows with use rather than with traffic,
 * or must stay unique across days (an idempotency key), so it cannot be partitioned by day.
 * Every statement repeats its age condition on the rows it deletes, not only in the subquery that
 * picks them: under READ COMMITTED a row changed meanwhile (an idempotency key
 * taken over by a new publish, a delivery re-queued by a newer replay) is re-checked and spared.
 * Rows of hot tables (idempotency keys, deliveries, secrets) are picked FOR UPDATE SKIP LOCKED: the
 * purge never waits on a publish or a worker, so it cannot deadlock with them; a skipped row goes
 * in a later run.
 * Children go before their parents in batches of their own, so no single statement cascades into
 * an unbounded number of rows (a bulk job can have a million row errors, a replay a million
 * deliveries).
 */
export const PURGE_STEPS: PurgeStep[] = [
  {
    what: 'idempotency keys past their 24 h window',
    sql: `DELETE FROM idempotency_keys WHERE (tenant_id, key) IN (
            SELECT tenant_id, key FROM idempotency_keys WHERE created_at < now() - interval '24 hours' ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          AND created_at < now() - interval '24 hours'`,
  },
  {
    what: 'row errors of finished bulk jobs',
    sql: `DELETE FROM bulk_job_errors WHERE (job_id, line) IN (
            SELECT e.job_id, e.line FROM bulk_jobs j JOIN bulk_job_errors e ON e.job_id = j.id WHERE ${FINISHED_BULK_JOB} LIMIT $1)`,
  },
  {
    what: 'staged chunks of finished bulk jobs',
    sql: `DELETE FROM bulk_job_chunks WHERE (job_id, chunk, part) IN (
            SELECT c.job_id, c.chunk, c.part FROM bulk_jobs j JOIN bulk_job_chunks c ON c.job_id = j.id WHERE ${FINISHED_BULK_JOB} LIMIT $1)`,
  },
  {
    what: 'finished bulk jobs',
    sql: `DELETE FROM bulk_jobs j WHERE j.id IN (
            SELECT j.id FROM bulk_jobs j WHERE ${FINISHED_BULK_JOB}
              AND NOT EXISTS (SELECT 1 FROM bulk_job_errors e WHERE e.job_id = j.id)
              AND NOT EXISTS (SELECT 1 FROM bulk_job_chunks c WHERE c.job_id = j.id)
            ORDER BY j.completed_at LIMIT $1)
          AND ${FINISHED_BULK_JOB}`,
  },
  {
    // Deleting a replay sets its deliveries' replay_id to null (ON DELETE SET NULL): done here in
    // batches instead, so the replay's own delete touches no delivery.
    what: 'deliveries unlinked from finished replays',
    sql: `UPDATE deliveries SET replay_id = NULL WHERE id IN (
            SELECT d.id FROM replays r JOIN deliveries d ON d.replay_id = r.id WHERE ${FINISHED_REPLAY} LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
          AND replay_id IN (SELECT r.id FROM replays r WHERE ${FINISHED_REPLAY})`,
  },
  {
    what: 'finished replays',
    sql: `DELETE FROM replays r WHERE r.id IN (
            SELECT r.id FROM replays r WHERE ${FINISHED_REPLAY}
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.replay_id = r.id)
            ORDER BY r.completed_at LIMIT $1)
          AND ${FINISHED_REPLAY}`,
  },
  {
    // The current secret has no expiry; an older one signs until its rotation grace ends.
    what: 'signing secrets whose rotation grace ended',
    sql: `DELETE FROM subscription_secrets WHERE id IN (
            SELECT id FROM subscription_secrets WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          AND expires_at < now()`,
  },
];

/** Any number of workers may try; one purges at a time. A constant key: the purge is per database. */
const PURGE_LOCK_KEY = 'hookline.retention-purge';

/** One worker's turn at purging: holds the advisory lock on its own connection until released. */
export interface PurgeSession {
  /** Runs one batch of a step in its own transaction (one statement); resolves to the rows it removed. */
  batch(step: PurgeStep, retentionDays: number, batchSize: number): Promise<number>;
  /** Drops the partitions of events, deliveries and attempts whose every id was made before `cutoffMs`. */
  dropPartitionsBefore(cutoffMs: number, shouldStop: () => boolean): Promise<string[]>;
  release(): Promise<void>;
}

@Injectable()
export class RetentionRepository {
  constructor(
    private readonly sql: SqlPool,
    private readonly partitions: PartitionsRepository,
  ) {}

  /**
   * Null while another worker purges. The lock is a session-level Postgres advisory lock on a
   * connection kept for the whole purge, so a worker that dies mid-purge frees it with its connection.
   */
  async begin(): Promise<PurgeSession | null> {
    const client = await this.sql.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [PURGE_LOCK_KEY]);
      if (!rows[0].locked) {
        client.release();
        return null;
      }
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return new LockedPurgeSession(client, this.partitions);
  }
}

class LockedPurgeSession implements PurgeSession {
  private broken?: Error;

  constructor(
    private readonly client: PoolClient,
    private readonly partitions: PartitionsRepository,
  ) {}

  async batch(step: PurgeStep, retentionDays: number, batchSize: number): Promise<number> {
    try {
      const values = step.sql.includes('$2') ? [batchSize, retentionDays] : [batchSize];
      return (await this.client.query(step.sql, values)).rowCount ?? 0;
    } catch (error) {
      this.broken = error as Error;
      throw error;
    }
  }

  async dropPartitionsBefore(cutoffMs: number, shouldStop: () => boolean): Promise<string[]> {
    try {
      return await this.partitions.dropBefore(this.client, cutoffMs, shouldStop);
    } catch (error) {
      this.broken = error as Error;
      throw error;
    }
  }

  async release(): Promise<void> {
    if (!this.broken) await this.client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [PURGE_LOCK_KEY]).catch((error: Error) => (this.broken = error));
    // A connection that failed is closed rather than pooled: closing it also frees the lock.
    this.client.release(this.broken);
  }
}
