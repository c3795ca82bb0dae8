import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { withTimeout } from '@hookline/timeout';
import { operatorKeys, REDIS_CALL_TIMEOUT_MS, redisKeyspace, RedisService } from '@hookline/queue';

/** A console lists open breakers; past this many it shows a count (GET /v1/stats) rather than a list. */
const MAX_LISTED = 500;

export interface OpenBreakerView {
  subscriptionId: string;
  tenantId: string | null;
  url: string | null;
  /** When the breaker lets its next probe through; null when not known. */
  openUntil: Date | null;
}

/** The circuit breakers the workers hold open now (Redis), with the subscriptions they pause. */
@Injectable()
export class CircuitBreakersService {
  private readonly keys: ReturnType<typeof operatorKeys>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = operatorKeys(redisKeyspace(config));
  }

  async listOpen(): Promise<{ data: OpenBreakerView[]; total: number }> {
    // One set per delivery shard on a cluster (each beside its subscriptions' breakers), one otherwise.
    const sets = await withTimeout(Promise.all(this.keys.allOpenBreakers.map((key) => this.redis.smembers(key))), REDIS_CALL_TIMEOUT_MS);
    const all = [...new Set(sets.flat())];
    const ids = all.sort().slice(0, MAX_LISTED);
    const total = all.length;
    if (ids.length === 0) return { data: [], total };
    // Separate commands, not one pipeline: on a cluster the breakers live on different nodes (auto-pipelining batches them per node).
    const [until, subscriptions] = await Promise.all([
      withTimeout(Promise.all(ids.map((id) => this.redis.hget(this.keys.breaker(id), 'openUntil'))), REDIS_CALL_TIMEOUT_MS),
      this.prisma.subscription.findMany({ where: { id: { in: ids } }, select: { id: true, tenantId: true, url: true } }),
    ]);
    const byId = new Map(subscriptions.map((s) => [s.id, s]));
    const data = ids.map((id, i) => {
      const ms = Number(until[i]);
      return { subscriptionId: id, tenantId: byId.get(id)?.tenantId ?? null, url: byId.get(id)?.url ?? null, openUntil: Number.isFinite(ms) && ms > 0 ? new Date(ms) : null };
    });
    return { data, total };
  }
}
