import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { apiKeyChangesChannel, FailOpen, RedisService } from '@hookline/queue';
import { withTimeout } from '@hookline/timeout';
import { ApiKeyCache } from './api-key-cache';

/** A revoke answers within this even if Redis hangs; the change itself is committed already. */
const ANNOUNCE_TIMEOUT_MS = 1_000;

/** Tells every API process (this one at once) to drop its cached API keys of a tenant. */
@Injectable()
export class ApiKeyChanges {
  constructor(
    private readonly cache: ApiKeyCache,
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Call after the change is committed (before, another process could read and cache the old row
   * after it dropped its copy). Awaited, so that when the revoke answers, Redis has passed it on to
   * every subscribed process. A process that is not subscribed uses no cache; but if only this one
   * cannot reach Redis, the others keep their copy until it expires (fail-open, counted).
   */
  async announce(tenantId: string): Promise<void> {
    this.cache.forgetTenant(tenantId);
    if (this.redis.status !== 'ready') {
      this.failOpen.record('api_key_cache_invalidation');
      return;
    }
    await withTimeout(this.redis.publish(apiKeyChangesChannel(this.config.QUEUE_PREFIX), tenantId), ANNOUNCE_TIMEOUT_MS).catch((error: unknown) =>
      this.failOpen.record('api_key_cache_invalidation', error),
    );
  }
}
