import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@hookline/database';

export interface AttemptRecord {
  attemptId: string;
  deliveryId: string;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string;
  responseHeaders: Record<string, string>;
  /** The delivery's status after this attempt. */
  status: 'succeeded' | 'failed' | 'dead';
  nextAttemptAt: Date | null;
  cycleAttempts: number;
}

interface Waiting {
  record: AttemptRecord;
  resolve: () => void;
  reject: (error: Error) => void;
}

const MAX_BATCH = 1_000;
const WRITE_RETRY_DELAYS_MS = [100, 500, 2_000, 5_000];

/**
 * The attempt row and the delivery's new status in one statement (so the log and the state never
 * disagree), for many deliveries at once. A cancelled or succeeded delivery keeps its status (a late
 * duplicate attempt, e.g. after a worker died before acknowledging, must not reopen it); the attempt number
 * comes from the row itself, so a re-run after a crash cannot reuse one.
 */
const RECORD_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::int[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::timestamptz[], $11::int[])
    AS t(attempt_id, delivery_id, started_at, duration_ms, status_code, error, response_body,
         response_headers, status, next_attempt_at, cycle_attempts)
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
  RETURNING d.id, d.attempt_count
)
INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, error, response_body, response_headers)
SELECT i.attempt_id, i.delivery_id, m.attempt_count, i.started_at, i.duration_ms, i.status_code, i.error,
       i.response_body, i.response_headers::jsonb
FROM input i JOIN moved m ON m.id = i.delivery_id`;

/**
 * Group commit: the first record is written at once; records that arrive while a write is in
 * flight are written together by the next one. `record` resolves only after the commit, so a job
 * is acknowledged to BullMQ only once its attempt is durable.
 */
@Injectable()
export class AttemptRecorder {
  private readonly logger = new Logger(AttemptRecorder.name);
  private queue: Waiting[] = [];
  private writing = false;

  constructor(private readonly prisma: PrismaService) {}

  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain() {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.writeWithRetry(batch.map((w) => w.record));
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error as Error);
        }
      }
    } finally {
      this.writing = false;
    }
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
    const column = <T>(pick: (r: AttemptRecord) => T) => records.map(pick);
    await this.prisma.$executeRawUnsafe(
      RECORD_SQL,
      column((r) => r.attemptId),
      column((r) => r.deliveryId),
      column((r) => r.startedAt),
      column((r) => r.durationMs),
      column((r) => r.statusCode),
      column((r) => r.error),
      column((r) => r.responseBody),
      column((r) => JSON.stringify(r.responseHeaders)),
      column((r) => r.status),
      column((r) => r.nextAttemptAt),
      column((r) => r.cycleAttempts),
    );
  }
}
