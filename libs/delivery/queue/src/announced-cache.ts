import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@hookline/config';
import { withTimeout } from '@hookline/timeout';
import { FailOpen, type FailOpenPath } from './fail-open';
import { InvalidationSubscriber } from './invalidation-subscriber';
import { RedisService } from './redis';

export interface AnnouncedCacheOptions {
  /** The pub/sub channel on which changes are announced. */
  channel: string;
  /** Counted when an announcement cannot be published. */
  failOpenPath: FailOpenPath;
  /** The backstop: an entry is read again after this long even if no announcement came. */
  ttlMs: number;
  /** Beyond this many entries, the least recently used is dropped. */
  maxEntries: number;
  /** For the log lines, e.g. `API key cache`, `key revocations`, `every request looks its key up in Postgres`. */
  name: string;
  announcements: string;
  whileOff: string;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A per-process cache of rows that change rarely, kept right across processes by announcements on
 * a Redis channel: whoever changes a row announces it after the commit, and every subscribed
 * process drops what `dropAnnounced` says. While this process is not subscribed, announcements
 * would be missed, so the cache is bypassed altogether (nothing served, nothing stored) and starts
 * empty once subscribed again. A lookup takes a `ticket()` before it reads and hands it to `set`:
 * a drop in between moves the generation on, and the stale result is not stored.
 */
export abstract class AnnouncedCache<V> implements OnModuleInit, OnModuleDestroy {
  private readonly logger: Logger;
  /** Least recently used first (a Map keeps insertion order; a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry<V>>();
  private generation = 0;
  private subscriber?: InvalidationSubscriber;
  private wasLive = false;
  private stopping = false;

  protected constructor(
    private readonly config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
    private readonly options: AnnouncedCacheOptions,
  ) {
    this.logger = new Logger(new.target.name);
  }

  /** One announcement, from any process or this one: drop what it names (`forget`, `forgetWhere`). */
  abstract dropAnnounced(message: string): void;

  get channel(): string {
    return this.options.channel;
  }

  get failOpenPath(): FailOpenPath {
    return this.options.failOpenPath;
  }

  onModuleInit() {
    this.subscriber = new InvalidationSubscriber(this.config, this.options.channel, {
      message: (message) => this.dropAnnounced(message),
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

  get(key: string): V | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Taken before a lookup starts, handed to `set` with its result. */
  ticket(): number {
    return this.generation;
  }

  set(key: string, ticket: number, value: V): void {
    if (!this.live || ticket !== this.generation) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Date.now() + this.options.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  protected forget(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** Changes are rare and the cache bounded: a scan is cheaper than keeping a second index right. */
  protected forgetWhere(matches: (value: V) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      if (matches(entry.value)) this.entries.delete(key);
    }
  }

  private liveChanged(live: boolean): void {
    this.generation++;
    this.entries.clear();
    if (live === this.wasLive || this.stopping) return;
    this.wasLive = live;
    const { name, announcements, whileOff } = this.options;
    if (live) this.logger.log(`${name} on: subscribed to ${announcements}`);
    else this.logger.warn(`${name} off: not subscribed to ${announcements}, so ${whileOff}`);
  }
}

/** An announcement answers within this even if Redis hangs; the change itself is committed already. */
const ANNOUNCE_TIMEOUT_MS = 1_000;

/**
 * Publishes a change for an AnnouncedCache in every process, this one first. Call after the change
 * is committed (before, another process could read and cache the old row after it dropped its
 * copy). Awaited, so that when the change answers, Redis has passed it on to every subscribed
 * process. A process that is not subscribed uses no cache; but if only this one cannot reach Redis,
 * the others keep their copy until it expires (fail-open, counted).
 */
@Injectable()
export class ChangeAnnouncer {
  constructor(
    private readonly redis: RedisService,
    private readonly failOpen: FailOpen,
  ) {}

  async announce<V>(cache: AnnouncedCache<V>, message: string): Promise<void> {
    cache.dropAnnounced(message);
    if (this.redis.status !== 'ready') {
      this.failOpen.record(cache.failOpenPath);
      return;
    }
    await withTimeout(this.redis.publish(cache.channel, message), ANNOUNCE_TIMEOUT_MS).catch((error: unknown) => this.failOpen.record(cache.failOpenPath, error));
  }
}
