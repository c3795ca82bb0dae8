import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '@hookline/config';

/** Channel the `events_notify_feed` trigger notifies on, with the tenant id as payload. */
export const EVENTS_CHANNEL = 'hookline_events';
/** While LISTEN is down, waiting polls re-read this often instead of trusting a wake-up. */
const DEGRADED_RECHECK_MS = 1_000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

export type WaitOutcome = 'notified' | 'timeout' | 'closed';

/** A long poll's interest in one tenant; notifications that arrive between two waits are kept. */
export interface EventSubscription {
  wait(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
  close(): void;
}

class Subscription implements EventSubscription {
  private notified = false;
  private wake?: (outcome: WaitOutcome) => void;

  constructor(
    private readonly owner: EventNotifications,
    readonly tenantId: string,
  ) {}

  notify(outcome: WaitOutcome = 'notified') {
    if (this.wake) this.wake(outcome);
    else if (outcome === 'notified') this.notified = true;
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.owner.closed) return Promise.resolve('closed');
    if (this.notified) {
      this.notified = false;
      return Promise.resolve('notified');
    }
    const limit = this.owner.listening ? timeoutMs : Math.min(timeoutMs, DEGRADED_RECHECK_MS);
    return new Promise<WaitOutcome>((resolve) => {
      const done = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.wake = undefined;
        resolve(outcome);
      };
      const aborted = () => done('closed');
      const timer = setTimeout(() => done('timeout'), Math.max(0, limit));
      signal?.addEventListener('abort', aborted, { once: true });
      this.wake = done;
      if (signal?.aborted) done('closed');
    });
  }

  close() {
    this.owner.unsubscribe(this);
    this.wake?.('closed');
  }
}

/**
 * One dedicated Postgres connection per API process that LISTENs for published events and wakes
 * the long polls of the tenant concerned, fanned out in memory: no waiting request touches the
 * database until something it may want has been committed. Reconnects with backoff; after a
 * reconnect every waiter re-reads, since notifications sent meanwhile are lost.
 */
@Injectable()
export class EventNotifications implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EventNotifications.name);
  private readonly byTenant = new Map<string, Set<Subscription>>();
  private client?: Client;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer?: NodeJS.Timeout;
  listening = false;
  closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit() {
    void this.connect();
  }

  async onModuleDestroy() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const subscriptions of this.byTenant.values()) for (const subscription of subscriptions) subscription.notify('closed');
    this.byTenant.clear();
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  subscribe(tenantId: string): EventSubscription {
    const subscription = new Subscription(this, tenantId);
    let set = this.byTenant.get(tenantId);
    if (!set) this.byTenant.set(tenantId, (set = new Set()));
    set.add(subscription);
    return subscription;
  }

  unsubscribe(subscription: Subscription) {
    const set = this.byTenant.get(subscription.tenantId);
    set?.delete(subscription);
    if (set?.size === 0) this.byTenant.delete(subscription.tenantId);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL, keepAlive: true, application_name: 'hookline-feed-listener' });
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      for (const subscription of this.byTenant.get(message.payload) ?? []) subscription.notify();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      this.client = client;
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.closed || this.client !== client) return void client.end().catch(() => undefined);
      this.listening = true;
      this.retryMs = RECONNECT_MIN_MS;
      for (const subscriptions of this.byTenant.values()) for (const subscription of subscriptions) subscription.notify();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: Client, error: Error) {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.listening = false;
    client.end().catch(() => undefined);
    this.logger.warn(`feed LISTEN connection lost (${error.message}); reconnecting in ${this.retryMs}ms, long polls re-read every ${DEGRADED_RECHECK_MS}ms meanwhile`);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }
}
