import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { SqlPool } from '@hookline/database';
import { newId } from '@hookline/ids';
import { DeliveryJobData } from '@hookline/queue';
import { scheduledDelayMs } from '@hookline/retry-policy';
import { deliveryLogFields } from './delivery-log-fields';
import { DeliveryMetrics } from '../endpoint-health/delivery-metrics';
import { OperatorEvents } from '../endpoint-health/operator-events';

/** Unexpected failures in a row after which a delivery is dead instead of being tried again. */
export const MAX_INTERNAL_FAILURES = 5;
/** Longest error text kept on the attempt row (tenants see it). */
const MAX_ERROR_LENGTH = 500;

/**
 * Counts the failure on the delivery (releasing the claim it held, if any) and, at the bound,
 * makes it dead with an attempt row saying why (no status code: nothing answered). $4 holds the
 * backoff for each count. Only an open delivery is touched: a cancelled or succeeded one stays so.
 */
const COUNT_SQL = `
WITH counted AS (
  UPDATE deliveries d
  SET internal_failures = d.internal_failures + 1,
      in_flight_until = CASE WHEN d.in_flight_until = $2::timestamptz THEN NULL ELSE d.in_flight_until END,
      status = CASE WHEN d.internal_failures + 1 >= $3 THEN 'dead'::"DeliveryStatus" ELSE d.status END,
      next_attempt_at = CASE WHEN d.internal_failures + 1 >= $3 THEN NULL
                             ELSE now() + make_interval(secs => ($4::int[])[d.internal_failures + 1] / 1000.0) END,
      attempt_count = d.attempt_count + CASE WHEN d.internal_failures + 1 >= $3 THEN 1 ELSE 0 END,
      last_attempt_at = CASE WHEN d.internal_failures + 1 >= $3 THEN now() ELSE d.last_attempt_at END,
      last_status_code = CASE WHEN d.internal_failures + 1 >= $3 THEN NULL ELSE d.last_status_code END,
      last_error = CASE WHEN d.internal_failures + 1 >= $3 THEN $5 ELSE d.last_error END,
      updated_at = now()
  WHERE d.id = $1 AND d.status IN ('pending', 'failed')
  RETURNING d.id, d.status, d.internal_failures, d.attempt_count
), recorded AS (
  INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, status_code, error)
  SELECT $6, c.id, c.attempt_count, now(), 0, NULL, $5 FROM counted c WHERE c.status = 'dead'
)
SELECT status, internal_failures AS "internalFailures", attempt_count AS "attemptCount" FROM counted`;

/**
 * What happens when processing a delivery throws something other than an endpoint's answer (a
 * database error, a bug, an unreadable subscription): logged at error with the delivery id, counted
 * (`hookline_delivery_internal_errors_total`), retried with the retry schedule's backoff, and after
 * MAX_INTERNAL_FAILURES in a row the delivery is dead, its last attempt saying "internal error: …".
 * The count lives on the delivery row, so restarts and lost jobs do not reset it.
 */
@Injectable()
export class InternalFailures {
  private readonly logger = new Logger('DeliveryProcessor');

  constructor(
    private readonly sql: SqlPool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: DeliveryMetrics,
    private readonly operatorEvents: OperatorEvents,
  ) {}

  /**
   * Never returns normally while the delivery has tries left: the job is moved to delayed
   * (DelayedError), or, when the failure cannot even be counted, the original error is rethrown and
   * BullMQ drops the job, leaving the delivery to the sweeper once Postgres answers again.
   */
  async failed(job: Job<DeliveryJobData>, token: string | undefined, error: unknown, lease: Date | null): Promise<void> {
    const data = job.data;
    const reason = describe(error);
    const fields = { ...deliveryLogFields(data), err: error };
    this.metrics.internalError();
    const delays = Array.from({ length: MAX_INTERNAL_FAILURES }, (_, i) => this.backoffMs(i + 1));
    let counted: { status: string; internalFailures: number; attemptCount: number } | undefined;
    try {
      [counted] = await this.sql.rows<{ status: string; internalFailures: number; attemptCount: number }>(COUNT_SQL, [
        data.deliveryId,
        lease,
        MAX_INTERNAL_FAILURES,
        delays,
        `internal error: ${reason}`,
        newId('att'),
      ]);
    } catch (countError) {
      this.logger.error(fields, `delivery ${data.deliveryId}: internal error, not counted (${(countError as Error).message}): ${reason}`);
      throw error;
    }
    if (!counted) {
      this.logger.error(fields, `delivery ${data.deliveryId}: internal error on a delivery no longer open: ${reason}`);
      return;
    }
    const n = counted.internalFailures;
    if (counted.status === 'dead') {
      this.logger.error(fields, `delivery ${data.deliveryId}: internal error ${n}/${MAX_INTERNAL_FAILURES}, delivery is dead: ${reason}`);
      await this.operatorEvents.emit('delivery.dead', `${data.deliveryId}:${counted.attemptCount}`, {
        tenantId: data.tenantId,
        subscriptionId: data.subscriptionId,
        deliveryId: data.deliveryId,
        eventId: data.eventId,
        eventType: data.eventType,
        attempts: counted.attemptCount,
        lastStatusCode: null,
        lastError: `internal error: ${reason}`,
      });
      return;
    }
    const delayMs = delays[n - 1];
    this.logger.error(fields, `delivery ${data.deliveryId}: internal error ${n}/${MAX_INTERNAL_FAILURES}, retrying in ${delayMs}ms: ${reason}`);
    try {
      await job.moveToDelayed(Date.now() + delayMs, token);
    } catch {
      // Lock lost or Redis away: BullMQ drops the job; the sweeper finds the delivery due at next_attempt_at.
      throw error;
    }
    throw new DelayedError();
  }

  /** The retry schedule's delay for the nth failure, the last one past its end. */
  private backoffMs(n: number): number {
    const schedule = this.config.RETRY_SCHEDULE;
    if (schedule.length === 0) return 1_000;
    return scheduledDelayMs(schedule, Math.min(n, schedule.length)) ?? 1_000;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0].trim() || (error instanceof Error ? error.name : 'unknown');
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH)}…` : line;
}
