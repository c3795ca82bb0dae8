import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { AnnouncedCache, apiKeyChangesChannel } from '@hookline/queue';

/** The backstop: an entry is looked up again after this long even if no announcement came. */
export const API_KEY_CACHE_TTL_MS = 60_000;
/** Beyond this many keys, the least recently used is dropped. */
export const API_KEY_CACHE_MAX_ENTRIES = 10_000;

/** A live API key as authentication needs it. `lastUsedAt` is updated in place when it is written. */
export interface CachedApiKey {
  keyId: string;
  tenantId: string;
  lastUsedAt: number | null;
}

/**
 * Live API keys by hash, so most requests authenticate without a Postgres round trip. Only keys
 * found live are kept; an unknown hash is never remembered (a key may be created and used at once).
 * Revocation stays immediate across API processes: whoever revokes a key or deletes a tenant
 * announces the tenant on Redis (ChangeAnnouncer) and every process drops that tenant's keys. While
 * this process is not subscribed, the cache is bypassed (AnnouncedCache).
 */
@Injectable()
export class ApiKeyCache extends AnnouncedCache<CachedApiKey> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, {
      channel: apiKeyChangesChannel(config.QUEUE_PREFIX),
      failOpenPath: 'api_key_cache_invalidation',
      ttlMs: API_KEY_CACHE_TTL_MS,
      maxEntries: API_KEY_CACHE_MAX_ENTRIES,
      name: 'API key cache',
      announcements: 'key revocations',
      whileOff: 'every request looks its key up in Postgres',
    });
  }

  forgetTenant(tenantId: string): void {
    this.forgetWhere((key) => key.tenantId === tenantId);
  }

  /** An announcement names a tenant whose keys changed. */
  dropAnnounced(tenantId: string): void {
    this.forgetTenant(tenantId);
  }
}
