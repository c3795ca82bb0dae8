import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { RedisService } from '@hookline/queue';
import { withTimeout } from '@hookline/timeout';
import { operatorKeys } from './operator-keys';
import { REDIS_CALL_TIMEOUT_MS } from './redis-call-timeout';

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
    this.keys = operatorKeys(config.QUEUE_PREFIX);
  }

  async listOpen(): Promise<{ data: OpenBreakerView[]; total: number }> {
    const ids = (await withTimeout(this.redis.smembers(this.keys.openBreakers), REDIS_CALL_TIMEOUT_MS)).sort().slice(0, MAX_LISTED);
    const total = ids.length < MAX_LISTED ? ids.length : await withTimeout(this.redis.scard(this.keys.openBreakers), REDIS_CALL_TIMEOUT_MS);
    if (ids.length === 0) return { data: [], total };
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.breaker(id), 'openUntil');
    const [until, subscriptions] = await Promise.all([
      withTimeout(pipeline.exec(), REDIS_CALL_TIMEOUT_MS),
      this.prisma.subscription.findMany({ where: { id: { in: ids } }, select: { id: true, tenantId: true, url: true } }),
    ]);
    const byId = new Map(subscriptions.map((s) => [s.id, s]));
    const data = ids.map((id, i) => {
      const ms = Number(until?.[i]?.[1]);
      return { subscriptionId: id, tenantId: byId.get(id)?.tenantId ?? null, url: byId.get(id)?.url ?? null, openUntil: Number.isFinite(ms) && ms > 0 ? new Date(ms) : null };
    });
    return { data, total };
  }
}
