import { Injectable } from '@nestjs/common';
import { DeliveryStatus, Prisma, PrismaService } from '@hookline/database';

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed', 'dead', 'cancelled'];

export interface TenantNotFinal {
  tenantId: string;
  pending: number;
  failed: number;
}

/**
 * Folding never runs twice at once; another worker's turn is skipped, not waited for. Retention
 * takes it too while it subtracts a dropped partition (PartitionsRepository).
 */
export const FOLD_LOCK_KEY = 'hookline:delivery-status-counts:fold';

/**
 * Deliveries by tenant and status, exact, without reading the deliveries table: statement-level
 * triggers on it append each statement's net change to delivery_status_deltas, the worker folds
 * those into delivery_status_counts, and a read adds both in one statement (one snapshot, so a fold
 * committing meanwhile is seen entirely or not at all). See docs/decisions/cheap-stats.md.
 */
@Injectable()
export class StatusCountsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** `db`: a transaction, to read these in the same snapshot as other reads. */
  async byStatus(tenantId?: string, db: Prisma.TransactionClient = this.prisma): Promise<Record<DeliveryStatus, number>> {
    const scope = tenantId ? 'WHERE tenant_id = $1' : '';
    const rows = await db.$queryRawUnsafe<{ status: DeliveryStatus; n: number }[]>(
      `SELECT status, sum(n)::float8 AS n FROM (
         SELECT status, n FROM delivery_status_counts ${scope}
         UNION ALL
         SELECT status, delta FROM delivery_status_deltas ${scope}
       ) AS c GROUP BY status`,
      ...(tenantId ? [tenantId] : []),
    );
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Tenants with deliveries pending or failed (awaiting a retry), the most first. */
  async notFinal(limit: number, tenantId?: string, db: Prisma.TransactionClient = this.prisma): Promise<TenantNotFinal[]> {
    const scope = tenantId ? 'AND tenant_id = $2' : '';
    return db.$queryRawUnsafe<TenantNotFinal[]>(
      `SELECT "tenantId", pending, failed FROM (
         SELECT tenant_id AS "tenantId",
                coalesce(sum(n) FILTER (WHERE status = 'pending'), 0)::float8 AS pending,
                coalesce(sum(n) FILTER (WHERE status = 'failed'), 0)::float8 AS failed
         FROM (
           SELECT tenant_id, status, n FROM delivery_status_counts WHERE status IN ('pending', 'failed') ${scope}
           UNION ALL
           SELECT tenant_id, status, delta FROM delivery_status_deltas WHERE status IN ('pending', 'failed') ${scope}
         ) AS c GROUP BY tenant_id
       ) AS t WHERE pending + failed > 0
       ORDER BY pending + failed DESC, "tenantId" LIMIT $1`,
      limit,
      ...(tenantId ? [tenantId] : []),
    );
  }

  /**
   * Moves up to `maxRows` deltas into the counts, in one transaction; returns how many it moved, or
   * null when another worker is folding. Rows whose count reached 0 are dropped (a deleted tenant).
   */
  async fold(maxRows: number): Promise<number | null> {
    return this.prisma.$transaction(async (tx) => {
      const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`, FOLD_LOCK_KEY);
      if (!lock?.locked) return null;
      const [moved] = await tx.$queryRawUnsafe<{ rows: number }[]>(
        `WITH moved AS (
           DELETE FROM delivery_status_deltas
           WHERE id IN (SELECT id FROM delivery_status_deltas ORDER BY id LIMIT $1)
           RETURNING partition, tenant_id, status, delta
         ), summed AS (
           INSERT INTO delivery_status_counts AS c (tenant_id, status, n)
           SELECT tenant_id, status, sum(delta) FROM moved GROUP BY tenant_id, status
           ON CONFLICT (tenant_id, status) DO UPDATE SET n = c.n + EXCLUDED.n
         ), by_partition AS (
           INSERT INTO delivery_partition_counts AS c (partition, tenant_id, status, n)
           SELECT partition, tenant_id, status, sum(delta) FROM moved GROUP BY partition, tenant_id, status
           ON CONFLICT (partition, tenant_id, status) DO UPDATE SET n = c.n + EXCLUDED.n
         )
         SELECT count(*)::int AS rows FROM moved`,
        maxRows,
      );
      // A partition's rows at 0 stay until it is dropped: there are few, and finding them would be a scan.
      await tx.$executeRawUnsafe(`DELETE FROM delivery_status_counts WHERE n = 0`);
      return moved?.rows ?? 0;
    });
  }
}
