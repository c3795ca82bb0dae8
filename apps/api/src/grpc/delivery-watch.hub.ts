import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hookline/config';
import { createRedisClient, DeliveryUpdateMessage, deliveryUpdatesChannel, isCluster, RedisClient } from '@hookline/queue';

export type DeliveryUpdateListener = (update: DeliveryUpdateMessage) => void;

interface Watcher {
  listener: DeliveryUpdateListener;
  /** Called when the hub closes (API shutdown) while the watcher is still open. */
  onClose: () => void;
}

/**
 * Fans the workers' delivery updates (Redis pub/sub, one channel per tenant) out to this API's
 * WatchDeliveries calls. One subscriber connection per process, subscribed only to the channels
 * of tenants someone watches; ioredis re-subscribes by itself after a reconnect. On a cluster the
 * channels are sharded (deliveryUpdatesChannel says why): ioredis keeps one subscriber per master.
 */
@Injectable()
export class DeliveryWatchHub implements OnModuleDestroy {
  private readonly logger = new Logger(DeliveryWatchHub.name);
  private subscriber?: RedisClient;
  private readonly watchers = new Map<string, Set<Watcher>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Resolves once Redis confirmed the subscription, with the function that stops watching. */
  async watch(tenantId: string, listener: DeliveryUpdateListener, onClose: () => void): Promise<() => void> {
    const channel = deliveryUpdatesChannel(this.config.QUEUE_PREFIX, tenantId);
    const watcher: Watcher = { listener, onClose };
    let set = this.watchers.get(channel);
    if (!set) this.watchers.set(channel, (set = new Set()));
    set.add(watcher);
    const unwatch = () => this.unwatch(channel, watcher);
    try {
      // Sent for every watcher (a no-op when already subscribed), so this one resolves only after Redis has it.
      const connection = this.connection();
      await (isCluster(connection) ? connection.ssubscribe(channel) : connection.subscribe(channel));
    } catch (error) {
      unwatch();
      throw error;
    }
    return unwatch;
  }

  get watcherCount(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  /** Ends every open watch (they are told through `onClose`) and drops the connection. */
  close(): void {
    const open = [...this.watchers.values()].flatMap((set) => [...set]);
    this.watchers.clear();
    for (const watcher of open) watcher.onClose();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  onModuleDestroy() {
    this.close();
  }

  private unwatch(channel: string, watcher: Watcher) {
    const set = this.watchers.get(channel);
    if (!set?.delete(watcher) || set.size > 0) return;
    this.watchers.delete(channel);
    const subscriber = this.subscriber;
    if (!subscriber) return;
    (isCluster(subscriber) ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel)).catch(() => undefined);
  }

  private connection(): RedisClient {
    if (this.subscriber) return this.subscriber;
    const subscriber = createRedisClient(this.config, { maxRetriesPerRequest: 1, shardedSubscribers: true });
    subscriber.on('error', (error: Error) => this.logger.warn(`delivery updates subscriber: ${error.message}`));
    subscriber.on(isCluster(subscriber) ? 'smessage' : 'message', (channel: string, text: string) => this.dispatch(channel, text));
    this.subscriber = subscriber;
    return subscriber;
  }

  private dispatch(channel: string, text: string) {
    const set = this.watchers.get(channel);
    if (!set?.size) return;
    let update: DeliveryUpdateMessage;
    try {
      update = JSON.parse(text) as DeliveryUpdateMessage;
    } catch {
      this.logger.warn(`ignored a malformed delivery update on ${channel}`);
      return;
    }
    for (const watcher of [...set]) watcher.listener(update);
  }
}
