import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { DeliveryStatus, Prisma, PrismaService } from '@hookline/database';
import { StatusCountsRepository } from '@hookline/deliveries';
import { withTimeout } from '@hookline/timeout';
import { DeliveryQueues, OPERATOR_EVENTS_QUEUE, operatorKeys, REDIS_CALL_TIMEOUT_MS, redisKeyspace, RedisService, REPLAYS_QUEUE } from '@hookline/queue';

const JOB_STATES = ['waiting', 'paused', 'prioritized', 'delayed', 'active', 'failed'] as const;
const TOP_TENANTS = 100;
/** A dashboard and a scrape every few seconds share one reading. */
const CACHE_MS = 2_000;

export type QueueDepths = Record<(typeof JOB_STATES)[number], number>;

export interface TenantBacklog {
  tenantId: string;
  pending: number;
  failed: number;
  /** pending + failed: deliveries not yet final. */
  backlog: number;
  oldestPendingAgeSeconds: number | null;
}

export interface StatsView {
  generatedAt: Date;
  tenantId: string | null;
  /** Deliveries by status. */
  deliveries: Record<DeliveryStatus, number>;
  /**
   * How long the most overdue delivery has been due (pending, or failed with its retry time
   * passed) without an attempt: the workers' lag. Null when nothing is due.
   */
  oldestPendingAgeSeconds: number | null;
  /** Tenants with deliveries not yet final, the largest backlog first (at most 100). */
  backlog: TenantBacklog[];
  /** Jobs by state in each queue (Redis), not filtered by tenant. */
  queues: Record<string, QueueDepths>;
  circuitBreakersOpen: number;
}

/** docs/contract.md#the-rest-api `GET /v1/stats`, also behind `/metrics` and the CLI's `stats`. */
@Injectable()
export class StatsService {
  private cached?: { at: number; value: Promise<StatsView> };

  constructor(
    private readonly prisma: PrismaService,
    private readonly counts: StatusCountsRepository,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: DeliveryQueues,
    @InjectQueue(REPLAYS_QUEUE) private readonly replays: Queue,
    @InjectQueue(OPERATOR_EVENTS_QUEUE) private readonly operatorEvents: Queue,
  ) {}

  stats(tenantId?: string): Promise<StatsView> {
    if (tenantId) return this.compute(tenantId);
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      const value = this.compute();
      this.cached = { at: Date.now(), value };
      value.catch(() => (this.cached = undefined));
    }
    return this.cached.value;
  }

  async queueDepths(): Promise<Record<string, QueueDepths>> {
    const entries = await Promise.all(
      [...this.deliveries.all, this.replays, this.operatorEvents].map(async (queue) => {
        const counts = await withTimeout(queue.getJobCounts(...JOB_STATES), REDIS_CALL_TIMEOUT_MS);
        return [queue.name, Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as QueueDepths] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private async compute(tenantId?: string): Promise<StatsView> {
    const [{ byStatus, oldest, backlog }, queues, breakers] = await Promise.all([
      this.postgresReading(tenantId),
      this.queueDepths().catch(() => ({})),
      this.openBreakers().catch(() => 0),
    ]);
    return { generatedAt: new Date(), tenantId: tenantId ?? null, deliveries: byStatus, oldestPendingAgeSeconds: oldest, backlog, queues, circuitBreakersOpen: breakers };
  }

  /**
   * Counts, backlog and ages from one snapshot, so they agree: read apart, a delivery that turned
   * dead between two reads showed in the dead count and in a tenant's backlog at once.
   */
  private postgresReading(tenantId?: string) {
    return this.prisma.$transaction(
      async (tx) => ({
        byStatus: await this.counts.byStatus(tenantId, tx),
        oldest: await this.oldestPendingAge(tenantId, tx),
        backlog: await this.backlog(tenantId, tx),
      }),
      // Prisma's defaults (2 s to get a connection, 5 s in all) would fail a reading that plain queries
      // made on a busy database; these are the bounds a scrape can live with.
      { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, maxWait: 10_000, timeout: 30_000 },
    );
  }

  /** Summed over the shards' sets: a subscription's breaker is in its own shard's set only. */
  private async openBreakers(): Promise<number> {
    const keys = operatorKeys(redisKeyspace(this.config)).allOpenBreakers;
    const counts = await withTimeout(Promise.all(keys.map((key) => this.redis.scard(key))), REDIS_CALL_TIMEOUT_MS);
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Two index lookups on (status, next_attempt_at). */
  private async oldestPendingAge(tenantId: string | undefined, db: Prisma.TransactionClient): Promise<number | null> {
    const scope = tenantId ? 'AND tenant_id = $1' : '';
    const [row] = await db.$queryRawUnsafe<{ age: number | null }[]>(
      `SELECT extract(epoch FROM now() - LEAST(
                (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now() ${scope}),
                (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'failed' AND next_attempt_at <= now() ${scope})
              ))::float8 AS age`,
      ...(tenantId ? [tenantId] : []),
    );
    return row?.age === null || row?.age === undefined ? null : Math.max(0, Math.round(row.age * 1000) / 1000);
  }

  /**
   * The counts come from the status counters; the oldest due age of each listed tenant reads only
   * that tenant's pending and failed deliveries (the (tenant_id, status) index), never the rest.
   */
  private async backlog(tenantId: string | undefined, db: Prisma.TransactionClient): Promise<TenantBacklog[]> {
    const tenants = await this.counts.notFinal(TOP_TENANTS, tenantId, db);
    if (tenants.length === 0) return [];
    const ages = await db.$queryRawUnsafe<{ tenantId: string; age: number | null }[]>(
      `SELECT t AS "tenantId",
              extract(epoch FROM now() - (SELECT min(next_attempt_at) FROM deliveries
                                          WHERE tenant_id = t AND status IN ('pending', 'failed') AND next_attempt_at <= now()))::float8 AS age
       FROM unnest($1::text[]) AS t`,
      tenants.map((t) => t.tenantId),
    );
    const ageOf = new Map(ages.map((a) => [a.tenantId, a.age]));
    return tenants.map((t) => {
      const age = ageOf.get(t.tenantId) ?? null;
      return {
        tenantId: t.tenantId,
        pending: t.pending,
        failed: t.failed,
        backlog: t.pending + t.failed,
        oldestPendingAgeSeconds: age === null ? null : Math.max(0, Math.round(age * 1000) / 1000),
      };
    });
  }
}
