import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Principal, principalId } from '@hookline/auth';
import { GroupCommit } from '@hookline/batching';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { ProblemException } from '@hookline/http-problem';
import { withTimeout } from '@hookline/timeout';
import { FailOpen, operatorKeys, redisKeyspace, RedisService } from '@hookline/queue';

/** Adds ARGV[1] requests to the key's current second and returns the new total. */
const COUNT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], 2000) end
return n
`;
/** A Redis that does not answer must not hold requests: past this they go through uncounted. */
const REDIS_BUDGET_MS = 200;

/**
 * docs/contract.md#security-and-limits per-key API rate limit: API_RATE_LIMIT_PER_SECOND requests per API key (the admin key
 * counts as one key) in each wall-clock second, shared by every API instance through Redis. Over
 * it: 429 problem+json with `Retry-After` (seconds until the next window). Registered after the
 * auth guard, so the key is named; public routes are not limited. A guard rather than an
 * interceptor: Nest wraps every request in RxJS and async-context machinery as soon as one
 * interceptor is registered. Fails open when Redis is unavailable: an outage of the limiter must
 * not become an outage of the API (logged and counted by FailOpen).
 */
@Injectable()
export class ApiRateLimitGuard implements CanActivate {
  private readonly keys: ReturnType<typeof operatorKeys>;
  private readonly limit: number;

  /**
   * Requests that arrive while a count is in flight are counted together in the next round trip,
   * one INCRBY per key; each still gets the total it would have seen with a call of its own.
   */
  private readonly counts = new GroupCommit<string, number | null>(async (keys) => {
    const batch = new Map<string, number>();
    for (const key of keys) batch.set(key, (batch.get(key) ?? 0) + 1);
    const totals = await withTimeout(Promise.all([...batch].map(([key, n]) => this.redis.eval(COUNT, 1, key, n) as Promise<number>)), REDIS_BUDGET_MS).catch((error: unknown) => {
      this.failOpen.record('api_rate_limit', error, keys.length);
      return null;
    });
    if (!totals) return keys.map(() => null);
    const before = new Map([...batch.keys()].map((key, i) => [key, totals[i] - batch.get(key)!]));
    return keys.map((key) => {
      const count = before.get(key)! + 1;
      before.set(key, count);
      return count;
    });
  });

  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = operatorKeys(redisKeyspace(config));
    this.limit = config.API_RATE_LIMIT_PER_SECOND;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const principal = http.getRequest<FastifyRequest & { principal?: Principal }>().principal;
    if (!principal) return true;
    if (this.redis.status !== 'ready') {
      this.failOpen.record('api_rate_limit');
      return true;
    }
    const id = principalId(principal);
    const count = await this.counts.submit(this.keys.apiRequests(id, Math.floor(Date.now() / 1000)));
    if (count === null) return true;
    const reply = http.getResponse<FastifyReply>();
    reply.header('RateLimit-Limit', String(this.limit));
    reply.header('RateLimit-Remaining', String(Math.max(0, this.limit - count)));
    if (count > this.limit) {
      // The window is one second, and Retry-After counts whole seconds.
      const retryAfter = '1';
      throw new ProblemException(429, `More than ${this.limit} requests per second with this API key; retry after ${retryAfter} s`, undefined, 'rate-limited', {
        'Retry-After': retryAfter,
      });
    }
    return true;
  }
}
