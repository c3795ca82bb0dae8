import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { redisNodes, RedisService } from '@hookline/queue';

/** docs/contract.md#delivery-semantics: an evicting Redis can drop queued jobs; the sweeper recovers them, but say so loudly. */
@Injectable()
export class RedisPolicyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Worker');

  constructor(private readonly redis: RedisService) {}

  async onApplicationBootstrap() {
    // Every master of a cluster: each holds its own part of the queues.
    for (const node of redisNodes(this.redis)) {
      const [, policy] = (await node.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
      if (policy && policy !== 'noeviction') {
        this.logger.warn(`Redis ${node.options.host}:${node.options.port} maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued jobs under memory pressure`);
      }
    }
  }
}
