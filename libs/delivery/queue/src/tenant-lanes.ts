import { Inject, Injectable } from '@nestjs/common';
import { GroupCommit } from '@hookline/batching';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { withTimeout } from '@hookline/timeout';
import { FailOpen } from './fail-open';
import { RedisService } from './redis';

/**
 * Lanes of the one deliveries queue. BullMQ takes a job without a priority (its wait list, FIFO)
 * before any prioritized job (a sorted set, lowest number first, FIFO within a number). So a tenant
 * with few deliveries queued queues without a priority, and a tenant with a backlog queues with a
 * priority that grows with it: a bulk upload's backlog waits in the sorted set while every other
 * tenant's fresh deliveries are taken first, and still gets every worker slot nobody else needs.
 */
export const MAX_LANE_PRIORITY = 20;

/**
 * The counter call sits on the publish path: past this, jobs are queued without a lane. A Redis that
 * takes this long is nearly away (the add that follows has 2 s); shorter, a busy machine's hiccups
 * would put a bulk upload's batches in the fast lane.
 */
const COUNT_TIMEOUT_MS = 1_000;
/**
 * A tenant's queued count lives this long after it last changed: counts of tenants gone quiet go
 * away, and so does any drift (see TenantLanes).
 */
const QUEUED_TTL_MS = 3_600_000;

/**
 * Adds `n` jobs to a tenant's counts and returns its volume: the smaller of its jobs queued now and
 * its jobs queued in the last window (a sliding window from two fixed ones: this window's count plus
 * the previous window's weighted by how much of it still overlaps).
 * KEYS: this window's counter, the previous window's, the queued count (one hash tag: one cluster slot).
 * ARGV: n, window counter ttl ms, per-mille of this window elapsed, queued count ttl ms.
 */
const COUNT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local recent = count + math.floor(previous * (1000 - tonumber(ARGV[3])) / 1000)
local queued = redis.call('INCRBY', KEYS[3], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return math.min(recent, queued)
`;

/** Takes `n` jobs that left the queue off a tenant's queued count, never below 0. KEYS: the count. ARGV: n, ttl ms. */
const LEFT_SCRIPT = `
local queued = redis.call('DECRBY', KEYS[1], ARGV[1])
if queued <= 0 then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * The lane of a tenant of `volume` (see COUNT_SCRIPT): 0 (no priority) within `fairShare`, then 1 up
 * to twice it, 2 up to four times, … capped at MAX_LANE_PRIORITY.
 */
export function lanePriority(volume: number, fairShare: number): number {
  if (fairShare <= 0 || volume <= fairShare) return 0;
  return Math.min(MAX_LANE_PRIORITY, 1 + Math.floor(Math.log2(volume / fairShare)));
}

type CountCommand = (current: string, previous: string, queued: string, n: number, windowTtlMs: number, elapsedPerMille: number, queuedTtlMs: number) => Promise<number>;
type LeftCommand = (queued: string, n: number, ttlMs: number) => Promise<number>;

/**
 * Counts each tenant's queued deliveries in Redis and gives their lane. Enqueuers add (one script
 * call per tenant per batch); workers take off the jobs that left the queue for good (`left`,
 * gathered per tenant while the previous call is out). The count can drift up (a job removed by a
 * cancellation, an add that timed out after the count): a drifted tenant is still in the fast lane
 * whenever it queued little in the last window, and its count expires an hour after it last moved.
 */
@Injectable()
export class TenantLanes {
  private readonly fairShare: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly count: CountCommand;
  private readonly takeOff: LeftCommand;
  /** Tenants of the jobs that left, taken off the counts together while the previous call is out. */
  private readonly leftJobs = new GroupCommit<string, void>((tenantIds) => this.takeOffAll(tenantIds));

  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fairShare = config.FAIR_SHARE_QUEUED_JOBS;
    this.windowMs = config.FAIR_SHARE_WINDOW_MS;
    this.prefix = config.QUEUE_PREFIX;
    redis.defineCommand('hooklineTenantLaneCount', { numberOfKeys: 3, lua: COUNT_SCRIPT });
    redis.defineCommand('hooklineTenantLaneLeft', { numberOfKeys: 1, lua: LEFT_SCRIPT });
    const commands = redis as unknown as Record<string, CountCommand & LeftCommand>;
    this.count = commands.hooklineTenantLaneCount.bind(redis);
    this.takeOff = commands.hooklineTenantLaneLeft.bind(redis);
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
          [...jobsByTenant].map(([tenantId, n]) =>
            this.count(
              this.windowKey(tenantId, window),
              this.windowKey(tenantId, window - 1),
              this.queuedKey(tenantId),
              n,
              this.windowMs * 2 + 1_000,
              elapsedPerMille,
              QUEUED_TTL_MS,
            ),
          ),
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

  /**
   * A tenant's job left the queue for good (sent, dead, cancelled). Never throws and never waits:
   * the counts are updated in the background, one call per tenant for all that left meanwhile.
   */
  left(tenantId: string): void {
    if (this.fairShare === 0) return;
    void this.leftJobs.submit(tenantId);
  }

  /** Never throws: without Redis the counts stay as they are (the window and the expiry bound the drift). */
  private async takeOffAll(tenantIds: string[]): Promise<void[]> {
    const done = tenantIds.map(() => undefined);
    if (this.redis.status !== 'ready') {
      this.failOpen.record('fair_share');
      return done;
    }
    const byTenant = new Map<string, number>();
    for (const tenantId of tenantIds) byTenant.set(tenantId, (byTenant.get(tenantId) ?? 0) + 1);
    try {
      await withTimeout(Promise.all([...byTenant].map(([tenantId, n]) => this.takeOff(this.queuedKey(tenantId), n, QUEUED_TTL_MS))), COUNT_TIMEOUT_MS);
    } catch (error) {
      this.failOpen.record('fair_share', error);
    }
    return done;
  }

  private windowKey(tenantId: string, window: number): string {
    return `${this.prefix}:fair-share:{${tenantId}}:${window}`;
  }

  private queuedKey(tenantId: string): string {
    return `${this.prefix}:fair-share:{${tenantId}}:queued`;
  }
}
