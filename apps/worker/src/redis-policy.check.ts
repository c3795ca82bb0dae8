import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RedisService } from '@hookline/queue';

/** docs/contract.md#delivery-semantics: an evicting Redis can drop queued jobs; the sweeper recovers them, but say so loudly. */
@Injectable()
export class RedisPolicyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Worker');

  constructor(private readonly redis: RedisService) {}

  async onApplicationBootstrap() {
    const [, policy] = (await this.redis.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
    if (policy && policy !== 'noeviction') {
      this.logger.warn(`Redis maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued jobs under memory pressure`);
    }
  }
}
