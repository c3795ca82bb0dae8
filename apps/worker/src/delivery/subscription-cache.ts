import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { PrismaService } from '@hookline/database';
import { createRedisClient, FailOpen, RedisClient, subscriptionChangesChannel } from '@hookline/queue';
import { SecretKeyring } from '@hookline/secrets';
import { createSigner, SigningKey } from '@hookline/signing';

export interface CachedSubscription {
  id: string;
  url: string;
  headers: Record<string, string>;
  active: boolean;
  /** docs/contract.md#delivery-semantics: deliveries per second across all workers; null or absent means unlimited. */
  rateLimitPerSecond?: number | null;
  /** Live secrets decoded once, newest first. */
  signers: SigningKey[];
  /** When the oldest live secret stops being live: the entry must be reloaded by then. */
  expiresAt: number;
}

interface SubscriptionRow {
  id: string;
  url: string;
  headers: Record<string, string>;
  active: boolean;
  rateLimitPerSecond: number | null;
  secrets: string[] | null;
  nextExpiry: Date | null;
}

const TTL_MS = 5_000;

/**
 * What the worker needs to send to a subscription, without a Postgres read per delivery. Entries
 * live a few seconds and are dropped at once when the API announces a change on Redis.
 */
@Injectable()
export class SubscriptionCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Promise<CachedSubscription | null>>();
  private readonly loadedAt = new Map<string, number>();
  private subscriber?: RedisClient;
  private readonly keyring: SecretKeyring;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly failOpen: FailOpen,
  ) {
    this.keyring = new SecretKeyring(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS);
  }

  async onModuleInit() {
    this.subscriber = createRedisClient(this.config, { lazyConnect: true });
    // Announcements made while this connection is down are lost: entries then live out their TTL.
    this.subscriber.on('error', (error: Error) => this.failOpen.record('subscription_cache_invalidation', error));
    this.subscriber.on('message', (_channel: string, id: string) => this.forget(id));
    await this.subscriber.subscribe(subscriptionChangesChannel(this.config.QUEUE_PREFIX)).catch((error: unknown) => this.failOpen.record('subscription_cache_invalidation', error));
  }

  onModuleDestroy() {
    this.subscriber?.disconnect();
  }

  forget(id: string) {
    this.entries.delete(id);
    this.loadedAt.delete(id);
  }

  get(id: string): Promise<CachedSubscription | null> {
    const loaded = this.loadedAt.get(id);
    const cached = this.entries.get(id);
    if (cached && loaded !== undefined && Date.now() - loaded < TTL_MS) {
      return cached.then((entry) => (entry && entry.expiresAt <= Date.now() ? this.load(id) : entry));
    }
    return this.load(id);
  }

  private load(id: string): Promise<CachedSubscription | null> {
    const pending = this.fetch(id);
    this.entries.set(id, pending);
    this.loadedAt.set(id, Date.now());
    pending.catch(() => this.forget(id));
    return pending;
  }

  private async fetch(id: string): Promise<CachedSubscription | null> {
    const [row] = await this.prisma.$queryRawUnsafe<SubscriptionRow[]>(
      `SELECT s.id, s.url, s.headers, (s.status = 'active' AND s.deleted_at IS NULL) AS active, s.rate_limit_per_second AS "rateLimitPerSecond",
              array_agg(k.ciphertext ORDER BY k.created_at DESC) FILTER (WHERE k.id IS NOT NULL) AS secrets,
              min(k.expires_at) AS "nextExpiry"
       FROM subscriptions s
       LEFT JOIN subscription_secrets k ON k.subscription_id = s.id AND (k.expires_at IS NULL OR k.expires_at > now())
       WHERE s.id = $1
       GROUP BY s.id`,
      id,
    );
    if (!row) return null;
    return {
      id: row.id,
      url: row.url,
      headers: row.headers ?? {},
      active: row.active,
      rateLimitPerSecond: row.rateLimitPerSecond,
      signers: (row.secrets ?? []).map((sealed) => createSigner(this.keyring.open(sealed))),
      expiresAt: row.nextExpiry ? row.nextExpiry.getTime() : Number.POSITIVE_INFINITY,
    };
  }
}
