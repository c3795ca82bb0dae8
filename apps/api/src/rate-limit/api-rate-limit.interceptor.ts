import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { Principal } from '@hookline/auth';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { ProblemException } from '@hookline/http-problem';
import { operatorKeys } from '@hookline/operators';
import { RedisService } from '@hookline/queue';

/** One round trip: count this request in the key's current second. */
const COUNT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end
return n
`;
/** A Redis that does not answer must not hold requests: past this they go through uncounted. */
const REDIS_BUDGET_MS = 200;

/**
 * SPEC 6 per-key API rate limit: API_RATE_LIMIT_PER_SECOND requests per API key (the admin key
 * counts as one key) in each wall-clock second, shared by every API instance through Redis. Over
 * it: 429 problem+json with `Retry-After` (seconds until the next window). An interceptor, so it
 * runs after the auth guard has named the key; public routes are not limited. Fails open when
 * Redis is unavailable: an outage of the limiter must not become an outage of the API.
 */
@Injectable()
export class ApiRateLimitInterceptor implements NestInterceptor {
  private readonly keys: ReturnType<typeof operatorKeys>;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keys = operatorKeys(config.QUEUE_PREFIX);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const principal = http.getRequest<Request & { principal?: Principal }>().principal;
    if (!principal || this.redis.status !== 'ready') return next.handle();
    const id = principal.kind === 'admin' ? 'admin' : principal.keyId;
    const second = Math.floor(Date.now() / 1000);
    const count = await this.count(this.keys.apiRequests(id, second));
    const limit = this.config.API_RATE_LIMIT_PER_SECOND;
    const response = http.getResponse<Response>();
    if (count !== null) {
      response.setHeader('RateLimit-Limit', String(limit));
      response.setHeader('RateLimit-Remaining', String(Math.max(0, limit - count)));
    }
    if (count !== null && count > limit) {
      // The window is one second, and Retry-After counts whole seconds.
      const retryAfter = '1';
      throw new ProblemException(429, `More than ${limit} requests per second with this API key; retry after ${retryAfter} s`, undefined, 'rate-limited', {
        'Retry-After': retryAfter,
      });
    }
    return next.handle();
  }

  private async count(key: string): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), REDIS_BUDGET_MS)));
    try {
      return (await Promise.race([this.redis.eval(COUNT, 1, key) as Promise<number>, timeout])) ?? null;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
