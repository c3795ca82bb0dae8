import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { apiKeyChangesChannel, InvalidationSubscriber } from '@hookline/queue';

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

interface Entry {
  key: CachedApiKey;
  expiresAt: number;
}

/**
 * Live API keys by hash, so most requests authenticate without a Postgres round trip. Only keys
 * found live are kept; an unknown hash is never remembered (a key may be created and used at once).
 * Revocation stays immediate across API processes: whoever revokes a key or deletes a tenant
 * announces the tenant on Redis (ApiKeyChanges) and every process drops that tenant's keys. While
 * this process is not subscribed, announcements would be missed, so the cache is bypassed
 * altogether and starts empty once subscribed again.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyCache.name);
  /** Least recently used first (a Map keeps insertion order; a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry>();
  /** Moves on at every drop: a lookup that began before a drop must not store what it read. */
  private generation = 0;
  private subscriber?: InvalidationSubscriber;
  private wasLive = false;
  private stopping = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit() {
    this.subscriber = new InvalidationSubscriber(this.config, apiKeyChangesChannel(this.config.QUEUE_PREFIX), {
      message: (tenantId) => this.forgetTenant(tenantId),
      liveChanged: (live) => this.liveChanged(live),
      // The subscriber reconnects on its own; while it is down the cache is bypassed, which liveChanged logs.
      error: () => undefined,
    });
    this.subscriber.start();
  }

  onModuleDestroy() {
    this.stopping = true;
    this.subscriber?.close();
  }

  /** True while announcements reach this process, i.e. while the cache is in use. */
  get live(): boolean {
    return this.subscriber?.live ?? false;
  }

  get size(): number {
    return this.entries.size;
  }

  get(hash: string): CachedApiKey | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    this.entries.delete(hash);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(hash, entry);
    return entry.key;
  }

  /** Taken before a lookup starts, handed to `set` with its result. */
  ticket(): number {
    return this.generation;
  }

  set(hash: string, ticket: number, key: CachedApiKey): void {
    if (!this.live || ticket !== this.generation) return;
    this.entries.delete(hash);
    this.entries.set(hash, { key, expiresAt: Date.now() + API_KEY_CACHE_TTL_MS });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= API_KEY_CACHE_MAX_ENTRIES) break;
      this.entries.delete(oldest);
    }
  }

  /** Revocations are rare and the cache bounded: a scan is cheaper than keeping a second index right. */
  forgetTenant(tenantId: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) {
      if (entry.key.tenantId === tenantId) this.entries.delete(hash);
    }
  }

  private liveChanged(live: boolean): void {
    this.generation++;
    this.entries.clear();
    if (live === this.wasLive || this.stopping) return;
    this.wasLive = live;
    if (live) this.logger.log('API key cache on: subscribed to key revocations');
    else this.logger.warn('API key cache off: not subscribed to key revocations, so every request looks its key up in Postgres');
  }
}
