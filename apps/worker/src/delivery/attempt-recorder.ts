import { Injectable, Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { GroupCommit } from '@hookline/batching';
import { SqlPool } from '@hookline/database';
import { LATENCY_BUCKET_COUNT, latencyBucket } from '@hookline/delivery-stats';
import { isTransientDatabaseError } from './database-errors';

export interface AttemptRecord {
  attemptId: string;
  deliveryId: string;
  /** The claim this attempt was sent under (DeliveryClaims); recording releases it. */
  lease: Date;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string;
  responseHeaders: Record<string, string>;
  /** The headers as sent, shown to the customer on the attempt. */
  requestHeaders: Record<string, string>;
  /** The delivery's status after this attempt. */
  status: 'succeeded' | 'failed' | 'dead';
  nextAttemptAt: Date | null;
  cycleAttempts: number;
}

/** The delivery's status as stored with the attempt (see RECORD_SQL), or null when it no longer exists. */
export type RecordedStatus = string | null;

const MAX_BATCH = 1_000;
/** Rollup rows per subscription and minute; each worker process writes one, so workers do not queue on one row lock. */
const ROLLUP_SHARDS = 16;
const WRITE_RETRY_DELAYS_MS = [100, 500, 2_000, 5_000];

/**
 * The attempt row and the delivery's new status in one statement (so the log and the state never
 * disagree), for many deliveries at once. Only an open (pending or failed) delivery changes status:
 * a late result never reopens a cancelled, succeeded or dead one. A failure on a subscription
 * disabled while the attempt was in flight (disabling leaves claimed deliveries to finish) is
 * cancelled rather than retried. The attempt number comes from the row itself, so a re-run after a
 * crash cannot reuse one.
 * The per-minute outcome rollup that charts read (delivery_stats_minutes) is upserted by the same
 * statement, one row per subscription and minute of the batch; an attempt counts `dead` when it left
 * its delivery dead. $4 repeats the delivery ids: on the join alone the planner would plan the
 * update for every partition of deliveries (docs/decisions/partitioned-storage.md).
 */
const RECORD_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json)
    AS t(attempt_id text, delivery_id text, lease timestamptz, started_at timestamptz, duration_ms int, status_code int, error text,
         response_body text, response_headers jsonb, request_headers jsonb, status text, next_attempt_at timestamptz,
         cycle_attempts int, latency_bucket int)
), moved AS (
  UPDATE deliveries d
  SET attempt_count = d.attempt_count + 1,
      cycle_attempts = CASE WHEN d.status IN ('pending', 'failed') THEN i.cycle_attempts ELSE d.cycle_attempts END,
      status = CASE
        WHEN d.status NOT IN ('pending', 'failed') THEN d.status
        WHEN i.status = 'failed' AND NOT (s.status = 'active' AND s.deleted_at IS NULL) THEN 'cancelled'
        ELSE i.status::"DeliveryStatus" END,
      next_attempt_at = CASE
        WHEN d.status NOT IN ('pending', 'failed') THEN d.next_attempt_at
        WHEN i.status = 'failed' AND NOT (s.status = 'active' AND s.deleted_at IS NULL) THEN NULL
        ELSE i.next_attempt_at END,
      in_flight_until = CASE WHEN d.in_flight_until = i.lease THEN NULL ELSE d.in_flight_until END,
      internal_failures = 0,
      last_attempt_at = i.started_at,
      last_status_code = i.status_code,
      last_error = i.error,
      updated_at = now()
  FROM input i, subscriptions s
  WHERE d.id = i.delivery_id AND d.id = ANY($4::text[]) AND s.id = d.subscription_id
  RETURNING d.id, d.attempt_count, d.tenant_id, d.subscription_id, d.status
), rollup AS (
  INSERT INTO delivery_stats_minutes AS s (tenant_id, subscription_id, minute, shard, succeeded, failed, dead, latency_counts)
  SELECT m.tenant_id, m.subscription_id, date_trunc('minute', i.started_at), $3::smallint,
         count(*) FILTER (WHERE i.status = 'succeeded'), count(*) FILTER (WHERE i.status <> 'succeeded'),
         count(*) FILTER (WHERE i.status = 'dead' AND m.status = 'dead'),
         hookline_latency_histogram(i.latency_bucket, $2::int)
  FROM input i JOIN moved m ON m.id = i.delivery_id
  GROUP BY 1, 2, 3
  -- One lock order for every batch, so two concurrent batches cannot deadlock on their rollup rows.
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, subscription_id, minute, shard) DO UPDATE
  SET succeeded = s.succeeded + EXCLUDED.succeeded, failed = s.failed + EXCLUDED.failed, dead = s.dead + EXCLUDED.dead,
      latency_counts = hookline_add_counts(s.latency_counts, EXCLUDED.latency_counts)
), inserted AS (
  INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, error, response_body, response_headers, request_headers)
  SELECT i.attempt_id, i.delivery_id, m.attempt_count, i.started_at, i.duration_ms, i.status_code, i.error,
         i.response_body, i.response_headers, i.request_headers
  FROM input i JOIN moved m ON m.id = i.delivery_id
)
SELECT id, status FROM moved`;

/**
 * Group commit: the first record is written at once; records that arrive while a write is in
 * flight are written together by the next one. `record` resolves only after the commit, so a job
 * is acknowledged to BullMQ only once its attempt is durable. One JSON document per batch: node-postgres
 * escapes eleven parallel arrays several times slower than JSON.stringify builds it.
 *
 * Records are independent: when Postgres refuses a batch for something in the data (a constraint,
 * a trigger), each record is written alone, so only the record at fault fails (and its job is
 * retried); the others are durable and their jobs go on. Transient errors (a lost connection, a
 * deadlock) are retried with backoff.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);
  private readonly group = new GroupCommit<AttemptRecord, RecordedStatus>((records) => this.writeAll(records), MAX_BATCH);

  private readonly rollupShard = randomInt(ROLLUP_SHARDS);

  constructor(private readonly sql: SqlPool) {}

  /** The delivery's status once the attempt is committed. */
  record(record: AttemptRecord): Promise<RecordedStatus> {
    return this.group.submit(record);
  }

  /** Records submitted and not yet committed (or refused). */
  get pending(): number {
    return this.group.pending;
  }

  private async writeAll(records: AttemptRecord[]): Promise<(RecordedStatus | Error)[]> {
    const results = new Map<AttemptRecord, RecordedStatus | Error>();
    let todo = records;
    for (let round = 0; todo.length > 0; round++) {
      const failed = await this.writeIsolating(todo, results);
      const delay = WRITE_RETRY_DELAYS_MS[round];
      if (failed.length === 0 || delay === undefined) break;
      this.logger.warn(`recording ${failed.length} attempts failed (${(results.get(failed[0]) as Error).message}); retrying in ${delay}ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      todo = failed;
    }
    return records.map((record) => results.get(record) ?? new Error('attempt not recorded'));
  }

  /** Writes `records`, alone if need be; returns those that failed for a reason that may pass. */
  private async writeIsolating(records: AttemptRecord[], results: Map<AttemptRecord, RecordedStatus | Error>): Promise<AttemptRecord[]> {
    try {
      const statuses = await this.write(records);
      for (const record of records) results.set(record, statuses.get(record.deliveryId) ?? null);
      return [];
    } catch (error) {
      if (records.length === 1 || isTransientDatabaseError(error)) {
        for (const record of records) results.set(record, error as Error);
        return isTransientDatabaseError(error) ? records : [];
      }
    }
    const transient: AttemptRecord[] = [];
    await Promise.all(
      records.map(async (record) => {
        try {
          results.set(record, (await this.write([record])).get(record.deliveryId) ?? null);
        } catch (error) {
          results.set(record, error as Error);
          if (isTransientDatabaseError(error)) transient.push(record);
        }
      }),
    );
    return transient;
  }

  private async write(records: AttemptRecord[]): Promise<Map<string, string>> {
    const rows = records.map((r) => ({
      attempt_id: r.attemptId,
      delivery_id: r.deliveryId,
      lease: r.lease,
      started_at: r.startedAt,
      duration_ms: r.durationMs,
      status_code: r.statusCode,
      error: r.error,
      response_body: r.responseBody,
      response_headers: r.responseHeaders,
      request_headers: r.requestHeaders,
      status: r.status,
      next_attempt_at: r.nextAttemptAt,
      cycle_attempts: r.cycleAttempts,
      latency_bucket: latencyBucket(r.durationMs),
    }));
    const moved = await this.sql.rows<{ id: string; status: string }>(RECORD_SQL, [JSON.stringify(rows), LATENCY_BUCKET_COUNT, this.rollupShard, records.map((r) => r.deliveryId)]);
    return new Map(moved.map((row) => [row.id, row.status]));
  }
}
