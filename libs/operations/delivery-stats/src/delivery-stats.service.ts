import { Injectable } from '@nestjs/common';
import { SqlPool } from '@hookline/database';
import { LATENCY_BUCKET_COUNT, latencyPercentile } from './latency-histogram';
import { SeriesPlan } from './series-buckets';

export interface SeriesPoint {
  start: Date;
  succeeded: number;
  failed: number;
  dead: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface SeriesScope {
  /** Absent: every tenant (operators). */
  tenantId?: string;
  subscriptionId?: string;
}

interface BucketRow {
  bucket: number;
  succeeded: number;
  failed: number;
  dead: number;
  latencyCounts: number[] | null;
}

/** Reads the per-minute rollup the worker keeps; never touches deliveries or attempts. */
@Injectable()
export class DeliveryStatsService {
  constructor(private readonly sql: SqlPool) {}

  async series(scope: SeriesScope, plan: SeriesPlan): Promise<{ bucket: string; buckets: SeriesPoint[] }> {
    const params: unknown[] = [plan.start, plan.until, plan.sizeMs / 1000];
    const filters = ['minute >= $1', 'minute < $2'];
    if (scope.tenantId !== undefined) filters.push(`tenant_id = $${params.push(scope.tenantId)}`);
    if (scope.subscriptionId !== undefined) filters.push(`subscription_id = $${params.push(scope.subscriptionId)}`);
    const rows = await this.sql.rows<BucketRow>(
      `SELECT floor(extract(epoch FROM minute - $1::timestamptz) / $3)::int AS bucket,
              sum(succeeded)::int AS succeeded, sum(failed)::int AS failed, sum(dead)::int AS dead,
              hookline_sum_counts(latency_counts) AS "latencyCounts"
       FROM delivery_stats_minutes WHERE ${filters.join(' AND ')}
       GROUP BY 1`,
      params,
    );
    const byBucket = new Map(rows.map((row) => [row.bucket, row]));
    const buckets = Array.from({ length: plan.count }, (_, index): SeriesPoint => {
      const row = byBucket.get(index);
      const counts = row?.latencyCounts ?? new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
      return {
        start: new Date(plan.start.getTime() + index * plan.sizeMs),
        succeeded: row?.succeeded ?? 0,
        failed: row?.failed ?? 0,
        dead: row?.dead ?? 0,
        p50Ms: latencyPercentile(counts, 0.5),
        p95Ms: latencyPercentile(counts, 0.95),
      };
    });
    return { bucket: plan.bucket, buckets };
  }
}
