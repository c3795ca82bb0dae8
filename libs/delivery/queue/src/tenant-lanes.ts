import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { withTimeout } from '@hookline/timeout';
import { FailOpen } from './fail-open';
import { RedisService } from './redis';

/**
 * Lanes of the one deliveries queue. BullMQ takes a job without a priority (its wait list, FIFO)
 * before any prioritized job (a sorted set, lowest number first, FIFO within a number). So a tenant
 * within its fair share queues without a priority, and a tenant over it queues with a priority that
 * grows with its volume: a bulk upload's backlog waits in the sorted set while every other tenant's
 * fresh deliveries are taken first, and still gets every worker slot nobody else needs.
 */
export const MAX_LANE_PRIORITY = 20;

/**
 * The counter call sits on the publish path: past this, jobs are queued without a lane. A Redis that
 * takes this long is nearly away (the add that follows has 2 s); shorter, a busy machine's hiccups
 * would put a bulk upload's batches in the fast lane.
 */
const COUNT_TIMEOUT_MS = 1_000;

/**
 * A sliding window from two fixed ones: adds `n` to this window's count and returns it plus the
 * previous window's count weighted by how much of it still overlaps the last `window` ms.
 * KEYS: this window's counter, the previous window's (one hash tag: the same slot in a cluster).
 * ARGV: n, counter ttl ms, per-mille of this window elapsed.
 */
const COUNT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
return count + math.floor(previous * (1000 - tonumber(ARGV[3])) / 1000)
`;

/**
 * The lane of a tenant that queued `volume` deliveries in the last window: 0 (no priority) within
 * `fairShare`, then 1 up to twice it, 2 up to four times, … capped at MAX_LANE_PRIORITY.
 */
export function lanePriority(volume: number, fairShare: number): number {
  if (fairShare <= 0 || volume <= fairShare) return 0;
  return Math.min(MAX_LANE_PRIORITY, 1 + Math.floor(Math.log2(volume / fairShare)));
}

type CountCommand = (current: string, previous: string, n: number, ttlMs: number, elapsedPerMille: number) => Promise<number>;

/** Counts each tenant's queued deliveries in Redis (one script call per tenant per batch) and gives their lane. */
@Injectable()
export class TenantLanes {
  private readonly fairShare: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly count: CountCommand;

  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fairShare = config.FAIR_SHARE_JOBS_PER_WINDOW;
    this.windowMs = config.FAIR_SHARE_WINDOW_MS;
    this.prefix = config.QUEUE_PREFIX;
    redis.defineCommand('hooklineTenantLaneCount', { numberOfKeys: 2, lua: COUNT_SCRIPT });
    const commands = redis as unknown as Record<string, CountCommand>;
    this.count = commands.hooklineTenantLaneCount.bind(redis);
  }

  /**
   * Counts `jobsByTenant` and returns each tenant's lane priority (0: none). Never throws: without
   * Redis every tenant gets 0, first come first served as before, counted as fail-open.
   */
  async priorities(jobsByTenant: ReadonlyMap<string, number>): Promise<Map<string, number>> {
    const lanes = new Map<string, number>();
    if (this.fairShare === 0 || jobsByTenant.size === 0) return lanes;
    if (this.redis.status !== 'ready') {
      this.failOpen.record('fair_share');
      return lanes;
    }
    const now = Date.now();
    const window = Math.floor(now / this.windowMs);
    const elapsedPerMille = Math.floor(((now % this.windowMs) * 1000) / this.windowMs);
    try {
      const volumes = await withTimeout(
        Promise.all(
          [...jobsByTenant].map(([tenantId, n]) => this.count(this.key(tenantId, window), this.key(tenantId, window - 1), n, this.windowMs * 2 + 1_000, elapsedPerMille)),
        ),
        COUNT_TIMEOUT_MS,
      );
      [...jobsByTenant.keys()].forEach((tenantId, i) => lanes.set(tenantId, lanePriority(Number(volumes[i]), this.fairShare)));
    } catch (error) {
      this.failOpen.record('fair_share', error);
      lanes.clear();
    }
    return lanes;
  }

  private key(tenantId: string, window: number): string {
    return `${this.prefix}:fair-share:{${tenantId}}:${window}`;
  }
}
