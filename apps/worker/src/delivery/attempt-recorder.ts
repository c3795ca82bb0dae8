import { Injectable, Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { GroupCommit } from '@hookline/batching';
import { SqlPool } from '@hookline/database';
import { LATENCY_BUCKET_COUNT, latencyBucket } from '@hookline/delivery-stats';

export interface AttemptRecord {
  attemptId: string;
  deliveryId: string;
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

const MAX_BATCH = 1_000;
/** Rollup rows per subscription and minute; each worker process writes one, so workers do not queue on one row lock. */
const ROLLUP_SHARDS = 16;
const WRITE_RETRY_DELAYS_MS = [100, 500, 2_000, 5_000];

/**
 * The attempt row and the delivery's new status in one statement (so the log and the state never
 * disagree), for many deliveries at once. A cancelled or succeeded delivery keeps its status (a late
 * duplicate attempt, e.g. after a worker died before acknowledging, must not reopen it); the attempt number
 * comes from the row itself, so a re-run after a crash cannot reuse one. The per-minute outcome
 * rollup that charts read (delivery_stats_minutes) is upserted by the same statement, one row per
 * subscription and minute of the batch; an attempt counts `dead` when it left its delivery dead.
 */
const RECORD_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($1::json)
    AS t(attempt_id text, delivery_id text, started_at timestamptz, duration_ms int, status_code int, error text,
         response_body text, response_headers jsonb, request_headers jsonb, status text, next_attempt_at timestamptz,
         cycle_attempts int, latency_bucket int)
), moved AS (
  UPDATE deliveries d
  SET attempt_count = d.attempt_count + 1,
      cycle_attempts = i.cycle_attempts,
      status = CASE WHEN d.status IN ('cancelled', 'succeeded') THEN d.status ELSE i.status::"DeliveryStatus" END,
      next_attempt_at = i.next_attempt_at,
      last_attempt_at = i.started_at,
      last_status_code = i.status_code,
      last_error = i.error,
      updated_at = now()
  FROM input i
  WHERE d.id = i.delivery_id
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
)
INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, error, response_body, response_headers, request_headers)
SELECT i.attempt_id, i.delivery_id, m.attempt_count, i.started_at, i.duration_ms, i.status_code, i.error,
       i.response_body, i.response_headers, i.request_headers
FROM input i JOIN moved m ON m.id = i.delivery_id`;

/**
 * Group commit: the first record is written at once; records that arrive while a write is in
 * flight are written together by the next one. `record` resolves only after the commit, so a job
 * is acknowledged to BullMQ only once its attempt is durable. One JSON document per batch: node-postgres
 * escapes eleven parallel arrays several times slower than JSON.stringify builds it.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);
  private readonly group = new GroupCommit<AttemptRecord, void>(async (records) => {
    await this.writeWithRetry(records);
    return records.map(() => undefined);
  }, MAX_BATCH);

  private readonly rollupShard = randomInt(ROLLUP_SHARDS);

  constructor(private readonly sql: SqlPool) {}

  record(record: AttemptRecord): Promise<void> {
    return this.group.submit(record);
  }

  private async writeWithRetry(records: AttemptRecord[]) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.write(records);
      } catch (error) {
        const delay = WRITE_RETRY_DELAYS_MS[attempt];
        if (delay === undefined) throw error;
        this.logger.warn(`recording ${records.length} attempts failed (${(error as Error).message}); retrying in ${delay}ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async write(records: AttemptRecord[]) {
    const rows = records.map((r) => ({
      attempt_id: r.attemptId,
      delivery_id: r.deliveryId,
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
    await this.sql.query(RECORD_SQL, [JSON.stringify(rows), LATENCY_BUCKET_COUNT, this.rollupShard]);
  }
}
