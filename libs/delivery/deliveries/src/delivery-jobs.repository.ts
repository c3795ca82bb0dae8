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

/** A page of open deliveries read by the sweeper. */
export interface OverduePage {
  /** Those due for longer than asked. */
  overdue: string[];
  /** Rows read: fewer than the limit at the end of the index. */
  scanned: number;
  /** The last id read, where the next page starts. */
  lastId: string | null;
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
   * One page of the sweeper's walk over open deliveries (pending, or failed awaiting a retry): the
   * next `limit` of them with ids after `afterId`, lowest first, and of those the ones due for longer
   * than `overdueMs`: candidates for the sweeper, which re-enqueues those whose job is missing from
   * Redis. A keyset scan of the (status, id) index per status, merged, so a page reads `limit` rows
   * wherever the cursor is and however large the backlog. Filtering on the due time in the scan
   * instead let the planner pick the due-time index and read every overdue row for each page (650,000
   * index entries, 250 ms, behind a 190,000-delivery backlog), so the plan is pinned here.
   */
  async overduePage(overdueMs: number, limit: number, afterId = ''): Promise<OverduePage> {
    const page = (status: string) => `(SELECT id, next_attempt_at FROM deliveries WHERE status = '${status}' AND id > $1 ORDER BY id LIMIT $2)`;
    const [, , rows] = await this.prisma.$transaction([
      this.prisma.$executeRawUnsafe('SET LOCAL enable_bitmapscan = off'),
      this.prisma.$executeRawUnsafe('SET LOCAL enable_sort = off'),
      this.prisma.$queryRawUnsafe<{ id: string; overdue: boolean | null }[]>(
        `SELECT id, next_attempt_at < now() - make_interval(secs => $3::float8 / 1000) AS overdue
         FROM (${page('pending')} UNION ALL ${page('failed')} ORDER BY id LIMIT $2) open_deliveries ORDER BY id`,
        afterId,
        limit,
        overdueMs,
      ),
    ]);
    return { overdue: rows.filter((row) => row.overdue).map((row) => row.id), scanned: rows.length, lastId: rows.at(-1)?.id ?? null };
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
