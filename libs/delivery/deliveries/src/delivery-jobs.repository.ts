import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hookline/database';
import { DeliveryJobData } from '@hookline/queue';

interface JobRow {
  deliveryId: string;
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  createdAt: Date;
  dataJson: string;
  attemptCount: number;
  cycleAttempts: number;
  traceparent: string | null;
}

/** Rebuilds queue payloads from Postgres, for replays and for the sweeper. */
@Injectable()
export class DeliveryJobsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async jobData(deliveryIds: string[]): Promise<DeliveryJobData[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<JobRow[]>(
      `SELECT d.id AS "deliveryId", d.tenant_id AS "tenantId", d.subscription_id AS "subscriptionId",
              e.id AS "eventId", e.type AS "eventType", e.created_at AS "createdAt", e.data::text AS "dataJson",
              d.attempt_count AS "attemptCount", d.cycle_attempts AS "cycleAttempts",
              e.trace_parent AS "traceparent"
       FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.id = ANY($1::text[])`,
      deliveryIds,
    );
    // Queued again from Postgres (sweeper, replay): the attempts still join the publish's trace.
    return rows.map(({ createdAt, traceparent, ...row }) => ({ ...row, timestamp: createdAt.toISOString(), ...(traceparent ? { traceparent } : {}) }));
  }

  /**
   * Deliveries due for longer than `overdueMs` (pending, or failed awaiting a retry) with ids after
   * `afterId`, lowest first: candidates for the sweeper, which re-enqueues those whose job is
   * missing from Redis. One keyset scan of the (status, id) index per status, merged, so a page
   * costs the same wherever the cursor is.
   */
  async overdue(overdueMs: number, limit: number, afterId = ''): Promise<string[]> {
    const page = (status: string) =>
      `(SELECT id FROM deliveries
        WHERE status = '${status}' AND id > $2 AND next_attempt_at < now() - make_interval(secs => $1::float8 / 1000)
        ORDER BY id LIMIT $3)`;
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(`${page('pending')} UNION ALL ${page('failed')} ORDER BY id LIMIT $3`, overdueMs, afterId, limit);
    return rows.map((r) => r.id);
  }

  /** Of `ids`, those still due and overdue now (re-read after checking Redis, to avoid a race). */
  async stillOverdue(ids: string[], overdueMs: number): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM deliveries
       WHERE id = ANY($1::text[]) AND status IN ('pending', 'failed')
         AND next_attempt_at < now() - make_interval(secs => $2::float8 / 1000)`,
      ids,
      overdueMs,
    );
    return rows.map((r) => r.id);
  }
}
